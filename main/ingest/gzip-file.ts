/**
 * A gzip-compressed single file (`roads.geojson.gz`, `dem.tif.gz`, `points.csv.gz`): looked into at
 * plan time through GDAL's /vsigzip/ once a full streamed pass has shown what it inflates to, and
 * staged by inflating it through zlib under the job's QuotaGuard (each inflated chunk counted, the
 * floor and the quotas checked as for a copy), so the staged file has its inner name. A ratio only a
 * gzip bomb has is refused as the ZIP checks refuse one; tar archives are refused plainly.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { AbortError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';
import { refused } from './ingest-errors.js';
import type { QuotaGuard } from '../disk/quota-guard.js';
import { writeStreamed } from './streamed-copy.js';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './zip-archive.js';

/** Whether the file is gzip-compressed by its name (`.gz`, `.gzip`). */
export function isGzipName(name: string): boolean {
  return /\.gz(?:ip)?$/i.test(name);
}

/** Whether the file is a tar archive by its name (`.tar`, `.tar.gz`, `.tgz`…), which is refused. */
export function isTarName(name: string): boolean {
  return /\.(?:tar|tgz|tbz2?|txz|tar\.(?:gz|gzip|bz2|xz|zst))$/i.test(name);
}

/** The name of the file inside: `roads.geojson` for `roads.geojson.gz`. */
export function innerName(name: string): string {
  const inner = name.replace(/\.gz(?:ip)?$/i, '');
  return inner === '' ? name : inner;
}

/** The refusal of a tar archive, by its name or its first block. */
export function tarRefusal(label: string) {
  return refused('tar-archive', `${label}: tar archives are not supported; use .zip`);
}

/**
 * Watches inflated bytes: refuses a tar archive inside (its first block says "ustar") and a ratio
 * past `limits.maxRatio` (beyond `limits.ratioFloorBytes`) the moment it is reached.
 */
function inflationCheck(label: string, compressedBytes: number, limits: ArchiveLimits): Transform & { inflated: () => number } {
  let seen = 0;
  let head = Buffer.alloc(0);
  const cap = Math.max(limits.ratioFloorBytes, limits.maxRatio * Math.max(1, compressedBytes));
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (head.length < 262) {
        head = Buffer.concat([head, chunk.subarray(0, 262 - head.length)]);
        if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return callback(tarRefusal(label));
      }
      seen += chunk.length;
      if (seen > cap) {
        return callback(
          refused(
            'compression-ratio',
            `${label}: it inflates more than ${limits.maxRatio}:1 (${formatBytes(compressedBytes)} to over ${formatBytes(seen)}); that is taken for a gzip bomb and refused`,
            {
              ratio: Math.round(seen / Math.max(1, compressedBytes)),
              limit: limits.maxRatio,
              compressedBytes,
            },
          ),
        );
      }
      callback(null, chunk);
    },
  });
  return Object.assign(check, { inflated: () => seen });
}

/** zlib's complaints about a file that is not gzip, or a cut-off one, as the operator reads them. */
function corrupt(label: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_ZLIB_INIT_FAILED') {
    return refused('unreadable', `${label}: not a readable gzip file (corrupt or cut short)`, { gdal: (error as Error).message });
  }
  return error;
}

/**
 * Inflates the whole file without writing it (plan time, before GDAL reads it through /vsigzip/):
 * refuses a bomb, a tar archive or a corrupt file. Returns the inflated size.
 */
export async function inspectGzip(path: string, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS, signal?: AbortSignal): Promise<number> {
  const size = (await stat(path)).size;
  if (size === 0) throw refused('empty', `${label} is empty (0 bytes)`);
  const check = inflationCheck(label, size, limits);
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), createGunzip({ chunkSize: 256 * 1024 }), check, sink, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw new AbortError();
    throw corrupt(label, error);
  }
  if (check.inflated() === 0) throw refused('empty', `${label} inflates to nothing (0 bytes)`);
  return check.inflated();
}

export interface GunzipOptions {
  guard: QuotaGuard;
  label: string;
  signal?: AbortSignal;
  onBytes?(bytes: number): void;
  limits?: ArchiveLimits;
}

/**
 * Inflates `source` into `target` (a new file) under the guard: admitted first at its compressed
 * size (the least it will take), then every inflated chunk counted as it is written, so the quotas
 * and the free-space floor stop it part-way. A bomb is cut off by ratio; the partial file is removed.
 * Returns the inflated bytes written.
 */
export async function gunzipStreamed(source: string, target: string, options: GunzipOptions): Promise<number> {
  const limits = options.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const size = (await stat(source)).size;
  if (size === 0) throw refused('empty', `${options.label} is empty (0 bytes)`);
  await options.guard.admit(options.label, size);
  const check = inflationCheck(options.label, size, limits);
  const input = createReadStream(source, { highWaterMark: 1024 * 1024 });
  try {
    return await writeStreamed(input, target, {
      guard: options.guard,
      label: options.label,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      through: [createGunzip({ chunkSize: 256 * 1024 }), check],
    });
  } catch (error) {
    throw corrupt(options.label, (error as { cause?: unknown }).cause ?? error);
  }
}
