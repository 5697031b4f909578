/**
 * Streams bytes into the staging area under a QuotaGuard: a file (or an upload's body) is never held
 * in memory, its size is admitted before the first byte, every chunk is counted as it is written,
 * and on any failure (a limit, ENOSPC, a cancel, a broken source) the partial file is removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { AbortError, TesseraError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';
import { fromGdal, refused } from './ingest-errors.js';
import type { QuotaGuard } from '../disk/quota-guard.js';

export interface StreamedCopyOptions {
  guard: QuotaGuard;
  /** How the file is named in messages. */
  label: string;
  signal?: AbortSignal;
  /** Called with each chunk's size once it is admitted (progress). */
  onBytes?(bytes: number): void;
}

/** Copies the regular file `source` to `target` (which must not exist). Returns the bytes copied. */
export async function copyFileStreamed(source: string, target: string, options: StreamedCopyOptions): Promise<number> {
  const info = await stat(source).catch((error: unknown) => {
    throw new TesseraError('DATASET_UNREADABLE', `${options.label}: cannot read it (${(error as Error).message})`, {
      cause: error,
      details: { reason: 'unreadable' },
    });
  });
  if (!info.isFile()) throw refused('not-a-file', `${options.label} is not a regular file`);
  if (info.size === 0) throw refused('empty', `${options.label} is empty (0 bytes)`);
  await options.guard.admit(options.label, info.size);
  return writeStreamed(createReadStream(source, { highWaterMark: 1024 * 1024 }), target, { ...options, expectedBytes: info.size });
}

/**
 * Writes `input` to `target` (a new file, or the end of one with `append`) chunk by chunk under the
 * guard. With `expectedBytes`, a source that turns out longer (a file growing while it is copied,
 * a request body longer than it said) is cut off at that size.
 */
export async function writeStreamed(
  input: Readable,
  target: string,
  options: StreamedCopyOptions & { expectedBytes?: number; append?: boolean; through?: Transform[] },
): Promise<number> {
  let written = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      if (options.expectedBytes !== undefined && written > options.expectedBytes) {
        callback(
          new TesseraError('DATASET_UNREADABLE', `${options.label} grew past ${formatBytes(options.expectedBytes)} while it was copied`, {
            details: { reason: 'unreadable' },
          }),
        );
        return;
      }
      options.guard.wrote(options.label, chunk.length).then(
        () => {
          options.onBytes?.(chunk.length);
          callback(null, chunk);
        },
        (error: Error) => callback(error),
      );
    },
  });
  const output = createWriteStream(target, { flags: options.append ? 'a' : 'wx' });
  try {
    await pipeline([input, ...(options.through ?? []), meter, output], { signal: options.signal });
    return written;
  } catch (error) {
    // An unlinked file's blocks come back only when its descriptor is closed: on a full disk the
    // space must really be free again before anyone (the job store) writes next.
    if (!output.closed) await once(output, 'close').catch(() => {});
    // An appended chunk that fails spoils the whole file: the caller removes what it belongs to.
    if (!options.append) await rm(target, { force: true });
    options.guard.release(written);
    if (options.signal?.aborted) throw new AbortError();
    throw fromGdal(error, options.label);
  }
}
