import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileRange } from '../../../shared/tile-grid.js';
import { BYTES_PER_VERTEX, choosePartitionZoom, tilesCovered, zoomRanges } from './partition-plan.js';

const world = (vertices: number) => ({ vertices, extent: null });

test('the partition zoom follows vertex density over the extent (a quarter as many per partition each step), between 2 and 6', () => {
  // About 2,400 vertices per partition tile of the extent.
  assert.equal(choosePartitionZoom(world(2400 * 4 ** 4), 14), 4);
  assert.equal(choosePartitionZoom(world(2400 * 4 ** 4 + 1), 14), 5);
  assert.equal(choosePartitionZoom({ vertices: 407_887, extent: [-180, -90, 180, 83.6] }, 10), 4, 'Natural Earth states (z0–10): P = 4, measured fastest');
  // What the kind estimates for them: world_map.gpkg's 12.8 MB by the layer's share of features, at 20 bytes a vertex.
  const estimated = (12_804_096 * 4556) / (4556 + 240 + 46) / BYTES_PER_VERTEX;
  assert.equal(choosePartitionZoom({ vertices: estimated, extent: [-180, -90, 180, 83.6] }, 10), 4);
  assert.equal(choosePartitionZoom(world(1), 14), 2, 'tiny data: never above z2');
  assert.equal(choosePartitionZoom(world(0), 14), 2);
  assert.equal(choosePartitionZoom(world(1e12), 20), 6, 'huge data: never below z6');
  let last = 0;
  for (let v = 1; v < 1e12; v *= 3) {
    const p = choosePartitionZoom(world(v), 16)!;
    assert.ok(p >= last, `${v} vertices: P ${p} after ${last}`);
    last = p;
  }
});

test('the same vertices packed into a small extent get a deeper partition zoom than spread over the world', () => {
  const vertices = 400_000;
  const spread = choosePartitionZoom({ vertices, extent: [-180, -85, 180, 85] }, 14)!;
  const dense = choosePartitionZoom({ vertices, extent: [5, 45, 15, 55] }, 14)!;
  assert.equal(spread, 4);
  assert.equal(dense, 6, 'a 10° square holds a handful of z4 tiles: each would hold ~100k vertices');
  assert.equal(tilesCovered(null, 3), 64);
  assert.equal(tilesCovered([5, 45, 15, 55], 3), 1);
});

test('a partition keeps at least three zooms below it; without room, one task does every zoom (null)', () => {
  const big = world(1e9);
  assert.equal(choosePartitionZoom(big, 8), 5);
  assert.equal(choosePartitionZoom(big, 6), 3);
  assert.equal(choosePartitionZoom(big, 5), 2);
  assert.equal(choosePartitionZoom(big, 4), 2, 'P 2 still leaves z3–4 to cut');
  assert.equal(choosePartitionZoom(big, 2), null);
  assert.equal(choosePartitionZoom(big, 0), null);
  for (let maxZoom = 0; maxZoom <= 22; maxZoom++) {
    const p = choosePartitionZoom(big, maxZoom);
    if (p !== null) assert.ok(p < maxZoom, `z${maxZoom}: P ${p}`);
  }
});

test('zoom ranges: one tile range per zoom 0..maxZoom, the whole world at z0, the bbox’s tiles below', () => {
  const uk: [number, number, number, number] = [-8.7, 49.8, 2.0, 60.9];
  const ranges = zoomRanges(uk, 8);
  assert.equal(ranges.length, 9);
  assert.deepEqual(ranges[0], { minX: 0, minY: 0, maxX: 0, maxY: 0 });
  for (let z = 0; z <= 8; z++) {
    const r = tileRange(uk, z);
    assert.deepEqual(ranges[z], { minX: r.minX, minY: r.minY, maxX: r.maxX, maxY: r.maxY });
    // Each range holds its children's parents.
    if (z > 0) {
      assert.ok(Math.floor(ranges[z]!.minX / 2) >= ranges[z - 1]!.minX && Math.floor(ranges[z]!.maxX / 2) <= ranges[z - 1]!.maxX, `z${z}`);
    }
  }
  // Greenwich is inside: x spans both sides of 2^(z-1).
  assert.ok(ranges[8]!.minX < 128 && ranges[8]!.maxX >= 128);
});

test('a bbox beyond the Mercator world is clipped; one wholly outside it has no tiles at any zoom', () => {
  const clipped = zoomRanges([-200, -89, 200, 89], 3);
  assert.deepEqual(clipped[3], { minX: 0, minY: 0, maxX: 7, maxY: 7 });
  assert.deepEqual(zoomRanges([-10, 86, 10, 89], 4), [null, null, null, null, null]);
});
