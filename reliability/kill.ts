/**
 * Family 1, seeded kill -9: the CLI runs a raster preseed, a vector preseed (both z0–3) or an
 * ingest against a fresh data directory and is SIGKILLed at a moment drawn from the seeded PRNG,
 * then `tessera jobs resume` runs the job to its end. Each case checks: the job is not lost (the
 * store lists it and it ends succeeded, every item too), integrity_check passes on jobs.sqlite and
 * on the output, the engine's verify job passes on the cache, and the output holds exactly what an
 * uninterrupted reference run made (tiles for preseeds; one dataset with the same feature count for
 * the ingest, its analysis finished: a kill after the commit leaves the analysis to the next
 * engine, so then `catalog show` must not say "being checked" and the next open must finish it).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDataset } from '../main/cli/catalog-command.js';
import { liveOwner } from '../main/engine/data-dir.js';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { catalogDatasets, describeJob, expectIntegrity, lastLines, listedJobIds, resumeJob, showJob, tessera, tileCount, Verifier } from './cli.js';
import { countriesGeoJson, JOBS } from './fixtures.js';
import { type Family, type FamilyContext, type SuiteOptions, expect, prng, sleep } from './harness.js';

type Kind = 'raster' | 'vector' | 'ingest';
const KINDS: Kind[] = ['raster', 'vector', 'ingest'];

interface Reference {
  /** Tiles in the output (preseeds) or features in the dataset (ingest). */
  count: number;
  /** Seconds from the job being accepted ("job N:" on stderr) to the process's exit. */
  jobSeconds: number;
}

/** Per run of a job: 60 s is about 8× the slowest uninterrupted run on a 2-core machine. */
const STEP_LIMIT_MS = 60_000;
/**
 * Cases run two at a time, each in its own folder and data directory: much of a case is a Node
 * start-up and single-threaded checks, so a second lane uses the core the first leaves idle.
 */
const LANES = 2;

export const killFamily: Family = async (ctx, options) => {
  const geojson = countriesGeoJson(join(ctx.scratch, 'inputs'));
  const argsFor = (kind: Kind, dir: string) =>
    kind === 'ingest'
      ? JOBS.ingest(geojson)
      : kind === 'raster'
        ? JOBS.rasterSmall(join(dir, 'raster.mbtiles'))
        : JOBS.vectorSmall(join(dir, 'vector.mbtiles'));

  // Uninterrupted reference runs, once, one at a time (a lane of its own gives the timing of the job
  // alone): the count every resumed run must reach, and the span the kill moments are drawn over.
  const refs = new Map<Kind, Reference>();
  for (const kind of KINDS) {
    await ctx.check(`reference ${kind} run (uninterrupted)`, 120_000, async (signal) => {
      const dir = join(ctx.scratch, `reference-${kind}`);
      mkdirSync(dir, { recursive: true });
      const run = tessera([...argsFor(kind, dir), '--data-dir', join(dir, 'data')], signal);
      await run.waitFor(/job (\d+): /, signal);
      const t0 = performance.now();
      const r = await run.exited;
      const jobSeconds = (performance.now() - t0) / 1000;
      expect(r.code === 0, `the reference ${kind} run failed (exit ${r.code}): ${lastLines(r.stderr)}`);
      const count = kind === 'ingest' ? datasets(join(dir, 'data')).features : tileCount(join(dir, `${kind}.mbtiles`));
      expect(count > 0, `the reference ${kind} run made nothing`);
      refs.set(kind, { count, jobSeconds });
      ctx.log(`reference ${kind}: ${count} ${kind === 'ingest' ? 'features' : 'tiles'}, job ran ${jobSeconds.toFixed(1)} s`);
    });
  }

  const verifier = new Verifier(join(ctx.scratch, 'verify-data'));
  try {
    await killCases(ctx, options, refs, argsFor, verifier);
  } finally {
    await verifier.close();
  }
};

