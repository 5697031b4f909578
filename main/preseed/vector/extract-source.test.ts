/**
 * extract-source: real GDAL (ogr2ogr as a library call) and the real worker pool's partitioner,
 * on rgdal's scot_BNG.shp (56 districts of Scotland in British National Grid).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { AbortError, TesseraError } from '../../../shared/errors.js';
import { VectorPreseedParams } from '../../../shared/contract.js';
import { WorkerPool } from '../../pool/worker-pool.js';
import { rgdalVector } from '../../testing/real-data.js';
import { tileRange } from '../../../shared/tile-grid.js';
import { type ExtractOptions, coordinatePrecision, extractSource, paddedBbox } from './extract-source.js';
import { chooseLayers } from './layer-choice.js';
import { inspectSource } from './source-info.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-extract-'));
const pool = new WorkerPool({ filename: fileURLToPath(new URL('../../../workers/pool-entry.js', import.meta.url)), threads: 2 });
after(async () => {
  await pool.destroy();
  rmSync(root, { recursive: true, force: true });
});
let dirs = 0;
const SCOT = rgdalVector('scot_BNG.shp');

async function scotLayers(extra: Record<string, unknown> = {}) {
  const params = VectorPreseedParams.parse({ sources: [SCOT], output: '/x.mbtiles', minZoom: 0, maxZoom: 10, ...extra });
  return chooseLayers(params, [await inspectSource(SCOT)]).bySource[0]!;
}

function options(extra: Partial<ExtractOptions> = {}): ExtractOptions {
  return {
    dir: join(root, `x${++dirs}`),
    partitionZoom: 4,
    minZoom: 0,
    maxZoom: 10,
    extent: 4096,
    buffer: 64,
    tolerance: 3,
    bbox: null,
    pool,
    signal: new AbortController().signal,
    ...extra,
  };
}

test('coordinate precision keeps a tenth of a tile unit at the deepest zoom (7 digits at least, 15 at most)', () => {
  assert.equal(coordinatePrecision(0, 4096), 7);
  assert.equal(coordinatePrecision(10, 4096), 7);
  // At z20 a tile unit is 360 / (2^20 · 4096) ≈ 8.4e-8 degrees.
  assert.equal(coordinatePrecision(20, 4096), 9);
  for (let z = 0; z <= 30; z++) {
    const digits = coordinatePrecision(z, 4096);
    assert.ok(digits >= 7 && digits <= 15);
    if (digits < 15) assert.ok(10 ** -digits <= 360 / (2 ** z * 4096) / 10 + 1e-18, `z${z}: ${digits} digits`);
  }
});

test('the padded bbox grows by the widest buffer written (at minZoom), clamped to the world', () => {
  const pad = (64 / 4096) * (360 / 2 ** 3);
  assert.deepEqual(paddedBbox([0, 0, 10, 10], 3, 64, 4096), [-pad, -pad, 10 + pad, 10 + pad]);
  assert.deepEqual(paddedBbox([-180, -90, 180, 90], 0, 64, 4096), [-180, -90, 180, 90]);
  assert.deepEqual(paddedBbox([0, 0, 1, 1], 0, 0, 4096), [0, 0, 1, 1]);
});

test('a projected source is cut into partition files at P, one per tile of its extent that holds features; the low band holds all', async () => {
  const layers = await scotLayers();
  const o = options();
  const out = await extractSource(SCOT, layers, o);
  assert.equal(out.dir, o.dir);
  assert.ok(out.partitions.size >= 1, 'partitions');
  // Scotland at z4: tiles x 7, y 4–5 or so; every partition lies within the extent's tiles at P.
  const info = await inspectSource(SCOT);
  const range = tileRange(info.layers[0]!.bounds!, 4);
  for (const [key, p] of out.partitions) {
    assert.equal(key, `${p.x}/${p.y}`);
    assert.ok(p.x >= range.minX - 1 && p.x <= range.maxX + 1 && p.y >= range.minY - 1 && p.y <= range.maxY + 1, `partition ${key} is near Scotland`);
    assert.ok(existsSync(p.file) && statSync(p.file).size === p.bytes && p.features > 0, key);
  }
  // Features cut by partition edges count in each partition they touch: at least the 56.
  assert.ok([...out.partitions.values()].reduce((n, p) => n + p.features, 0) >= 56);
  assert.equal(out.low?.features, 56);
  const layer = out.layers[layers[0]!.id]!;
  assert.equal(layer.count, 56);
  assert.equal(layer.geometry, 'Polygon');
  const [w, s, e, n] = layer.bounds!;
  assert.ok(w > -9.5 && e < -0.5 && s > 54 && n < 61, `lon/lat bounds ${layer.bounds}`);
  // The GeoJSONSeq files GDAL wrote are gone; only partition files and the low band stay.
  assert.deepEqual(
    readdirSync(o.dir).filter((f) => f.endsWith('.geojsonl')),
    [],
  );
});

test('attributes are selected by GDAL; a bbox keeps what touches it (padded); no partition zoom puts everything in the low band', async () => {
  const layers = await scotLayers({ layers: [{ name: 'scot_BNG', attributes: ['NAME'] }] });
  // From z6 on, the buffer pads the bbox by 64/4096 of a z6 tile: 0.09°. (From z0 it would be 5.6°: all of Scotland.)
  const orkney = await extractSource(SCOT, layers, options({ bbox: [-3.6, 58.6, -2.3, 59.5], partitionZoom: null, minZoom: 6 }));
  assert.equal(orkney.partitions.size, 0);
  const stats = orkney.layers[layers[0]!.id]!;
  assert.ok(orkney.low && orkney.low.features > 0 && orkney.low.features < 56, `${orkney.low?.features} districts near Orkney`);
  assert.deepEqual(
    stats.attributes.map((a) => a.attribute),
    ['NAME'],
  );
  assert.deepEqual(
    [...stats.attributes[0]!.values].sort(),
    ['Caithness', 'Orkney', 'Shetland'],
    'Orkney, and the districts whose extents reach its padded bbox',
  );
});

test("a bbox reaching past a projected CRS's area (a z2 tile of the world over British National Grid) keeps every feature inside it, and one beside the data none", async () => {
  const layers = await scotLayers();
  // With "-spat … -spat_srs EPSG:4326" GDAL 3.6 failed to carry this box into EPSG:27700, kept no
  // feature, and left a filter whose CRS it had freed: closing the dataset then crashed the process.
  const z2 = await extractSource(SCOT, layers, options({ bbox: [-90, 0, 0, 66.51], partitionZoom: null }));
  assert.equal(z2.low?.features, 56, 'all of Scotland lies in the z2 tile');
  const world = await extractSource(SCOT, layers, options({ bbox: [-180, -85, 180, 85], partitionZoom: null }));
  assert.equal(world.low?.features, 56);
  const beside = await extractSource(SCOT, layers, options({ bbox: [10, 10, 20, 20], partitionZoom: null, minZoom: 8 }));
  assert.equal(beside.low?.features ?? 0, 0, 'nothing of Scotland in Africa');
});

test('a layer GDAL cannot read is DATASET_UNREADABLE naming it; a cancelled extraction is AbortError', async () => {
  const layers = await scotLayers();
  await assert.rejects(
    () => extractSource(SCOT, [{ ...layers[0]!, sourceLayer: 'no_such_layer' }], options()),
    (error: unknown) => error instanceof TesseraError && error.code === 'DATASET_UNREADABLE' && /no_such_layer/.test(error.message),
  );
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    () => extractSource(SCOT, layers, options({ signal: controller.signal })),
    (error: unknown) => error instanceof AbortError,
  );
});
