/**
 * Reading ZIP archives without trusting them: entry names that climb out of the folder, absolute
 * paths, symlinks, encrypted or duplicate entries, too many entries, too many bytes, and
 * compression ratios only a zip bomb has are refused before anything is written; then entries are
 * streamed out one by one, and a stream that inflates past its declared size is cut off.
 *
 * yauzl reads the central directory (not the local headers a crafted archive can make disagree
 * with it: ZIP64, CP437 and UTF-8 names) and refuses `..` and absolute names itself. The entry
 * data is read here with node:fs and node:zlib instead of yauzl's openReadStream: yauzl 2.x (the
 * copy in node_modules today) overrides stream.destroy(), so on Node 20 a size check or inflate
 * error is swallowed and the stream just stops, which would hang the item (yauzl issues #110, #123;
 * fixed in 3.x). yauzl is loaded through createRequire with the small typed surface below.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open as openFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, posix, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { createInflateRaw } from 'node:zlib';
import { AbortError, throwIfAborted } from '../../shared/errors.js';
import { refused } from './ingest-errors.js';

/** The limits an archive must keep. */
export interface ArchiveLimits {
  /** Entries (files and folders). Real data sets have tens; 10,000 is generous. */
  maxEntries: number;
  /** Uncompressed bytes of all entries together (the caller passes what the quotas still allow). */
  maxTotalBytes: number;
  /**
   * Uncompressed / compressed size of one entry. Deflate tops out near 1032:1, which only runs of
   * one byte reach; real GIS files stay far below 100:1 (text GeoJSON compresses 10–20×).
   */
  maxRatio: number;
  /** Entries smaller than this are not ratio-checked: tiny files compress oddly and cannot bomb. */
  ratioFloorBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

/** One file or folder of an archive, as its central directory declares it. */
export interface ArchiveEntry {
  /** Slash-separated, relative, already checked (no `..`, not absolute). */
  name: string;
  size: number;
  compressedSize: number;
  directory: boolean;
}

// The part of yauzl this module uses (yauzl 2.x and 3.x share it).
interface YauzlEntry {
  fileName: string;
  uncompressedSize: number;
  compressedSize: number;
  compressionMethod: number;
  relativeOffsetOfLocalHeader: number;
  externalFileAttributes: number;
  isEncrypted(): boolean;
}
interface YauzlZipFile {
  entryCount: number;
  readEntry(): void;
  close(): void;
  on(event: 'entry', listener: (entry: YauzlEntry) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
interface Yauzl {
  open(
    path: string,
    options: { lazyEntries: boolean; autoClose: boolean; decodeStrings: boolean; validateEntrySizes: boolean; strictFileNames: boolean },
    callback: (error: Error | null, zip: YauzlZipFile) => void,
  ): void;
}
const yauzl = createRequire(import.meta.url)('yauzl') as Yauzl;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Reads and checks the whole central directory; throws DATASET_UNREADABLE with the reason. */
export async function inspectZip(path: string, label: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await walkZip(path, label, limits, async (entry) => {
    entries.push(entry);
  });
  return entries;
}

export interface ExtractOptions {
  limits?: ArchiveLimits;
  signal?: AbortSignal;
  /**
   * Called before each entry is written with its declared size, and with every chunk written: it
   * throws (QUOTA_EXCEEDED, DISK_FULL) to stop the extraction. What was written so far is the
   * caller's to remove (it owns `destination`).
   */
  beforeEntry?(entry: ArchiveEntry): Promise<void>;
  onBytes?(bytes: number): Promise<void> | void;
}

/**
 * Checks the archive as inspectZip does, then writes each file entry below `destination`. Returns
 * the entries written. A refusal found part-way (a later entry's name) stops it; the caller removes
 * `destination` on any failure.
 */
export async function extractZip(path: string, label: string, destination: string, options: ExtractOptions = {}): Promise<ArchiveEntry[]> {
  const limits = options.limits ?? DEFAULT_ARCHIVE_LIMITS;
  // All entries are checked first, so that nothing is written from an archive that is refused.
  await inspectZip(path, label, limits);
  const root = resolve(destination);
  const written: ArchiveEntry[] = [];
  await walkZip(path, label, limits, async (entry, open) => {
    throwIfAborted(options.signal);
    const target = resolve(root, ...entry.name.split('/'));
    // yauzl already refuses `..` and absolute names; this keeps the promise if that ever changes.
    if (target !== root && !target.startsWith(root + sep))
      throw refused('path-traversal', `${label}: entry ${entry.name} would be written outside its folder`, { entry: entry.name });
    if (entry.directory) {
      await mkdir(target, { recursive: true });
      return;
    }
    await options.beforeEntry?.(entry);
    await mkdir(dirname(target), { recursive: true });
    const source = await open();
    const output = createWriteStream(target, { flags: 'wx' });
    await pipeline(source, meter(label, entry, options.onBytes), output, { signal: options.signal }).catch(async (error: unknown) => {
      // The caller removes what was written; its space only comes back once the file is closed.
      if (!output.closed) await once(output, 'close').catch(() => {});
      if (options.signal?.aborted) throw new AbortError();
      if ((error as { code?: unknown }).code === 'Z_DATA_ERROR' || (error as { code?: unknown }).code === 'Z_BUF_ERROR') {
        throw refused('unreadable', `${label}: entry ${entry.name} is corrupt (${(error as Error).message})`, { entry: entry.name });
      }
      throw error;
    });
    written.push(entry);
  });
  return written;
}

/**
 * Passes an entry's bytes through once `onBytes` has accepted them (it throws to stop the copy),
 * and holds the entry to the size its central directory declares: more is a bomb that lied about
 * its size, less is a truncated or corrupt entry.
 */
function meter(label: string, entry: ArchiveEntry, onBytes: ExtractOptions['onBytes']): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > entry.size) {
        callback(
          refused('too-large', `${label}: entry ${entry.name} inflates to more than the ${entry.size} bytes it declares (a zip bomb)`, {
            entry: entry.name,
            declaredBytes: entry.size,
          }),
        );
        return;
      }
      if (!onBytes) return callback(null, chunk);
      Promise.resolve()
        .then(() => onBytes(chunk.length))
        .then(
          () => callback(null, chunk),
          (error: Error) => callback(error),
        );
    },
    flush(callback) {
      if (seen < entry.size)
        callback(
          refused('unreadable', `${label}: entry ${entry.name} holds ${seen} bytes but declares ${entry.size} (truncated or corrupt)`, { entry: entry.name }),
        );
      else callback();
    },
  });
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const STREAM_CHUNK = 256 * 1024;

