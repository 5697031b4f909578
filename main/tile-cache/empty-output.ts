/**
 * A preseed that made nothing leaves nothing: an output it created and that holds no tile when the
 * job ends without a finished tileset (a failure, a cancel) is removed again, so a failed job does
 * not leave an empty 24 KB MBTiles (or an empty working file, or a folder of empty folders) at the
 * path the user chose. An output that was there before the job is never touched.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import { workingFileOf } from './pmtiles-writer.js';
import { writerKindFor } from './tile-writer.js';

/** Whether anything is at the output (for PMTiles, its archive or its working file): call before opening the writer. */
export async function outputExists(path: string): Promise<boolean> {
  if (await present(path)) return true;
  return writerKindFor(path) === 'pmtiles' && present(workingFileOf(path));
}

/**
 * After the writer is closed: removes the output when it holds no tile. Only for an output the job
 * created (outputExists was false before it opened). Returns whether it removed anything.
 */
export async function removeEmptyOutput(path: string): Promise<boolean> {
  switch (writerKindFor(path)) {
    case 'mbtiles':
      return removeEmptyMbtiles(path);
    case 'pmtiles':
      // A finished archive is a tileset; the working file is what a failed job made.
      if (await present(path)) return false;
      return removeEmptyMbtiles(workingFileOf(path));
    case 'directory':
      if (!(await present(path)) || (await holdsFile(path))) return false;
      await rm(path, { recursive: true, force: true });
      return true;
  }
}

async function removeEmptyMbtiles(path: string): Promise<boolean> {
  if (!(await present(path))) return false;
  let empty: boolean;
  try {
    const db = new Database(path, withSqliteBinding({ readonly: true, fileMustExist: true }));
    try {
      empty = db.prepare('SELECT 1 FROM tiles LIMIT 1').get() === undefined;
    } finally {
      db.close();
    }
  } catch {
    // Not readable as an MBTiles (it was never completed): nothing in it can be a tile.
    empty = true;
  }
  if (!empty) return false;
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${path}${suffix}`, { force: true })));
  return true;
}

/** Whether a tile directory holds any file other than a writer's temporary one (".…tmp"). */
async function holdsFile(dir: string): Promise<boolean> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) {
      if (await holdsFile(join(dir, entry.name))) return true;
    } else if (!(entry.name.startsWith('.') && entry.name.endsWith('.tmp'))) return true;
  }
  return false;
}

async function present(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
