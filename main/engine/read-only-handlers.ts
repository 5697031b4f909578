/**
 * The contract's requests that only read: answered from the job store and the catalogue alone,
 * without the engine, its worker pool, GDAL or sharp.
 *
 * Two users share the same functions:
 * - the Engine, whose createHandlers() spreads `readOnlyHandlers({ store, catalog, withLiveProgress })`
 *   and adds the requests that run or change things;
 * - the CLI's read-only commands (jobs list|show|report, catalog list|show), through
 *   `openReadOnly(dataDir)`, which answer beside a console that holds the data directory (WAL lets a
 *   reader run beside the writer) and must not load a native geodata library
 *   (main/cli/read-only-commands.test.ts).
 *
 * Nothing here may import the engine, a kind, the pool or anything that loads GDAL or sharp at
 * module load: the catalogue and the reports load them lazily, when a dataset is written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSummary } from '../../shared/contract.js';
import { toTesseraError } from '../../shared/errors.js';
import { Catalog } from '../catalog/catalog.js';
import { type Db, openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { type DataDirLock, lockDataDir, prepareDataDir } from './data-dir.js';
import type { ContractHandlers } from './handlers.js';

/** The requests answered here. */
export const READ_ONLY_REQUESTS = [
  'jobs.list',
  'jobs.get',
  'jobs.items',
  'jobs.events',
  'jobs.tileIssues',
  'jobs.report',
  'catalog.list',
  'catalog.get',
] as const;

export type ReadOnlyRequest = (typeof READ_ONLY_REQUESTS)[number];
export type ReadOnlyHandlers = Pick<ContractHandlers, ReadOnlyRequest>;
/**
 * What a data directory opened without an engine answers: the read-only requests, and the Caches
 * screen's list (`tessera caches list`), which reads the jobs' caches from the store and each cache
 * from its file. (The engine serves caches.list from its own CacheList, which keeps what it read.)
 */
export type ReadOnlyStoreHandlers = ReadOnlyHandlers & Pick<ContractHandlers, 'caches.list'>;

export interface ReadOnlySources {
  store: JobStore;
  catalog: Catalog;
  /**
   * What a running engine knows better than the store: the live progress of a job it runs (the
   * store is written in batches). Without an engine the store's summary is the answer.
   */
  withLiveProgress?: (job: JobSummary) => JobSummary;
}

/** The read-only requests over a store and a catalogue that the caller opened (and closes). */
export function readOnlyHandlers({ store, catalog, withLiveProgress = (job) => job }: ReadOnlySources): ReadOnlyHandlers {
  return {
    'jobs.list': (i) => store.listJobs(i.filter, i.cursor, i.limit),
    'jobs.get': (i) => withLiveProgress(store.getJob(i.id)),
    'jobs.items': (i) => store.listItems(i.id, { states: i.states, cursor: i.cursor, limit: i.limit }),
    'jobs.events': (i) => store.events(i.id, i.afterId, i.limit),
    'jobs.tileIssues': (i) => store.tileIssues(i.id, i.cursor, i.limit),
    // Loaded on demand: reports bring pdfkit, fonts and the tile-cache readers, which `jobs list`
    // and `catalog list` do not need (read-only commands answer in < 150 ms, issue 14.6).
    'jobs.report': async (i) => (await import('../reports/report.js')).buildReport(store, i.id, i.format, catalog),
    'catalog.list': (i) => catalog.list(i),
    'catalog.get': (i) => catalog.get(i.id),
  };
}

export interface ReadOnlyStore {
  readonly handlers: ReadOnlyStoreHandlers;
  /** Whether this reader holds the data directory's lock (no engine runs there). */
  readonly locked: boolean;
  close(): void;
}

export interface OpenReadOnlyOptions {
  /**
   * When no engine holds the data directory, take its lock for the read and mark the jobs a dead
   * process left running as interrupted first, so they show as what they are (what an engine's
   * start-up would do). When an engine holds it, or the volume is full, only read. Default true.
   */
  recover?: boolean;
  /** What the lock names as its holder while this reader has it. */
  holder?: string;
}

/**
 * Opens a data directory's store and catalogue for the read-only requests, without an engine.
 * Null when the directory holds no job store (nothing has run there yet): the caller says so.
 */
export function openReadOnly(dataDir: string, options: OpenReadOnlyOptions = {}): ReadOnlyStore | null {
  const file = join(dataDir, 'jobs.sqlite');
  if (!prepareDataDir(dataDir, { create: false }) || !existsSync(file)) return null;
  let lock: DataDirLock | null = null;
  if (options.recover ?? true) {
    try {
      lock = lockDataDir(dataDir, options.holder ?? 'tessera (read)');
    } catch (error) {
      // Held by an engine, or a full volume that takes no lock file: read beside it, read-only.
      const code = toTesseraError(error).code;
      if (code !== 'DATA_DIR_LOCKED' && code !== 'DISK_FULL') throw error;
    }
  }
  let db: Db;
  try {
    db = openDatabase(file, { readonly: lock === null });
  } catch (error) {
    lock?.release();
    throw error;
  }
  try {
    const store = new JobStore(db);
    if (lock) store.markInterrupted();
    const handlers: ReadOnlyStoreHandlers = {
      ...readOnlyHandlers({ store, catalog: new Catalog(db, dataDir) }),
      // Loaded on demand: the tile-cache readers are for this command only.
      'caches.list': async () => {
        const [{ CacheList }, { CacheRecords }] = await Promise.all([import('../caches/cache-list.js'), import('../caches/cache-records.js')]);
        return new CacheList({ store, records: new CacheRecords(db) }).list();
      },
    };
    return {
      handlers,
      locked: lock !== null,
      close() {
        db.close();
        lock?.release();
        lock = null;
      },
    };
  } catch (error) {
    db.close();
    lock?.release();
    throw error;
  }
}
