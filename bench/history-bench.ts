/**
 * The history at a million jobs (issue 14.6): first-page times of `listJobs` for each state, a
 * kind, a state and a kind, a date range, and text searches with and without matches, against the
 * sqlite3 CLI running the same SELECT on the same file (the peer: SQLite alone, no Node, no row
 * mapping). Target: < 50 ms per first page.
 *
 * cold = the first query after opening the store, with the file dropped from the OS page cache
 * first (`dd iflag=nocache count=0`, no root needed); warm = median of 5 on that open store.
 * The sqlite3 column runs the SELECT listJobs chose (its plan, its id bounds), so it measures
 * SQLite's own cost of that plan, not a better one.
 * The store is made once by a script (prepared inserts in big transactions; the FTS triggers run
 * as they would) and kept in `.data/bench/history-<n>.sqlite` (or BENCH_HISTORY_DIR), so a rerun
 * skips the seeding.
 *
 *   node dist/bench/history-bench.js [--reps N] [--before OTHER_DIST:OTHER_STORE_DIR]
 * `--before` runs each case on another build too (its own store file, at its schema), alternately.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobFilter, JobKind, JobState } from '../shared/contract.js';
import { openDatabase } from '../main/store/database.js';
import { JobStore } from '../main/store/job-store.js';
import { table } from './measure-process.js';
import { optionValue } from './option-value.js';

const JOBS = Number(process.env.BENCH_HISTORY_JOBS ?? 1_000_000);
const WARM_RUNS = 5;
/** Two years of history, one job every ~63 s on average. */
const SPAN_MS = 2 * 365 * 86_400_000;
const START = Date.parse('2023-06-01T00:00:00Z');

const KINDS: [JobKind, number][] = [
  ['verify', 0.3],
  ['preseed-raster', 0.25],
  ['preseed-vector', 0.2],
  ['ingest', 0.2],
  ['migrate-esri', 0.05],
];
/** Finished states mostly; a handful live (queued, running, cancelling) as a real store has. */
const STATES: [JobState, number][] = [
  ['succeeded', 0.8],
  ['failed', 0.08],
  ['partial', 0.04],
  ['cancelled', 0.05],
  ['interrupted', 0.03],
];
const LIVE: JobState[] = [...Array<JobState>(40).fill('queued'), 'running', 'running', 'cancelling'];
const REGIONS = [
  'europe',
  'north-america',
  'south-america',
  'africa',
  'asia',
  'oceania',
  'antarctica',
  'world',
  'alps',
  'sahel',
  'andes',
  'île-de-france',
  'zürich',
  'são-paulo',
  'kraków',
];
const LAYERS = ['roads', 'buildings', 'landuse', 'water', 'boundaries', 'places', 'hillshade', 'srtm', 'bluemarble', 'parcels'];
const ERRORS: [string, string][] = [
  ['DATASET_UNREADABLE', 'gdal could not open {path}: not recognized as a supported file format'],
  ['DISK_FULL', 'the data directory volume is full: {n} bytes free, below the floor'],
  ['QUOTA_EXCEEDED', "the job's quota of {n} bytes would be exceeded by {path}"],
  ['UPSTREAM_UNAVAILABLE', 'arcgis server answered 503 for {path} after 5 attempts (timeout)'],
  ['TILE_INVALID', 'tile z{z}/{x}/{y} is not a valid png: crc mismatch'],
  ['NO_GEOREFERENCE', '{path} has no crs; pass --crs'],
];

