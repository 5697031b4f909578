import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileRange } from '../../../shared/tile-grid.js';
import { choosePartitionZoom, zoomRanges } from './partition-plan.js';

test('the partition zoom grows with the data (a quarter as much per partition each step), between 2 and 6', () => {
  const kib = 1024;
  // About 48 KiB per partition: 4^P partitions.
  assert.equal(choosePartitionZoom(48 * kib * 4 ** 4, 14), 4);
  assert.equal(choosePartitionZoom(48 * kib * 4 ** 5, 14), 5);
  assert.equal(choosePartitionZoom(12 * 1024 * kib, 10), 4, 'Natural Earth states (≈12 MB, z0–10): P = 4, measured fastest');
  assert.equal(choosePartitionZoom(1, 14), 2, 'tiny data: never above z2');
  assert.equal(choosePartitionZoom(0, 14), 2);
  assert.equal(choosePartitionZoom(1024 ** 4, 20), 6, 'huge data: never below z6');
  // Monotonic in the data.
  let last = 0;
  for (let bytes = 1; bytes < 1024 ** 4; bytes *= 3) {
    const p = choosePartitionZoom(bytes, 16)!;
    assert.ok(p >= last, `${bytes} bytes: P ${p} after ${last}`);
    last = p;
  }
});

test('a partition keeps at least three zooms below it; without room, one task does every zoom (null)', () => {
  assert.equal(choosePartitionZoom(1024 ** 3, 8), 5);
  assert.equal(choosePartitionZoom(1024 ** 3, 6), 3);
  assert.equal(choosePartitionZoom(1024 ** 3, 5), 2);
  assert.equal(choosePartitionZoom(1024 ** 3, 4), 2, 'P 2 still leaves z3–4 to cut');
  assert.equal(choosePartitionZoom(1024 ** 3, 2), null);
  assert.equal(choosePartitionZoom(1024 ** 3, 0), null);
  for (let maxZoom = 0; maxZoom <= 22; maxZoom++) {
    const p = choosePartitionZoom(1024 ** 3, maxZoom);
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
