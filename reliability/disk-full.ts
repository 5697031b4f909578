/**
 * Family 2, disk full: a raster preseed (Blue Marble z0–4) whose volume fills while it runs, once
 * for the output's volume and once for the data directory's (a small tmpfs each, filled by a
 * filler file once the job is under way). The job must either wait (below the free-space floor)
 * or end failed/partial with DISK_FULL, and never end succeeded with tiles missing; once the
 * filler is deleted, the job (still waiting, or resumed with `tessera jobs resume`) must end
 * succeeded with every tile, an intact store and cache, and `tessera verify` passing.
 *
 * Needs root for `mount -t tmpfs`; where mounting is refused, the cases are skipped and say why.
 */
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mountSmallVolume } from '../main/ingest/testing/small-volume.js';
import { openDatabase } from '../main/store/database.js';
import { JobStore } from '../main/store/job-store.js';
import type { Settings } from '../shared/contract.js';
import { describeJob, expectIntegrity, lastLines, resumeJob, type ShownJob, showJob, tessera, tileCount, Verifier } from './cli.js';
import { JOBS } from './fixtures.js';
import { type FamilyContext, type Family, expect, onCleanup, sleep } from './harness.js';

const MiB = 1024 * 1024;
/** How long the volume stays full before the filler is deleted. */
const WHILE_FULL_MS = 5000;

interface Scenario {
  name: string;
  /** Which folder sits on the small volume. */
  full: 'output' | 'data' | 'both';
  volumeMiB: number;
  /** The free-space floor for the run (the reproduction used 0 for the data directory). */
  floorBytes: number;
  /** Free bytes the filler leaves on the volume. */
  leaveBytes: number;
  /** When the filler fills the volume, after the job is accepted. */
  fillAfterMs: number;
}

export const SCENARIOS: Scenario[] = [
  // 21 MiB of tiles: admitted on 48 MiB with a 4 MiB floor, then the filler leaves 1 MiB (below the floor).
  {
    name: 'output volume fills during a raster preseed (floor 4 MiB)',
    full: 'output',
    volumeMiB: 48,
    floorBytes: 4 * MiB,
    leaveBytes: 1 * MiB,
    fillAfterMs: 1500,
  },
  // Issue 12 item 1: the data directory's volume fills (SQLITE_FULL in the job store), floor 0.
  { name: 'data-directory volume fills early in a raster preseed (floor 0)', full: 'data', volumeMiB: 24, floorBytes: 0, leaveBytes: 0, fillAfterMs: 1500 },
  // Nearly full rather than full: the job's own writes take the last 40 KiB, later in the run.
  {
    name: 'data-directory volume nearly full late in a raster preseed (floor 0)',
    full: 'data',
    volumeMiB: 24,
    floorBytes: 0,
    leaveBytes: 40 * 1024,
    fillAfterMs: 2500,
  },
  // The issue's own reproduction: the data directory and its cache on one volume that the tiles fill.
  {
    name: 'data directory and output on one volume that the tiles fill (floor 0)',
    full: 'both',
    volumeMiB: 48,
    floorBytes: 0,
    leaveBytes: 6 * MiB,
    fillAfterMs: 1000,
  },
];

export const diskFullFamily: Family = async (ctx) => {
  // The reference: the same preseed, uninterrupted, on an ordinary disk.
  let reference = 0;
  const refOk = await ctx.check('reference raster run (uninterrupted)', 120_000, async (signal) => {
    const dir = join(ctx.scratch, 'reference');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'raster.mbtiles');
    const r = await tessera([...JOBS.raster(out), '--data-dir', join(dir, 'data')], signal).exited;
    expect(r.code === 0, `the reference run failed (exit ${r.code}): ${lastLines(r.stderr)}`);
    reference = tileCount(out);
  });
  const verifier = new Verifier(join(ctx.scratch, 'verify-data'));
  try {
    for (const scenario of SCENARIOS) await runOne(ctx, scenario, refOk, reference, verifier);
  } finally {
    await verifier.close();
  }
};

/** One scenario on a small volume of its own (skipped, saying why, where mounting is refused). */
async function runOne(ctx: FamilyContext, scenario: Scenario, refOk: boolean, reference: number, verifier: Verifier): Promise<void> {
  if (!refOk) {
    ctx.skip(scenario.name, 'the reference run failed');
    return;
  }
  const volumeDir = join(ctx.scratch, `volume-${scenario.full}-${scenario.fillAfterMs}`);
  const volume = mountSmallVolume(volumeDir, scenario.volumeMiB);
  if ('refused' in volume) {
    ctx.skip(scenario.name, `cannot mount a small volume here (needs root): ${volume.refused}`);
    return;
  }
  const unmount = onCleanup(() => volume.unmount());
  try {
    await ctx.check(scenario.name, 240_000, (signal) => runScenario(ctx, scenario, volume.dir, reference, verifier, signal));
  } finally {
    unmount();
  }
}

