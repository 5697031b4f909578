/**
 * What the tile writers share about their output path: what is there now, and the errors that name
 * it. A failure to write becomes WRITE_FAILED naming the output.
 *
 * WRITE_FAILED is transient (a busy database, a full disk that the disk guard waits out, a flaky
 * volume): the engine retries the item. A few causes cannot go away by waiting (a read-only volume,
 * no permission, a corrupt database), and are marked not transient so the item fails at once
 * instead of backing off through every retry.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TesseraError } from '../../shared/errors.js';
import { describeCause } from './cache-error.js';
import { isTileInGrid } from './tile-cache.js';

/** errno and SQLite codes (better-sqlite3 uses extended codes such as SQLITE_READONLY_DBMOVED). */
const PERMANENT = /^(EROFS|EACCES|EPERM|SQLITE_READONLY|SQLITE_CORRUPT|SQLITE_NOTADB|SQLITE_PERM|SQLITE_AUTH)/;

/** `what` says what was being done ("cannot write 12 tiles"), `path` which output it was. */
export function writeFailed(path: string, what: string, cause: unknown): TesseraError {
  if (cause instanceof TesseraError) return cause;
  const { message, errno } = describeCause(cause);
  // Without an errno or SQLite code it was not the disk or the database that failed, but our code.
  if (errno === undefined) return new TesseraError('INTERNAL', `${what} to ${path}: ${message}`, { cause, details: { path } });
  return new TesseraError('WRITE_FAILED', `${what} to ${path}: ${message.includes(errno) ? '' : `${errno}: `}${message}`, {
    cause,
    details: { path, errno },
    transient: !PERMANENT.test(errno),
  });
}

/** BAD_INPUT for an existing output this writer must not touch. */
export function notWritable(path: string, why: string): TesseraError {
  return new TesseraError('BAD_INPUT', `cannot write tiles into ${path}: ${why}`, { details: { path } });
}

/** What is at the output path; null when nothing is (a new output). */
export async function statOutput(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw writeFailed(path, 'cannot look at the output', error);
  }
}

/** A kind asking for a tile outside the XYZ grid is a bug: INTERNAL, before anything is written. */
export function assertTilesInGrid(path: string, tiles: readonly { z: number; x: number; y: number }[]): void {
  const bad = tiles.find((t) => !isTileInGrid(t.z, t.x, t.y));
  if (bad) {
    throw new TesseraError('INTERNAL', `tile ${bad.z}/${bad.x}/${bad.y} is not in the XYZ grid (writing ${path})`, {
      details: { path, z: bad.z, x: bad.x, y: bad.y },
    });
  }
}
