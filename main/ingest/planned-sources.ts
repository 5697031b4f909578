/**
 * What the plan found in a file, kept for the job's staging and import when they read the very same
 * bytes: a file hard-linked into the staging area is the same inode, so the plan's discovery holds
 * for the staged copy and the plan's open GDAL handle reads it.
 *
 * Why: GDAL's GeoJSON (and CSV, KML, GML…) reader parses the whole file when it opens it, to learn
 * its fields. Planning, staging and the import each opened the file, so a 107 MB GeoJSON was parsed
 * in full three times before its features were copied (issue 14: 7 s + 7 s + 15 s against ogr2ogr's
 * 15 s); ogr2ogr parses it once and then reads the features. Kept here, the plan's open is the only
 * one and the job matches ogr2ogr's work.
 *
 * A file is the same when its device, inode, size and modification time are (a link changes only
 * the inode's ctime). Anything else (a copy from another volume, a file saved anew meanwhile, a
 * retry after a restart) misses and opens the staged file as before. A kept handle that nobody
 * takes is closed after KEEP_MS, so an engine that never runs the job's items holds nothing.
 */
import { realpath, stat } from 'node:fs/promises';
import type gdal from 'gdal-async';
import type { FoundDataset } from './inspect.js';

/** A kept handle is closed after this long unused (the plan's items normally start within a second). */
const KEEP_MS = 10 * 60_000;

interface Planned {
  datasets: FoundDataset[];
  /** The plan's open handle (vector-only files), until an import takes it. */
  handle: gdal.Dataset | null;
  timer: NodeJS.Timeout;
}

const planned = new Map<string, Planned>();

/**
 * The identity of a local file (device, inode, size, mtime of what its path resolves to); null for
 * GDAL virtual paths and files that cannot be read.
 */
export async function fileIdentity(path: string): Promise<string | null> {
  if (path.startsWith('/vsi')) return null;
  try {
    const info = await stat(await realpath(path));
    // Whole milliseconds, rounded: what every file system and utimes() keep alike (a time set from a
    // Date may read back a hair below its millisecond).
    return info.isFile() ? `${info.dev}:${info.ino}:${info.size}:${Math.round(info.mtimeMs)}` : null;
  } catch {
    return null;
  }
}

/**
 * Keeps what the plan found in the file at `identity`, and its open handle when given (a later
 * import takes it with takePlannedHandle). A file planned again replaces its entry (closing the
 * handle it held).
 */
export function rememberPlanned(identity: string, datasets: FoundDataset[], handle: gdal.Dataset | null): void {
  forgetPlanned(identity);
  const timer = setTimeout(() => forgetPlanned(identity), KEEP_MS);
  timer.unref();
  planned.set(identity, { datasets: structuredClone(datasets), handle, timer });
}

/** What the plan found in the file, if it planned this very file; a copy the caller may change. */
export function plannedDatasets(identity: string | null): FoundDataset[] | null {
  const entry = identity === null ? undefined : planned.get(identity);
  return entry ? structuredClone(entry.datasets) : null;
}

/** The plan's open handle of the file, handed over once (the caller closes it); else null. */
export function takePlannedHandle(identity: string | null): gdal.Dataset | null {
  const entry = identity === null ? undefined : planned.get(identity);
  if (!entry || entry.handle === null) return null;
  const handle = entry.handle;
  entry.handle = null;
  return handle;
}

/** Drops what was kept for the file, closing a handle nobody took. */
export function forgetPlanned(identity: string): void {
  const entry = planned.get(identity);
  if (!entry) return;
  planned.delete(identity);
  clearTimeout(entry.timer);
  try {
    entry.handle?.close();
  } catch {
    // Already closed by GDAL (its file went away): nothing left to free.
  }
}

/** How many files are kept (for tests). */
export function plannedCount(): number {
  return planned.size;
}