/** The entry's data, inflated when it is deflated, read from where its local header says it starts. */
async function entryStream(path: string, label: string, raw: YauzlEntry, entry: ArchiveEntry): Promise<Readable> {
  if (raw.compressionMethod !== 0 && raw.compressionMethod !== 8) {
    throw refused('unreadable', `${label}: entry ${entry.name} uses compression method ${raw.compressionMethod}; only stored and deflated entries are read`, {
      entry: entry.name,
    });
  }
  const header = Buffer.alloc(30);
  const handle = await openFile(path, 'r');
  try {
    const { bytesRead } = await handle.read(header, 0, 30, raw.relativeOffsetOfLocalHeader);
    if (bytesRead < 30 || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE)
      throw refused('unreadable', `${label}: entry ${entry.name} has no local header where the directory says`, { entry: entry.name });
  } finally {
    await handle.close();
  }
  const start = raw.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  // Large chunks: each one passes the quota meter and a write, and 16 KiB ones made unpacking a
  // 3.5 MB Shapefile take twice as long as `unzip` does.
  const data =
    raw.compressedSize === 0 ? Readable.from([]) : createReadStream(path, { start, end: start + raw.compressedSize - 1, highWaterMark: STREAM_CHUNK });
  if (raw.compressionMethod === 0) return data;
  const inflate = createInflateRaw({ chunkSize: STREAM_CHUNK });
  data.on('error', (error: Error) => inflate.destroy(error));
  return data.pipe(inflate);
}