async function killCases(
  ctx: FamilyContext,
  options: SuiteOptions,
  refs: Map<Kind, Reference>,
  argsFor: (kind: Kind, dir: string) => string[],
  verifier: Verifier,
): Promise<void> {
  const random = prng(ctx.seed);
  ctx.log(`${options.kills} kill(s), seed ${options.seed} (replay: npm run test:reliability -- --only kill --kills ${options.kills} --seed ${options.seed})`);
  let finishedBeforeKill = 0;
  // Every moment drawn first, in case order, so case n always gets the same moment for a seed
  // (whichever lane runs it, and whether or not it runs).
  const cases = Array.from({ length: options.kills }, (_, n) => ({ n, kind: KINDS[n % KINDS.length]!, fraction: random() }));
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < cases.length; i = next++) await killCase(cases[i]!);
  };
  const killCase = async ({ n, kind, fraction }: { n: number; kind: Kind; fraction: number }) => {
    const ref = refs.get(kind);
    if (!ref) {
      ctx.skip(`kill #${n + 1} ${kind}`, 'its reference run failed');
      return;
    }
    // Over the job's whole span: from acceptance to the reference run's end (two lanes make each
    // job a little slower than its reference; its last part is then covered by the resume).
    const delayMs = Math.round(fraction * ref.jobSeconds * 1000);
    const name = `kill #${n + 1} ${kind} at +${delayMs} ms (seed ${options.seed})`;
    await ctx.check(name, 4 * STEP_LIMIT_MS, async (signal) => {
      const dir = join(ctx.scratch, `kill-${n + 1}-${kind}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dir, { recursive: true });
      const output = join(dir, `${kind}.mbtiles`);

      const run = tessera([...argsFor(kind, dir), '--data-dir', dataDir], signal);
      const accepted = await run.waitFor(/job (\d+): /, signal);
      const id = Number(accepted[1]);
      await Promise.race([sleep(delayMs, signal), run.exited]);
      run.child.kill('SIGKILL');
      const first = await run.exited;
      const killed = first.signal === 'SIGKILL';
      if (!killed) finishedBeforeKill++;

      // No job lost: the store still lists it (a job it acknowledged on stderr).
      const ids = listedJobIds(dataDir);
      expect(ids.includes(id), `job ${id} is lost: jobs list shows [${ids.join(', ')}]`);
      let shown = showJob(dataDir, id);
      if (shown.job.state !== 'succeeded') {
        expect(killed, `the uninterrupted run ended ${describeJob(shown)}`);
        const resumed = await resumeJob(dataDir, id, signal);
        expect(resumed.code === 0, `jobs resume ${id} exited ${resumed.code} (${resumed.job?.state ?? '?'}): ${lastLines(resumed.stderr)}`);
        shown = showJob(dataDir, id);
      }
      expect(shown.job.state === 'succeeded', `after resume: ${describeJob(shown)}`);
      const notDone = shown.items.filter((i) => i.state !== 'succeeded');
      expect(notDone.length === 0, `the job succeeded with items not succeeded: ${describeJob(shown)}`);
      expectIntegrity(join(dataDir, 'jobs.sqlite'), 'the job store');

      if (kind === 'ingest') {
        const got = datasets(dataDir);
        expect(got.count === 1, `the catalogue holds ${got.count} datasets after the kill and resume, not 1`);
        expectIntegrity(got.path, 'the imported GeoPackage');
        expect(got.features === ref.count, `the dataset has ${got.features} features; the uninterrupted run imported ${ref.count}`);
        // Item 8: a kill during the analysis after the commit must not leave it "being checked"
        // forever. The analysis runs after the commit, outside the job: a kill there leaves it
        // undone (analysisPending) until an engine next opens the data directory. So: while no
        // engine holds it, `catalog show` must not claim it is being checked, and the next engine
        // to open it must finish the analysis.
        if (got.pending) {
          expect(liveOwner(dataDir) === null, `a killed engine still holds ${dataDir}`);
          const shown = formatDataset(catalogDatasets(dataDir)[0]!, false);
          expect(
            !/being checked/.test(shown),
            `catalog show says "being checked" while no engine runs: ${shown
              .split('\n')
              .find((l) => /checked/.test(l))
              ?.trim()}`,
          );
          await finishAnalyses(dataDir);
          const after = datasets(dataDir);
          expect(!after.pending, 'the next engine to open the data directory did not finish the analysis the kill cut short');
          expect(after.features === ref.count, `after the analysis the dataset has ${after.features} features, not ${ref.count}`);
        }
      } else {
        expectIntegrity(output, 'the MBTiles output');
        await verifier.expectVerifies(output);
        const tiles = tileCount(output);
        expect(tiles === ref.count, `the cache holds ${tiles} tiles; the uninterrupted run made ${ref.count} (${describeJob(shown)})`);
      }
    });
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  if (finishedBeforeKill) ctx.note(`${finishedBeforeKill} of ${options.kills} run(s) finished before their kill moment (checked all the same)`);
}

/** Opens an engine on `dataDir` (as the next `tessera` command or `serve` would) and waits for the analyses it resumes. */
async function finishAnalyses(dataDir: string): Promise<void> {
  const engine = await Engine.open({ dataDir, host: 'headless', holder: 'reliability (next open)', logger: createLogger('silent'), threads: 1 });
  try {
    await engine.catalog.analysesDone();
  } finally {
    await engine.close();
  }
}

/** The catalogue's datasets: how many, the first one's file, its features, whether its analysis is pending. */
function datasets(dataDir: string): { count: number; path: string; features: number; pending: boolean } {
  const rows = catalogDatasets(dataDir);
  const first = rows[0];
  return {
    count: rows.length,
    path: first?.path ?? '',
    features: first ? first.layers.reduce((n, l) => n + l.featureCount, 0) : 0,
    pending: rows.some((d) => d.analysisPending),
  };
}
