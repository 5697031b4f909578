import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { decodeLand, decodeRing, landCoordinates, parseLandFile } from '../../shared/land/land-outline.js';
import { thumbnail } from './report-map.js';
import { WORLD_LAND_FILE, worldLandRings } from './world-land.js';

test('the land outline is in dist/ beside the compiled decoder (tsc emits it), and decodes', () => {
  assert.ok(existsSync(WORLD_LAND_FILE), `${fileURLToPath(WORLD_LAND_FILE)} is missing: shared/tsconfig.json must include land/*.json`);
  const polygons = decodeLand(parseLandFile(JSON.parse(readFileSync(WORLD_LAND_FILE, 'utf8'))));
  // 775 polygons, one with a hole: the 776 rings the reports drew when the data was a TS source file.
  assert.equal(polygons.length, 775);
  assert.equal(polygons.flat().length, 776);
  assert.equal(worldLandRings().length, 776);
  let points = 0;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of polygons.flat()) {
    points += ring.coords.length / 2;
    [w, s, e, n] = [Math.min(w, ring.w), Math.min(s, ring.s), Math.max(e, ring.e), Math.max(n, ring.n)];
    assert.ok(ring.w <= ring.e && ring.s <= ring.n);
  }
  assert.equal(points, 18733);
  // The world: Antarctica closed along the South Pole, the Arctic islands under 84°N, Chukotka past 180°E.
  assert.deepEqual([w, s, n], [-180, -90, 83.56]);
  assert.ok(e > 180 && e < 195, `east edge ${e}`);
  // Great Britain is there, where it should be.
  assert.ok(
    polygons.some(
      ([outer]) =>
        outer!.w > -6.5 && outer!.w < -5 && outer!.e > 1.5 && outer!.e < 2 && outer!.s > 49.8 && outer!.s < 50.2 && outer!.n > 58.5 && outer!.n < 58.8,
    ),
  );
});

test('a ring decodes from deltas in 1/scale of a degree, with its bounds', () => {
  const ring = decodeRing([1000, 5000, 100, 0, 0, 50, -100, 0], 100);
  assert.deepEqual([...ring.coords], [10, 50, 11, 50, 11, 50.5, 10, 50.5]);
  assert.deepEqual([ring.w, ring.s, ring.e, ring.n], [10, 50, 11, 50.5]);
  assert.deepEqual(landCoordinates([[ring]]), [
    [
      [
        [10, 50],
        [11, 50],
        [11, 50.5],
        [10, 50.5],
        [10, 50],
      ],
    ],
  ]);
});

test('a file of another shape is refused, not drawn as garbage', () => {
  assert.throws(() => parseLandFile({ format: 'topojson' }), /not a land outline/);
  assert.throws(() => parseLandFile(null), /not a land outline/);
  assert.throws(() => parseLandFile({ format: 'tessera-land/1', scale: 0, polygons: [] }), /scale/);
  assert.throws(() => parseLandFile({ format: 'tessera-land/1', scale: 100, polygons: [[[1, 2, 3]]] }), /at least 6 integers/);
  assert.throws(() => parseLandFile({ format: 'tessera-land/1', scale: 100, polygons: [[[1, 2, 3, 4, 5, 6.5]]] }), /integers/);
});

test('a report map draws the land around an extent: Scandinavia around a box in the Kattegat', () => {
  const map = thumbnail([11, 57, 12, 58], 340, 250);
  assert.ok(map.land.length >= 5, `${map.land.length} rings`);
  for (const ring of map.land)
    for (let i = 0; i < ring.length; i += 2) assert.ok(ring[i]! >= -2 && ring[i]! <= 342 && ring[i + 1]! >= -2 && ring[i + 1]! <= 252);
});

test('the committed land file is what scripts/make-land.mjs makes from world-atlas', async () => {
  const script = fileURLToPath(new URL('../../../scripts/make-land.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, '--check']);
  assert.match(stdout, /is up to date/);
});