/** Visits every entry after checking it; `open` streams its inflated bytes. */
async function walkZip(
  path: string,
  label: string,
  limits: ArchiveLimits,
  visit: (entry: ArchiveEntry, open: () => Promise<Readable>) => Promise<void>,
): Promise<void> {
  const zip = await new Promise<YauzlZipFile>((resolveOpen, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: false, strictFileNames: false }, (error, z) => {
      if (error) reject(refused('not-an-archive', `${label} is not a readable ZIP archive (${error.message})`, { cause: error.message }));
      else resolveOpen(z);
    });
  });
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refused('too-many-entries', `${label} holds ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted`, {
        entries: zip.entryCount,
        limit: limits.maxEntries,
      });
    }
    const seen = new Set<string>();
    let total = 0;
    await new Promise<void>((resolveWalk, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      zip.on('error', (error) => fail(yauzlRefusal(error, label)));
      zip.on('end', () => {
        if (!failed) resolveWalk();
      });
      zip.on('entry', (raw) => {
        try {
          const entry = checkEntry(raw, label, limits, seen);
          total += entry.size;
          if (total > limits.maxTotalBytes) {
            throw refused(
              'too-large',
              `${label} inflates to more than ${limits.maxTotalBytes} bytes (at least ${total}); that is more than this job may stage`,
              { totalBytes: total, limit: limits.maxTotalBytes },
            );
          }
          const open = () => entryStream(path, label, raw, entry);
          visit(entry, open).then(
            () => zip.readEntry(),
            (error: unknown) => fail(error),
          );
        } catch (error) {
          fail(error);
        }
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

function checkEntry(raw: YauzlEntry, label: string, limits: ArchiveLimits, seen: Set<string>): ArchiveEntry {
  const name = raw.fileName;
  const mode = (raw.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK)
    throw refused('symlink', `${label}: entry ${name} is a symbolic link; links in archives are refused (they can point anywhere)`, { entry: name });
  // Control characters (NUL above all) in a name can cut a path short on the way to the file system.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what an entry name must not hold
  if (/[\u0000-\u001f]/.test(name))
    throw refused('path-traversal', `${label}: entry ${JSON.stringify(name)} has control characters in its name`, { entry: name });
  if (raw.isEncrypted()) throw refused('encrypted', `${label}: entry ${name} is encrypted; encrypted archives cannot be ingested`, { entry: name });
  const normalised = posix.normalize(name);
  if (seen.has(normalised)) throw refused('duplicate-entry', `${label}: entry ${name} appears twice`, { entry: name });
  seen.add(normalised);
  if (raw.compressionMethod === 0 && raw.compressedSize !== raw.uncompressedSize) {
    throw refused(
      'unreadable',
      `${label}: entry ${name} is stored uncompressed but declares ${raw.compressedSize} stored and ${raw.uncompressedSize} real bytes`,
      { entry: name },
    );
  }
  const directory = name.endsWith('/');
  const size = raw.uncompressedSize;
  const compressedSize = raw.compressedSize;
  if (!directory && size > limits.ratioFloorBytes && size > limits.maxRatio * Math.max(1, compressedSize)) {
    const ratio = Math.round(size / Math.max(1, compressedSize));
    throw refused(
      'compression-ratio',
      `${label}: entry ${name} inflates ${ratio}:1 (${compressedSize} → ${size} bytes); more than ${limits.maxRatio}:1 is taken for a zip bomb`,
      {
        entry: name,
        ratio,
        limit: limits.maxRatio,
      },
    );
  }
  return { name: directory ? name.slice(0, -1) : name, size, compressedSize, directory };
}

/** yauzl's own refusals (it checks names before handing entries over) with our reasons. */
function yauzlRefusal(error: Error, label: string): Error {
  const message = error.message;
  if (message.startsWith('absolute path: '))
    return refused('absolute-path', `${label}: entry ${message.slice(15)} has an absolute path; archives may only hold relative names`, {
      entry: message.slice(15),
    });
  if (message.startsWith('invalid relative path: ')) {
    const name = message.slice(23);
    return refused('path-traversal', `${label}: entry ${name} climbs out of the archive's folder (zip-slip)`, { entry: name });
  }
  if (message.startsWith('invalid characters in fileName: '))
    return refused('path-traversal', `${label}: entry ${message.slice(32)} has characters no file name may have`, { entry: message.slice(32) });
  if ((error as { code?: string }).code === 'ENOENT') return error;
  return refused('not-an-archive', `${label} is not a readable ZIP archive (${message})`, { cause: message });
}

/**
 * A path inside an archive as GDAL's virtual file system names it (for opening in place). The
 * braces let GDAL find the archive whatever its name ends in (a ZIP named `.geojson`, an inner
 * archive given as a /vsizip/ path itself).
 */
export function vsizipPath(archive: string, entry: string): string {
  return `/vsizip/{${archive}}/${entry}`;
}
