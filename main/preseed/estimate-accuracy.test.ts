/**
 * The dry run holds (issue 15.2): on Natural Earth states z0–7 (vector) and Blue Marble z0–6
 * (raster) the tiles and bytes the job makes fall in the estimate's likely range, and it gives a
 * time. Whether that time is within 2× of the job's is measured by bench/estimate-accuracy-bench.ts:
 * a unit test sharing two cores with other test files would time the neighbours, not the estimate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobEstimate, JobStartInput } from '../../shared/contract.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { blueMarbleTif, worldMapGpkg } from '../testing/real-data.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-estimate-accuracy-'));
let engine: Engine;

before(async () => {
  engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', threads: 2, logger: createLogger('silent') });
  await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
});

after(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

/** Estimates `input`, runs it, and returns both with the job's own wall time. */
async function estimateThenRun(input: JobStartInput): Promise<{ estimate: JobEstimate; seconds: number; made: number; skipped: number; bytes: number }> {
  const estimate = await engine.estimate(input);
  const started = performance.now();
  const job = await engine.start(input);
  const done = await engine.waitFor(job.id);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  return { estimate, seconds, made: done.progress.done, skipped: done.progress.skipped, bytes: done.progress.bytes };
}

function report(t: { diagnostic(message: string): void }, name: string, r: Awaited<ReturnType<typeof estimateThenRun>>): void {
  const e = r.estimate;
  t.diagnostic(
    `${name}: estimated ${e.estimatedSeconds?.toFixed(1)} s (${e.range?.seconds.map((s) => s.toFixed(1)).join('–')}), measured ${r.seconds.toFixed(1)} s; ` +
      `tiles ${e.totalTiles} planned, likely ${e.range?.tiles.join('–')}, made ${r.made} (skipped ${r.skipped}); ` +
      `bytes ${e.estimatedBytes} (${e.range?.bytes.join('–')}), written ${r.bytes}; sample ${JSON.stringify(e.sample)}`,
  );
}

/** A time, and a likely range around it (the bench measures how close it comes). */
function givesTime(estimate: JobEstimate): void {
  const seconds = estimate.estimatedSeconds;
  assert.ok(seconds !== null && seconds > 0, 'an estimated time');
  const [low, high] = estimate.range!.seconds;
  assert.ok(low > 0 && low <= seconds && seconds <= high, `${low}–${high} around ${seconds}`);
}

test('vector: Natural Earth states z0–7, tiles and bytes within the likely range, the count an upper bound', async (t) => {
  const r = await estimateThenRun({
    kind: 'preseed-vector',
    params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 7, output: join(root, 'states.mbtiles') },
  });
  report(t, 'states z0–7', r);
  givesTime(r.estimate);
  assert.equal(r.estimate.tilesUpperBound, true, 'empty tiles are skipped: the count is an upper bound');
  assert.equal(r.made + r.skipped, r.estimate.totalTiles, 'the job planned what the dry run counted');
  const [low, high] = r.estimate.range!.tiles;
  assert.ok(r.made >= low && r.made <= high, `made ${r.made}, likely ${low}–${high}`);
  const [bytesLow, bytesHigh] = r.estimate.range!.bytes;
  assert.ok(r.bytes >= bytesLow && r.bytes <= bytesHigh, `wrote ${r.bytes} bytes, likely ${bytesLow}–${bytesHigh}`);
});

test('raster: Blue Marble z0–6, bytes within the likely range, the count exact', async (t) => {
  const r = await estimateThenRun({
    kind: 'preseed-raster',
    params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 6, output: join(root, 'bluemarble.mbtiles') },
  });
  report(t, 'Blue Marble z0–6', r);
  givesTime(r.estimate);
  assert.equal(r.estimate.tilesUpperBound, false, 'a world-wide opaque raster makes every tile it counts');
  assert.equal(r.made, r.estimate.totalTiles);
  const [bytesLow, bytesHigh] = r.estimate.range!.bytes;
  assert.ok(r.bytes >= bytesLow && r.bytes <= bytesHigh, `wrote ${r.bytes} bytes, likely ${bytesLow}–${bytesHigh}`);
});
