/**
 * The Caches screen's list (caches.list/add/remove/delete): every tile cache a preseed wrote or a
 * verify or truncate read, still on disk, plus the caches added by hand; each described from the
 * cache itself (format, zooms, bounds, tiles counted per zoom, bytes on disk) and its last job.
 *
 * Jobs are the record of their caches (their params name them: cacheOf), so nothing is copied
 * when a job runs and a purged job's cache stays listed only if it was added by hand. A file's
 * description is kept while its size, time and inode (and its WAL's) are unchanged; a folder is
 * read again each time, since a tile written deep inside does not change the folder's own time.
 */
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { type CacheEntry, type CacheJobRef, type JobKind, type JobSummary, cacheOf, pathsOf } from '../../shared/contract.js';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { clampLatitude } from '../../shared/tile-grid.js';
import { directoryBytes, fileBytes } from '../disk/storage.js';
import type { JobStore } from '../store/job-store.js';
import { summariseCache } from '../tile-cache/cache-summary.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import { workingFileOf } from '../tile-cache/pmtiles-writer.js';
import type { CacheRecords } from './cache-records.js';

/** The kinds whose params name a tile cache (cacheOf is not null for them). */
export const CACHE_KINDS: readonly JobKind[] = ['preseed-raster', 'preseed-vector', 'verify', 'truncate'];
/** Caches described at once: each may walk a folder or decode a few tiles. */
const DESCRIBE_CONCURRENCY = 4;
/** Files SQLite keeps beside an MBTiles while it is open or after a crash. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];
const TILE_FILE = /^(0|[1-9]\d*)\.(png|jpg|jpeg|webp|pbf|mvt)$/;
const NUMBER = /^(0|[1-9]\d*)$/;

type Facts = Omit<CacheEntry, 'path' | 'origin' | 'lastJob' | 'jobCount' | 'preseedJobId'>;
interface Seen {
  ref: CacheJobRef;
  createdAt: string;
  count: number;
  preseedJobId: number | null;
  /** The newest job's planned bbox while it is a preseed still writing the cache; null otherwise. */
  writing: CacheEntry['bounds'];
}

/** A preseed in these states may still add tiles: its cache's own bounds are not known yet. */
const WRITING_STATES: ReadonlySet<JobSummary['state']> = new Set(['queued', 'running', 'cancelling']);

interface Sources {
  store: JobStore;
  records: CacheRecords;
}

export class CacheList {
  private readonly described = new Map<string, { signature: string; facts: Facts }>();

  constructor(private readonly sources: Sources) {}

  /** Every listed cache, newest job first, then the hand-added ones by path. */
  async list(): Promise<CacheEntry[]> {
    const jobs = this.jobCaches();
    const records = new Map(this.sources.records.list().map((r) => [r.path, r]));
    const rows: Pick<CacheEntry, 'path' | 'origin' | 'lastJob' | 'jobCount' | 'preseedJobId'>[] = [];
    for (const [path, seen] of jobs) {
      const record = records.get(path);
      if (record && !record.listed && record.changedAt >= seen.createdAt) continue; // removed since its last job
      // A job's cache that is gone is no longer a cache; one added by hand stays, marked missing.
      if (!record?.listed && !(await exists(path))) continue;
      rows.push({ path, origin: record?.listed ? 'both' : 'job', lastJob: seen.ref, jobCount: seen.count, preseedJobId: seen.preseedJobId });
    }
    for (const record of records.values()) {
      if (record.listed && !jobs.has(record.path)) rows.push({ path: record.path, origin: 'added', lastJob: null, jobCount: 0, preseedJobId: null });
    }
    const facts = await mapLimited(rows, DESCRIBE_CONCURRENCY, (row) => this.describe(row.path));
    // A cache being written has no bounds in its metadata yet (the preseed writes them at its end),
    // and those derived from its lowest zoom are the whole world at zoom 0: the job's bbox says
    // where its tiles will be.
    return rows.map((row, i) => {
      const planned = jobs.get(row.path)?.writing ?? null;
      return { ...row, ...facts[i]!, ...(planned !== null && facts[i]!.kind !== null && { bounds: planned }) };
    });
  }

