/**
 * The vector preseed's estimate (jobs.estimate), through a real Engine: real GDAL on rgdal's
 * scot_BNG.shp (British National Grid) and cities.shp, a real sample cut in the worker pool.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Bbox, JobEstimate, VectorPreseedParams } from '../../../shared/contract.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';
import { rgdalVector } from '../../testing/real-data.js';
import { planTiles } from '../../tiling/tile-plan.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-vector-estimate-'));
let engine: Engine;
before(async () => {
  engine = await Engine.open({
    dataDir: join(root, 'data'),
    host: 'headless',
    threads: 2,
    logger: createLogger('silent'),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
});
after(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

function estimate(params: Partial<VectorPreseedParams> & Pick<VectorPreseedParams, 'sources' | 'minZoom' | 'maxZoom'>): Promise<JobEstimate> {
  return engine.estimate({ kind: 'preseed-vector', params: { output: join(root, 'out.mbtiles'), ...params } });
}

test('tiles per zoom are those of the sources’ extent; the total adds them up; a sample of real tiles gives bytes and time', async () => {
  const e = await estimate({ sources: [rgdalVector('scot_BNG.shp')], minZoom: 2, maxZoom: 9 });
  const extent = e.datasets[0]!.bounds as Bbox;
  assert.deepEqual(
    e.zooms.map((z) => z.z),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(
    e.zooms,
    planTiles(extent, 2, 9).map((z) => ({ z: z.z, tiles: z.tiles })),
  );
  assert.equal(
    e.totalTiles,
    e.zooms.reduce((n, z) => n + z.tiles, 0),
  );
  assert.equal(e.datasets[0]!.tiles, e.totalTiles);
  assert.ok(e.sample && e.sample.tiles > 0 && e.sample.bytesPerTile > 100 && e.sample.secondsPerTile > 0, JSON.stringify(e.sample));
  // The count is every tile of the extent; the sample says how many are likely made (the sea between
  // Scotland's islands is empty), and the bytes and time are those of the tiles made.
  assert.equal(e.tilesUpperBound, true);
  assert.ok(e.range, 'a sample gives a range');
  const [low, high] = e.range.tiles;
  assert.ok(low <= high && high <= e.totalTiles && high > 0, `likely ${low}–${high} of ${e.totalTiles}`);
  assert.ok(e.range.bytes[0] <= e.estimatedBytes! && e.estimatedBytes! <= e.range.bytes[1], JSON.stringify(e.range));
  assert.ok(e.range.seconds[0] <= e.estimatedSeconds! && e.estimatedSeconds! <= e.range.seconds[1], JSON.stringify(e.range));
  assert.ok(e.sample.zooms.length >= 2 && e.sample.zooms.at(-1) === 9, `sampled across the zooms: ${e.sample.zooms}`);
  assert.equal(e.kind, 'preseed-vector');
});

test('a bbox cuts the extent; a source wholly outside it is OUTSIDE_EXTENT with its feature count and no tiles', async () => {
  const orkney: Bbox = [-3.6, 58.6, -2.3, 59.5];
  const edinburgh = join(root, 'edinburgh.geojson');
  writeFileSync(
    edinburgh,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        [-3.19, 55.95],
        [-3.2, 55.96],
      ].map((c) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: c } })),
    }),
  );
  const e = await estimate({ sources: [rgdalVector('scot_BNG.shp'), edinburgh], minZoom: 0, maxZoom: 8, bbox: orkney });
  const [scot, cities] = e.datasets;
  const b = scot!.bounds!;
  assert.ok(b[0] >= orkney[0] && b[1] >= orkney[1] && b[2] <= orkney[2] && b[3] <= orkney[3], `inside the bbox: ${b}`);
  assert.equal(scot!.error, null);
  // Edinburgh is not in Orkney. (The test is on the layer's extent: cities.shp, all over the world, would overlap any bbox.)
  assert.deepEqual([cities!.bounds, cities!.tiles, cities!.error?.code], [null, 0, 'OUTSIDE_EXTENT']);
  assert.match(cities!.error!.message, /2 feature\(s\), none inside the extent asked for/);
  assert.deepEqual(
    e.zooms,
    planTiles(b, 0, 8).map((z) => ({ z: z.z, tiles: z.tiles })),
  );
});

test('a single point still has tiles (one per zoom); an unreadable source is reported, not thrown', async () => {
  const point = join(root, 'point.geojson');
  writeFileSync(
    point,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: 'Edinburgh' }, geometry: { type: 'Point', coordinates: [-3.19, 55.95] } }],
    }),
  );
  const e = await estimate({ sources: [point, join(root, 'missing.shp')], minZoom: 0, maxZoom: 6 });
  assert.deepEqual(
    e.zooms.map((z) => z.tiles),
    [1, 1, 1, 1, 1, 1, 1],
  );
  assert.equal(e.datasets[1]!.error?.code, 'DATASET_UNREADABLE');
  assert.equal(e.datasets[1]!.tiles, 0);
});

test('a coverage polygon narrows the tiles counted', async () => {
  const coverage = join(root, 'coverage.geojson');
  // A small square around Inverness, inside the Scottish extent.
  writeFileSync(
    coverage,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: {},
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [-4.4, 57.4],
                [-4.0, 57.4],
                [-4.0, 57.6],
                [-4.4, 57.6],
                [-4.4, 57.4],
              ],
            ],
          },
        },
      ],
    }),
  );
  const whole = await estimate({ sources: [rgdalVector('scot_BNG.shp')], minZoom: 8, maxZoom: 9 });
  const covered = await estimate({ sources: [rgdalVector('scot_BNG.shp')], minZoom: 8, maxZoom: 9, coverage });
  assert.ok(covered.totalTiles > 0 && covered.totalTiles < whole.totalTiles / 10, `${covered.totalTiles} of ${whole.totalTiles}`);
});

test('with a bbox the sample cuts only inside it, as the job does: never more tiles likely than at most', async () => {
  // Scotland's middle: the sample's z4 roots reach far past the box; the job cuts inside it only.
  const params = { sources: [rgdalVector('scot_BNG.shp')], minZoom: 0, maxZoom: 8, bbox: [-6, 55, -2, 58] as Bbox };
  const e = await estimate(params);
  assert.ok(e.sample, 'a sample was cut');
  assert.ok(e.sample.tiles <= e.totalTiles, `the sample made ${e.sample.tiles} tiles of a plan of at most ${e.totalTiles}`);
  const job = await engine.start({ kind: 'preseed-vector', params: { ...params, output: join(root, 'bbox.mbtiles') } });
  const done = await engine.waitFor(job.id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  const made = engine.store.listItems(done.id, { limit: 10 }).rows.reduce((n, i) => n + Number(i.result?.written ?? 0), 0);
  assert.ok(made > 0);
  // The likely range holds what the job made.
  assert.ok(e.range && e.range.tiles[0] <= made && made <= e.range.tiles[1], `made ${made}, likely ${e.range?.tiles}`);
});
