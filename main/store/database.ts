/**
 * Opens the SQLite job store (better-sqlite3, WAL) and brings its schema up to date with
 * numbered migrations, each in its own transaction so a failed one leaves the previous schema intact.
 */
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import { TesseraError } from '../../shared/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open without writing: no migrations, no WAL switch (for read-only CLI commands). */
  readonly?: boolean;
}

/** Opens (and migrates) the store at `file`. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(file, withSqliteBinding({ readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false }));
  } catch (error) {
    throw new TesseraError('STORE_UNAVAILABLE', `cannot open the job store ${file}: ${(error as Error).message}`, { cause: error });
  }
  // A writer holding the lock for a few ms must not make a reader fail: wait up to 5 s instead.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL is durable across application crashes (only an OS crash can lose the last commits).
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } else {
    const current = schemaVersion(db);
    if (current !== latestVersion()) {
      db.close();
      throw new TesseraError(
        'STORE_UNAVAILABLE',
        `the job store ${file} is at schema ${current}, this Tessera needs ${latestVersion()}; start the engine once to migrate it`,
      );
    }
  }
  return db;
}

export function latestVersion(): number {
  return MIGRATIONS.length;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies the migrations not yet applied, in order. Returns the versions applied. */
export function migrate(db: Db): number[] {
  const applied: number[] = [];
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new TesseraError('STORE_UNAVAILABLE', `the job store is at schema ${current}, newer than this Tessera (${MIGRATIONS.length}); refusing to touch it`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version - 1]!;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
    applied.push(version);
  }
  return applied;
}
