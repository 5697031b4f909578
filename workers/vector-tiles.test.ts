import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import zlib from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import type { Feature } from 'geojson';
import { PbfReader } from 'pbf';
import { TesseraError } from '../shared/errors.js';
import { type TileBatchMessage, type VectorTilesTask, vectorPartition, vectorTiles } from './vector-tiles.js';
import { LOW_BAND_FILE } from './vector/partition-features.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const point = (lon: number, lat: number, name: string): Feature => ({
  type: 'Feature',
  properties: { name },
  geometry: { type: 'Point', coordinates: [lon, lat] },
});
const square = (w: number, s: number, size: number): Feature => ({
  type: 'Feature',
  properties: { kind: 'area' },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [w + size, s],
        [w + size, s + size],
        [w, s + size],
        [w, s],
      ],
    ],
  },
});

/** A spill file of the whole band (no partition zoom) as the partitioner writes it, from [layer id, feature] pairs. */
async function partitionFile(name: string, lines: [number, Feature][]): Promise<string> {
  const outDir = join(dir, name);
  const files = [...new Set(lines.map(([layer]) => layer))].map((layer) => {
    const path = join(dir, `${name}-${layer}.geojsonl`);
    writeFileSync(path, lines.flatMap(([l, f]) => (l === layer ? [`${JSON.stringify(f)}\n`] : [])).join(''));
    return { path, layer, attributes: null, maxZoom: 3 };
  });
  await vectorPartition({ files, outDir, partitionZoom: null, extent: 4096, buffer: 64, tolerance: 3, bbox: null, minZoom: 0, lowBandTolerance: null });
  return join(outDir, LOW_BAND_FILE);
}

function task(files: string[], extra: Partial<VectorTilesTask> = {}): VectorTilesTask {
  return {
    root: { z: 0, x: 0, y: 0 },
    stopZoom: 3,
    minZoom: 0,
    files,
    layers: [
      { name: 'places', minZoom: 0, maxZoom: 3 },
      { name: 'areas', minZoom: 0, maxZoom: 3 },
    ],
    extent: 4096,
    buffer: 64,
    tolerance: 3,
    maxTileBytes: 500_000,
    thin: false,
    ...extra,
  };
}

test('vectorTiles cuts the partition and streams gzipped MVT tiles in batches over its port, taking a credit per batch', async () => {
  const file = await partitionFile('p.seq', [
    [0, point(10.3, 50.3, 'Fulda')],
    [0, point(-100.2, 40.2, 'Kansas')],
    [1, square(5, 45, 10)],
  ]);
  const { port1, port2 } = new MessageChannel();
  const batches: TileBatchMessage[] = [];
  port1.on('message', (m: TileBatchMessage) => batches.push(m));
  const credits = new SharedArrayBuffer(4);
  Atomics.store(new Int32Array(credits), 0, 10);
  const result = await vectorTiles(task([file], { port: port2, credits }));
  // Batches travel on their own port and can arrive after the result (a fixed wait fails on a busy machine).
  for (let waited = 0; batches.length < result.batches && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  port1.close();
  assert.equal(result.features, 3);
  assert.equal(result.batches, batches.length);
  assert.ok(result.batches >= 1);
  assert.equal(Atomics.load(new Int32Array(credits), 0), 10 - result.batches);
  const tiles = new Map<string, Uint8Array>();
  let gzBytes = 0;
  for (const batch of batches) {
    for (let i = 0; i < batch.meta.length; i += 5) {
      const [z, x, y, offset, length] = [...batch.meta.subarray(i, i + 5)] as [number, number, number, number, number];
      const gz = batch.data.subarray(offset, offset + length);
      gzBytes += gz.length;
      tiles.set(`${z}/${x}/${y}`, new Uint8Array(zlib.gunzipSync(gz)));
    }
  }
  assert.equal(tiles.size, result.tiles);
  assert.equal(gzBytes, result.gzBytes);
  // z0 holds both layers; each of the two places has its own tile at z3.
  const world = new VectorTile(new PbfReader(tiles.get('0/0/0')!));
  assert.deepEqual(Object.keys(world.layers).sort(), ['areas', 'places']);
  assert.equal(world.layers.places!.length, 2);
  assert.ok(tiles.has('3/4/2') && tiles.has('3/1/3'), [...tiles.keys()].join(' '));
});

test('a sample stops after sampleLimit tiles and posts nothing (no port): only measured', async () => {
  const file = await partitionFile('sample.seq', [[1, square(-170, -60, 330)]]);
  const result = await vectorTiles(task([file], { sampleLimit: 3 }));
  assert.equal(result.tiles, 3);
  assert.equal(result.batches, 0);
  assert.ok(result.rawBytes > 0 && result.gzBytes > 0 && result.ms >= 0);
});

test('a raised abort flag stops the task with ABORTED', async () => {
  const file = await partitionFile('abort.seq', [[0, point(1, 1, 'x')]]);
  const abort = new SharedArrayBuffer(4);
  Atomics.store(new Int32Array(abort), 0, 1);
  await assert.rejects(vectorTiles(task([file], { abort })), (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED');
});

test('vectorPartition splits GeoJSONSeq files into partition files and counts what went in', async () => {
  const seq = join(dir, 'layer0.geojsonseq');
  writeFileSync(seq, `${[point(10, 50, 'a'), point(-100, 40, 'b'), point(11, 51, 'c')].map((f) => JSON.stringify(f)).join('\n')}\n`);
  const out = join(dir, 'parts');
  const result = await vectorPartition({
    files: [{ path: seq, layer: 0, attributes: null, maxZoom: 3 }],
    outDir: out,
    partitionZoom: 1,
    extent: 4096,
    buffer: 64,
    tolerance: 3,
    bbox: null,
    minZoom: 0,
    lowBandTolerance: null,
  });
  assert.equal(result.layers[0]!.count, 3);
  assert.equal(
    result.partitions.reduce((n, p) => n + p.features, 0),
    3,
  );
  assert.deepEqual(result.partitions.map((p) => `${p.x}/${p.y}`).sort(), ['0/0', '1/0']);
});

test('a task whose spilled input is over its bound fails with WORKER_OUT_OF_MEMORY before loading it', async () => {
  const file = await partitionFile('bounded.seq', [[1, square(-170, -60, 330)]]);
  await assert.rejects(
    vectorTiles(task([file], { maxSpillBytes: 64 })),
    (e: unknown) => e instanceof TesseraError && e.code === 'WORKER_OUT_OF_MEMORY' && /tile 0\/0\/0 holds/.test(e.message),
  );
  assert.ok((await vectorTiles(task([file], { maxSpillBytes: 1024 ** 2 }))).tiles > 0, 'under the bound it runs');
});