async function runScenario(ctx: FamilyContext, s: Scenario, volume: string, reference: number, verifier: Verifier, signal: AbortSignal): Promise<void> {
  const dir = join(ctx.scratch, `case-${s.full}-${s.fillAfterMs}`);
  mkdirSync(dir, { recursive: true });
  const dataDir = s.full !== 'output' ? join(volume, 'data') : join(dir, 'data');
  const output = s.full !== 'data' ? join(volume, 'raster.mbtiles') : join(dir, 'raster.mbtiles');
  mkdirSync(dataDir, { recursive: true });
  setSettings(dataDir, { freeSpaceFloorBytes: s.floorBytes });

  const run = tessera([...JOBS.raster(output), '--data-dir', dataDir], signal);
  const id = Number((await run.waitFor(/job (\d+): /, signal))[1]);
  // Let it write some tiles first, so the volume fills in the middle of the job.
  await Promise.race([sleep(s.fillAfterMs, signal), run.exited]);
  const filler = join(volume, 'filler.bin');
  const filled = fill(filler, s.leaveBytes);
  ctx.log(`${s.full} volume: filler of ${(filled / MiB).toFixed(1)} MiB written, ${(freeBytes(volume) / MiB).toFixed(2)} MiB left`);

  const problems: string[] = [];
  // While the volume is full: the run may wait (and not exit) or end; note how it ends. 5 s is
  // more than two of the engine's 2 s free-space polls; an end after that is judged all the same.
  const whileFull = await Promise.race([run.exited.then((r) => r), sleep(WHILE_FULL_MS, signal).then(() => null)]);
  let during: ShownJob | null = null;
  if (whileFull) {
    during = showJob(dataDir, id);
    ctx.log(`while full: exit ${whileFull.code}, ${describeJob(during)}`);
    if (during.job.state === 'running' || during.job.state === 'queued') {
      problems.push(
        `the CLI exited ${whileFull.code} while its job store still says ${describeJob(during)}: the end was never recorded (${lastLines(whileFull.stderr, 2)})`,
      );
    } else checkEndWhileFull(during, reference, output, problems);
  } else {
    ctx.log('while full: the job is still running (waiting for space); freeing space');
  }

  rmSync(filler, { force: true });
  if (!whileFull) {
    const r = await run.exited;
    const after = showJob(dataDir, id);
    ctx.log(`after freeing space: exit ${r.code}, ${describeJob(after)}`);
    if (after.job.state !== 'succeeded') checkEndWhileFull(after, reference, output, problems);
  }
  let final = showJob(dataDir, id);
  if (final.job.state !== 'succeeded') {
    const resumed = await resumeJob(dataDir, id, signal);
    final = showJob(dataDir, id);
    ctx.log(`after jobs resume: exit ${resumed.code}, ${describeJob(final)}, ${tileCount(output)} of ${reference} tiles`);
    if (resumed.code !== 0) problems.push(`jobs resume exited ${resumed.code}: ${lastLines(resumed.stderr)}`);
  }
  if (final.job.state !== 'succeeded') problems.push(`after freeing space and resuming, ${describeJob(final)}`);
  const stuck = final.items.filter((i) => i.state === 'running');
  if (stuck.length) problems.push(`items left running by a finished job: ${stuck.map((i) => i.label).join(', ')}`);
  expectOk(() => expectIntegrity(join(dataDir, 'jobs.sqlite'), 'the job store'), problems);
  expectOk(() => expectIntegrity(output, 'the MBTiles output'), problems);
  const tiles = tileCount(output);
  if (tiles !== reference) problems.push(`the cache holds ${tiles} of the ${reference} tiles an uninterrupted run makes (final: ${describeJob(final)})`);
  try {
    await verifier.expectVerifies(output);
  } catch (error) {
    problems.push((error as Error).message);
  }
  expect(problems.length === 0, problems.join('; '));
}

/** A job that ended while its volume was full: failed/partial naming DISK_FULL, or succeeded only with every tile. */
function checkEndWhileFull(shown: ShownJob, reference: number, output: string, problems: string[]): void {
  const { job, items } = shown;
  if (job.state === 'succeeded') {
    const tiles = tileCount(output);
    if (tiles !== reference) problems.push(`FALSE SUCCESS: the job ended succeeded with ${tiles} of ${reference} tiles`);
    return;
  }
  if (job.state === 'failed' || job.state === 'partial') {
    const codes = [job.error?.code, ...items.map((i) => i.error?.code)].filter(Boolean);
    if (!codes.includes('DISK_FULL'))
      problems.push(`the job ended ${job.state} without DISK_FULL (codes: ${codes.join(', ') || 'none'}; ${describeJob(shown)})`);
    const running = items.filter((i) => i.state === 'running');
    if (running.length) problems.push(`the job ended ${job.state} but left item(s) running: ${running.map((i) => i.label).join(', ')}`);
    return;
  }
  problems.push(`the run ended with the job ${job.state}: neither waiting, nor failed/partial with DISK_FULL (${describeJob(shown)})`);
}

function expectOk(check: () => void, problems: string[]): void {
  try {
    check();
  } catch (error) {
    problems.push((error as Error).message);
  }
}

/** Writes the settings into the store before any engine opens it (the CLI has no settings command). */
function setSettings(dataDir: string, patch: Partial<Settings>): void {
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  try {
    const store = new JobStore(db);
    store.setSetting('settings', { ...(store.getSetting<Partial<Settings>>('settings') ?? {}), ...patch });
  } finally {
    db.close();
  }
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Fills the volume of `file` until `leave` bytes are free (or ENOSPC); returns the bytes written. */
function fill(file: string, leave: number): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const chunk of [MiB, 64 * 1024, 4096]) {
      const buffer = Buffer.alloc(chunk, 0x5a);
      for (;;) {
        const free = freeBytes(file.slice(0, file.lastIndexOf('/')));
        if (free - chunk < leave) break;
        try {
          written += writeSync(fd, buffer);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