  /** Adds a cache by hand: BAD_INPUT (naming `path`) unless a tile cache is there. */
  async add(path: string): Promise<CacheEntry> {
    const full = resolve(path);
    const facts = await this.describe(full);
    if (facts.kind === null) {
      // The reader's message names the path and says "not a tile cache" itself: said once, not twice.
      const why = (facts.problem ?? 'unknown reason').replace(`${full}: `, '').replace(/^not a tile cache: /, '');
      throw badPath(`${path} is not a tile cache Tessera can read: ${why}`);
    }
    this.sources.records.add(full);
    const entry = (await this.list()).find((c) => c.path === full);
    if (!entry) throw new TesseraError('INTERNAL', `${full} was added but is not listed`);
    return entry;
  }

  /** Takes a cache off the list; nothing on disk is touched. NOT_FOUND when it is not listed. */
  async remove(path: string): Promise<{ path: string }> {
    const full = resolve(path);
    const entry = (await this.list()).find((c) => c.path === full);
    if (!entry) throw notListed(path);
    if (entry.origin === 'added') this.sources.records.forget(full);
    else this.sources.records.hide(full);
    return { path: full };
  }

  /**
   * Deletes a listed cache's file (with SQLite's side files, and a PMTiles archive's working file)
   * or folder, and nothing else: a folder holding anything but zoom/column folders of tiles and
   * metadata.json is refused, as is a cache a queued or running job names.
   */
  async delete(path: string): Promise<{ path: string; freedBytes: number }> {
    const full = resolve(path);
    const entry = (await this.list()).find((c) => c.path === full);
    if (!entry) throw notListed(path);
    if (entry.kind === null) throw badPath(`${path} cannot be read as a tile cache now (${entry.problem ?? 'unknown reason'}); nothing was deleted`);
    const busy = this.busyJob(full);
    if (busy)
      throw new TesseraError('BAD_INPUT', `path: job ${busy} uses ${path}; cancel it or wait for it to end`, {
        details: { issues: [{ field: 'path', message: `in use by job ${busy}` }], jobId: busy },
      });
    const freedBytes = entry.sizeBytes ?? 0;
    try {
      if (entry.kind === 'directory') {
        await assertOnlyTiles(full);
        await rm(full, { recursive: true });
      } else {
        const side = SQLITE_SIDE_FILES.map((s) => `${full}${s}`);
        const work = entry.kind === 'pmtiles' ? [workingFileOf(full), ...SQLITE_SIDE_FILES.map((s) => `${workingFileOf(full)}${s}`)] : [];
        for (const file of [full, ...side, ...work]) await rm(file, { force: true });
      }
    } catch (error) {
      const e = toTesseraError(error);
      if (e.code === 'BAD_INPUT') throw e;
      throw new TesseraError('IO_ERROR', `cannot delete ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
    }
    this.sources.records.forget(full);
    this.described.delete(full);
    return { path: full, freedBytes };
  }

  /** Each cache path jobs named, with its newest job and how many named it. */
  private jobCaches(): Map<string, Seen> {
    const found = new Map<string, Seen>();
    let cursor: string | undefined;
    do {
      const page = this.sources.store.listJobs({ kinds: [...CACHE_KINDS] }, cursor, 500);
      for (const job of page.rows) {
        const cache = cacheOf(job);
        if (!cache) continue;
        const path = resolve(cache.path);
        const preseed = job.kind === 'preseed-raster' || job.kind === 'preseed-vector' ? job.id : null;
        const seen = found.get(path);
        if (seen === undefined) found.set(path, { ref: refOf(job), createdAt: job.createdAt, count: 1, preseedJobId: preseed, writing: plannedBounds(job) });
        else {
          seen.count++;
          if (job.id > seen.ref.id) {
            seen.ref = refOf(job);
            seen.createdAt = job.createdAt;
            seen.writing = plannedBounds(job);
          }
          if (preseed !== null && (seen.preseedJobId === null || preseed > seen.preseedJobId)) seen.preseedJobId = preseed;
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return found;
  }

  /** A job not yet finished that names `path`, read or written; null when none. */
  private busyJob(path: string): number | null {
    const page = this.sources.store.listJobs({ states: ['queued', 'running', 'cancelling'] }, undefined, 1000);
    const job = page.rows.find((j) => pathsOf(j).some((use) => resolve(use.path) === path));
    return job?.id ?? null;
  }

  private async describe(path: string): Promise<Facts> {
    const signature = await signatureOf(path);
    const kept = this.described.get(path);
    if (kept && signature !== null && kept.signature === signature) return kept.facts;
    const facts = await describeCache(path);
    if (signature !== null && facts.kind !== null) this.described.set(path, { signature, facts });
    else this.described.delete(path);
    return facts;
  }
}

/** What the cache at `path` is, read from it; a cache that cannot be read says why in `problem`. */
export async function describeCache(path: string): Promise<Facts> {
  const name = basename(path, extname(path)) || basename(path);
  const empty: Facts = {
    name,
    kind: null,
    format: null,
    minZoom: null,
    maxZoom: null,
    bounds: null,
    tileCount: null,
    zooms: [],
    device: null,
    sizeBytes: null,
    problem: null,
  };
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return { ...empty, problem: 'missing: no file or folder at this path' };
  }
  let reader: Awaited<ReturnType<typeof openTileCache>>;
  try {
    reader = await openTileCache(path);
  } catch (error) {
    return { ...empty, device: String(info.dev), sizeBytes: await sizeOf(path, info.isDirectory()), problem: toTesseraError(error).message };
  }
  try {
    const zooms = (await reader.zoomLevels()).filter((l) => l.count > 0);
    const summary = await summariseCache(reader, '', name);
    return {
      name: summary.name,
      kind: reader.kind,
      format: summary.format,
      minZoom: zooms.length > 0 ? zooms[0]!.z : null,
      maxZoom: zooms.length > 0 ? zooms[zooms.length - 1]!.z : null,
      bounds: summary.bounds,
      tileCount: zooms.reduce((n, l) => n + l.count, 0),
      zooms,
      device: String(info.dev),
      sizeBytes: await sizeOf(path, info.isDirectory()),
      problem: null,
    };
  } catch (error) {
    return { ...empty, kind: reader.kind, device: String(info.dev), sizeBytes: await sizeOf(path, info.isDirectory()), problem: toTesseraError(error).message };
  } finally {
    await reader.close().catch(() => {});
  }
}

async function sizeOf(path: string, directory: boolean): Promise<number> {
  if (directory) return directoryBytes(path);
  let total = await fileBytes(path);
  for (const side of SQLITE_SIDE_FILES) total += await fileBytes(`${path}${side}`);
  return total;
}

/** Size, time and inode of a file and its WAL; null for a folder (always read again) or a missing path. */
async function signatureOf(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (info === null || info.isDirectory()) return null;
  const wal = await stat(`${path}-wal`).catch(() => null);
  return `${info.ino}:${info.size}:${info.mtimeMs}:${wal ? `${wal.size}:${wal.mtimeMs}` : '-'}`;
}

/** Refuses (BAD_INPUT) a folder holding anything a tile folder does not: only this lets delete remove it whole. */
async function assertOnlyTiles(root: string): Promise<void> {
  const list = async (dir: string): Promise<Dirent[]> => readdir(dir, { withFileTypes: true });
  const foreign = (what: string) => badPath(`${root} holds ${what}, which is not part of a tile cache: nothing was deleted`);
  for (const top of await list(root)) {
    if (top.isFile() && top.name === 'metadata.json') continue;
    if (!top.isDirectory() || !NUMBER.test(top.name)) throw foreign(top.name);
    for (const column of await list(join(root, top.name))) {
      if (!column.isDirectory() || !NUMBER.test(column.name)) throw foreign(join(top.name, column.name));
      for (const tile of await list(join(root, top.name, column.name))) {
        // The writer's temporary files (`<y>.<ext>.tmp-…`) are its own, left by a killed job.
        if (!tile.isFile() || !(TILE_FILE.test(tile.name) || /\.tmp-/.test(tile.name))) throw foreign(join(top.name, column.name, tile.name));
      }
    }
  }
}

/** The bbox a preseed still writing its cache was given, clamped to Web Mercator's latitudes; null for any other job. */
function plannedBounds(job: JobSummary): CacheEntry['bounds'] {
  if ((job.kind !== 'preseed-raster' && job.kind !== 'preseed-vector') || !WRITING_STATES.has(job.state)) return null;
  const bbox = job.params.bbox;
  if (!bbox) return null;
  const [w, s, e, n] = bbox;
  return [w, clampLatitude(s), e, clampLatitude(n)];
}

function refOf(job: JobSummary): CacheJobRef {
  return { id: job.id, kind: job.kind, name: job.name, state: job.state, at: job.finishedAt ?? job.createdAt };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

function badPath(message: string): TesseraError {
  return new TesseraError('BAD_INPUT', `path: ${message}`, { details: { issues: [{ field: 'path', message }] } });
}

function notListed(path: string): TesseraError {
  return new TesseraError('NOT_FOUND', `path: ${path} is not in the list of caches`, {
    details: { issues: [{ field: 'path', message: 'not a listed cache' }] },
  });
}

/** `fn` over `items` with at most `limit` at once, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
