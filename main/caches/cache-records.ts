/**
 * The user's own changes to the Caches screen's list, in the store (migration 8): caches added by
 * hand, and caches jobs named that were removed from the list. Jobs' caches themselves are not
 * copied here: the jobs are the record of them.
 */
import { resolve } from 'node:path';
import type { Db } from '../store/database.js';

export interface CacheRecord {
  path: string;
  /** true: added by hand; false: a job's cache removed from the list at `changedAt`. */
  listed: boolean;
  changedAt: string;
}

export class CacheRecords {
  private readonly all;
  private readonly upsert;
  private readonly drop;

  constructor(db: Db) {
    this.all = db.prepare('SELECT path, listed, changed_at FROM tile_caches ORDER BY path');
    this.upsert = db.prepare(
      'INSERT INTO tile_caches (path, listed, changed_at) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET listed = excluded.listed, changed_at = excluded.changed_at',
    );
    this.drop = db.prepare('DELETE FROM tile_caches WHERE path = ?');
  }

  list(): CacheRecord[] {
    return (this.all.raw().all() as [string, number, string][]).map(([path, listed, changedAt]) => ({ path, listed: listed === 1, changedAt }));
  }

  /** Lists `path` (resolved) as added by hand. */
  add(path: string, now = new Date()): void {
    this.upsert.run(resolve(path), 1, now.toISOString());
  }

  /** Hides a job's cache from the list until a newer job names it. */
  hide(path: string, now = new Date()): void {
    this.upsert.run(resolve(path), 0, now.toISOString());
  }

  /** Forgets whatever the user did to `path`'s place in the list. */
  forget(path: string): void {
    this.drop.run(resolve(path));
  }
}
