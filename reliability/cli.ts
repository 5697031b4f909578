/**
 * The `tessera` CLI as a child process (the built dist/main/cli/bin.js), and the checks every
 * family applies to what it leaves: the job store lists the job and it succeeded, SQLite's
 * integrity_check on the store and the cache, `tessera verify` on the cache, and the tile count.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Catalog } from '../main/catalog/catalog.js';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { openDatabase } from '../main/store/database.js';
import { JobStore } from '../main/store/job-store.js';
import type { CatalogDataset, JobItem, JobSummary } from '../shared/contract.js';
import { type ChildRun, expect, spawnChild } from './harness.js';

/** The built CLI next to this file in dist/. */
export const CLI = fileURLToPath(new URL('../main/cli/bin.js', import.meta.url));
/** The repository root (dist/reliability/ → ../../). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `tessera ARGS…` as a child; logs go to stderr at warn level. */
export function tessera(args: string[], signal?: AbortSignal, cwd = REPO): ChildRun {
  return spawnChild(process.execPath, [CLI, ...args], { cwd, signal, env: { ...process.env, TESSERA_LOG_LEVEL: '' } });
}

/** Runs `tessera ARGS… --json` to its end; the parsed stdout, the exit code and stderr. */
export async function tesseraJson<T>(args: string[], signal?: AbortSignal): Promise<{ code: number | null; doc: T | null; stderr: string; stdout: string }> {
  const run = tessera([...args, '--json'], signal);
  const r = await run.exited;
  let doc: T | null = null;
  try {
    doc = JSON.parse(r.stdout) as T;
  } catch {
    doc = null;
  }
  return { code: r.code, doc, stderr: r.stderr, stdout: r.stdout };
}

export interface ShownJob {
  job: JobSummary;
  items: JobItem[];
}

/**
 * A job and its items, read from the store in this process (read-only: a job a killed process
 * left running still says running; `jobs resume` is what marks it interrupted and runs the rest).
 */
export function showJob(dataDir: string, id: number): ShownJob {
  return withStore(dataDir, (store) => ({ job: store.getJob(id), items: store.listItems(id, { limit: 1000 }).rows }));
}

/** Every job id the store lists. */
export function listedJobIds(dataDir: string): number[] {
  return withStore(dataDir, (store) => store.listJobs({}, undefined, 1000).rows.map((j) => j.id));
}

/** The catalogue's datasets, read from the store in this process. */
export function catalogDatasets(dataDir: string): CatalogDataset[] {
  const file = join(dataDir, 'jobs.sqlite');
  expect(existsSync(file), `no job store in ${dataDir}`);
  const db = openDatabase(file, { readonly: true });
  try {
    return new Catalog(db, dataDir).list({ limit: 1000 }).rows;
  } finally {
    db.close();
  }
}

function withStore<T>(dataDir: string, read: (store: JobStore) => T): T {
  const file = join(dataDir, 'jobs.sqlite');
  expect(existsSync(file), `no job store in ${dataDir}: every job it acknowledged is lost`);
  const db = openDatabase(file, { readonly: true });
  try {
    return read(new JobStore(db));
  } finally {
    db.close();
  }
}

/** `tessera jobs resume ID` to its end; its exit code and final job. */
export async function resumeJob(dataDir: string, id: number, signal?: AbortSignal): Promise<{ code: number | null; job: JobSummary | null; stderr: string }> {
  const r = await tesseraJson<{ job: JobSummary; error?: { code: string; message: string } }>(['jobs', 'resume', String(id), '--data-dir', dataDir], signal);
  return { code: r.code, job: r.doc?.job ?? null, stderr: r.stderr };
}

/** SQLite's own integrity check; 'ok' or what it found. */
export function integrity(file: string): string {
  expect(existsSync(file), `${file} does not exist`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export function expectIntegrity(file: string, what: string): void {
  const verdict = integrity(file);
  expect(verdict === 'ok', `integrity_check on ${what} (${file}): ${verdict.slice(0, 300)}`);
}

/** Tiles in an MBTiles (rows of `tiles`, a table or GDAL's view). */
export function tileCount(mbtiles: string): number {
  const db = new Database(mbtiles, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM tiles').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Verifies caches with the engine's own verify job (what `tessera verify` runs), through one
 * engine on a data directory of its own (so it adds no job to the one under test) opened once per
 * family: a `tessera verify` process per case cost a Node start-up and an engine open each.
 */
export class Verifier {
  private engine: Promise<Engine> | null = null;

  constructor(private readonly dataDir: string) {}

  async expectVerifies(cache: string): Promise<void> {
    this.engine ??= Engine.open({ dataDir: this.dataDir, host: 'headless', holder: 'reliability verify', logger: createLogger('silent'), threads: 1 });
    const engine = await this.engine;
    const end = await engine.waitFor((await engine.start({ kind: 'verify', params: { cache } })).id);
    const items = engine.store.listItems(end.id, { limit: 1000 }).rows;
    expect(end.state === 'succeeded', `verify of ${cache} did not pass: ${describeJob({ job: end, items })}`);
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    if (engine) await (await engine).close();
  }
}

export function lastLines(text: string, n = 3): string {
  // The progress bar redraws with \r: keep what a terminal would show last.
  const lines = text
    .split('\n')
    .map((l) => l.split('\r').pop()!.trim())
    .filter(Boolean);
  return lines.slice(-n).join(' | ').slice(0, 600);
}

/** A job's summary plus its items, in one line for failure messages. */
export function describeJob(shown: ShownJob): string {
  const j = shown.job;
  const items = shown.items.map((i) => `${i.label}=${i.state}${i.error ? `(${i.error.code})` : ''}`).join(',');
  return `job ${j.id} ${j.state}${j.error ? ` [${j.error.code}: ${j.error.message.slice(0, 160)}]` : ''}, progress ${j.progress.done}/${j.progress.total}, items ${items}`;
}