/** A deterministic PRNG (mulberry32): the same store every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, weighted: [T, number][]): T {
  let x = r();
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1]![0];
}

/** Writes `jobs` jobs into a fresh store at `file`. */
export function seedHistory(file: string, jobs: number): void {
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  const db = openDatabase(tmp);
  const insert =
    db.prepare(`INSERT INTO jobs (kind, name, state, priority, params, created_at, started_at, finished_at, updated_at, done, total, failed, bytes, planned, error_code, error_message, search_text)
    VALUES (@kind, @name, @state, 0, @params, @created, @started, @finished, @finished, @done, @total, @failed, @bytes, 1, @code, @message, @search)`);
  const r = random(14);
  const batch = 50_000;
  for (let first = 0; first < jobs; first += batch) {
    db.transaction(() => {
      for (let i = first; i < Math.min(jobs, first + batch); i++) {
        const kind = pick(r, KINDS);
        const state = i >= jobs - LIVE.length ? LIVE[i - (jobs - LIVE.length)]! : pick(r, STATES);
        const region = REGIONS[Math.floor(r() * REGIONS.length)]!;
        const layer = LAYERS[Math.floor(r() * LAYERS.length)]!;
        const n = Math.floor(r() * 100_000);
        const path = `/srv/geodata/${region}/${layer}-${n}.${kind === 'preseed-raster' ? 'tif' : kind === 'verify' ? 'mbtiles' : 'gpkg'}`;
        const name = `${kind} ${region} ${layer} #${i}`;
        const params = JSON.stringify(
          kind === 'migrate-esri'
            ? { url: `https://gis.example.org/arcgis/rest/services/${region}/${layer}/MapServer`, out: path }
            : { source: path, cache: `/srv/caches/${region}-${layer}.mbtiles`, minZoom: 0, maxZoom: 6 + (n % 9) },
        );
        const created = new Date(START + Math.floor((i / jobs) * SPAN_MS + r() * 30_000)).toISOString();
        const live = state === 'queued' || state === 'running' || state === 'cancelling';
        const finished = live ? null : new Date(Date.parse(created) + 1000 + Math.floor(r() * 600_000)).toISOString();
        const error = state === 'failed' || state === 'partial' || state === 'interrupted' ? ERRORS[Math.floor(r() * ERRORS.length)]! : null;
        const message =
          error?.[1]
            .replace('{path}', path)
            .replace('{n}', String(n * 1000))
            .replace('{z}', String(n % 15))
            .replace('{x}', String(n % 977))
            .replace('{y}', String(n % 541)) ?? null;
        const total = 1000 + n;
        insert.run({
          kind,
          name,
          state,
          params,
          created,
          started: state === 'queued' ? null : created,
          finished: finished ?? created,
          done: live ? Math.floor(total / 2) : total,
          total,
          failed: error ? n % 100 : 0,
          bytes: total * 12_000,
          code: error?.[0] ?? null,
          message,
          search: `${name} ${params}${message ? ` ${message}` : ''}${error ? ` ${error[0]} ${message}` : ''}`.toLowerCase(),
        });
      }
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  renameSync(tmp, file);
}

interface Case {
  name: string;
  filter: JobFilter;
}

const CASES: Case[] = [
  ...(['queued', 'running', 'cancelling', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted'] as const).map((s) => ({
    name: `state=${s}`,
    filter: { states: [s] },
  })),
  { name: 'state=failed,partial,interrupted', filter: { states: ['failed', 'partial', 'interrupted'] } },
  { name: 'kind=migrate-esri', filter: { kinds: ['migrate-esri'] } },
  { name: 'state=failed kind=migrate-esri', filter: { states: ['failed'], kinds: ['migrate-esri'] } },
  { name: 'created in March 2024', filter: { createdFrom: '2024-03-01T00:00:00Z', createdTo: '2024-03-31T23:59:59Z' } },
  { name: 'created since 2025-01-01', filter: { createdFrom: '2025-01-01T00:00:00Z' } },
  { name: 'state=failed created in March 2024', filter: { states: ['failed'], createdFrom: '2024-03-01T00:00:00Z', createdTo: '2024-03-31T23:59:59Z' } },
  { name: 'text "zürich hillshade" (matches)', filter: { text: 'zürich hillshade' } },
  { name: 'text "crc mismatch" (matches)', filter: { text: 'crc mismatch' } },
  { name: 'text "no-such-dataset" (none)', filter: { text: 'no-such-dataset' } },
  // 1–2 characters: the start of the name (migration 9); before it, a LIKE walk of every job.
  { name: 'text "zz" (2 chars, none)', filter: { text: 'zz' } },
  { name: 'text "in" (2 chars, matches)', filter: { text: 'in' } },
  { name: 'text "m" (1 char, matches)', filter: { text: 'm' } },
  { name: 'state=failed text "mi"', filter: { states: ['failed'], text: 'mi' } },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Drops `file` (and its WAL) from the OS page cache, so the next read comes from the disk. */
function dropFromPageCache(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
}

/** Inlines named parameters as SQL literals, for the sqlite3 CLI. */
function inline(sql: string, args: Record<string, unknown>): string {
  return sql.replace(/@(\w+)/g, (_, name: string) => {
    const v = args[name];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}

/** The sqlite3 CLI's own time (`.timer on`) for `sql` in a fresh process; rows go to /dev/null. */
function sqliteCliMs(file: string, sql: string): number {
  const script = `.output /dev/null\n.timer on\n${sql};\n`;
  const out = execFileSync('sqlite3', ['-readonly', file], { input: script, encoding: 'utf8' });
  const m = /Run Time: real ([\d.]+)/.exec(out);
  if (!m) throw new Error(`sqlite3 printed no time: ${out.slice(0, 200)}`);
  return Number(m[1]) * 1000;
}

interface StoreBuild {
  openDatabase: typeof openDatabase;
  JobStore: typeof JobStore;
}

interface Timed {
  driver: string;
  rows: number;
  cold: number;
  warm: number;
  sql: string;
}

/** One first page of `filter` on `file` through `build`'s store: cold (page cache dropped), then warm. */
function timePage(build: StoreBuild, file: string, filter: JobFilter): Timed {
  dropFromPageCache(file);
  const db = build.openDatabase(file, { readonly: true });
  try {
    const store = new build.JobStore(db);
    const t1 = performance.now();
    const first = store.listJobs(filter, undefined, 100);
    const cold = performance.now() - t1;
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t = performance.now();
      store.listJobs(filter, undefined, 100);
      warm.push(performance.now() - t);
    }
    const query = store.pageQuery(filter, undefined, 100);
    return { driver: query.driver, rows: first.rows.length, cold, warm: median(warm), sql: inline(query.sql, query.args) };
  } finally {
    db.close();
  }
}

/** The store file of `jobs` jobs in `dir`, seeded (and migrated by `build`) on first use. */
function historyFile(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `history-${JOBS}.sqlite`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    seedHistory(file, JOBS);
    console.log(`seeded ${JOBS.toLocaleString()} jobs in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
  }
  return file;
}

/**
 * `before`: another build (its dist/ folder) and the store it reads (its own schema, in `dir`):
 * each case then runs on both, alternately, `reps` times, with the sqlite3 CLI on this build's SELECT.
 */
export async function runHistoryBench(options: { reps?: number; before?: { dist: string; dir: string } } = {}): Promise<void> {
  const file = historyFile(process.env.BENCH_HISTORY_DIR ?? join(process.cwd(), '.data', 'bench'));
  const reps = options.reps ?? (options.before ? 3 : 1);
  const after: StoreBuild = { openDatabase, JobStore };
  let before: StoreBuild | null = null;
  if (options.before) {
    const { dist } = options.before;
    before = {
      openDatabase: (await import(join(dist, 'main/store/database.js'))).openDatabase,
      JobStore: (await import(join(dist, 'main/store/job-store.js'))).JobStore,
    };
  }
  const beforeFile = options.before ? join(options.before.dir, `history-${JOBS}.sqlite`) : '';
  let sqliteVersion = '';
  try {
    sqliteVersion = execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0]!;
  } catch {
    console.log('sqlite3 is not on the PATH: no peer column');
  }
  const rows: (string | number)[][] = [];
  for (const c of CASES) {
    const mine: Timed[] = [];
    const theirs: Timed[] = [];
    const peerCold: number[] = [];
    const peerWarm: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      if (before) theirs.push(timePage(before, beforeFile, c.filter));
      mine.push(timePage(after, file, c.filter));
      if (sqliteVersion) {
        dropFromPageCache(file);
        peerCold.push(sqliteCliMs(file, mine[0]!.sql));
        peerWarm.push(median(Array.from({ length: WARM_RUNS }, () => sqliteCliMs(file, mine[0]!.sql))));
      }
    }
    const ms = (values: number[]) => (values.length ? median(values).toFixed(1) : '');
    const cold = median(mine.map((t) => t.cold));
    const warm = median(mine.map((t) => t.warm));
    rows.push([
      c.name,
      ...(before ? [theirs[0]!.driver, ms(theirs.map((t) => t.cold)), ms(theirs.map((t) => t.warm))] : []),
      mine[0]!.driver,
      mine[0]!.rows,
      cold.toFixed(1),
      warm.toFixed(1),
      ms(peerCold),
      ms(peerWarm),
      Math.max(cold, warm) < 50 ? 'yes' : 'NO',
    ]);
  }
  table(
    `History first pages (100 rows) over ${JOBS.toLocaleString()} jobs: Tessera listJobs${before ? ` before (${options.before!.dist}) and after (this build)` : ''} against the sqlite3 CLI ${sqliteVersion} running this build's SELECT (ms, medians of ${reps}; cold = page cache dropped, warm = median of ${WARM_RUNS})`,
    ['filter', ...(before ? ['before: index', 'cold', 'warm'] : []), 'index', 'rows', 'cold', 'warm', 'sqlite3 cold', 'sqlite3 warm', '< 50 ms'],
    rows,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name: string) => optionValue(args, name);
  const before = value('--before');
  const [dist, dir] = before ? (before.split(':') as [string, string]) : [];
  await runHistoryBench({ reps: value('--reps') ? Number(value('--reps')) : undefined, before: dist && dir ? { dist: resolve(dist), dir } : undefined });
}
