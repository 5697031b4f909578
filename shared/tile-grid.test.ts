import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_LATITUDE,
  childTiles,
  flipY,
  intersectBbox,
  lonLatToMercator,
  mercatorToLonLat,
  rangeSize,
  tileBoundsLonLat,
  tileBoundsMercator,
  tileRange,
} from './tile-grid.js';

test('tile bounds match the published Web Mercator values', () => {
  const [minX, minY, maxX, maxY] = tileBoundsMercator(0, 0, 0);
  assert.ok(Math.abs(minX + 20037508.342789244) < 1e-6 && Math.abs(maxY - 20037508.342789244) < 1e-6);
  assert.ok(Math.abs(maxX - 20037508.342789244) < 1e-6 && Math.abs(minY + 20037508.342789244) < 1e-6);
  // z1 x1 y0 is the north-east quarter.
  const ne = tileBoundsLonLat(1, 1, 0);
  assert.deepEqual(
    ne.map((v) => Math.round(v * 1e6) / 1e6),
    [0, 0, 180, Math.round(MAX_LATITUDE * 1e6) / 1e6],
  );
  // Zurich is in tile 8/134/89 (as OSM's tile calculator gives).
  const r = tileRange([8.54, 47.37, 8.541, 47.371], 8);
  assert.deepEqual([r.minX, r.minY, r.maxX, r.maxY], [134, 89, 134, 89]);
});

test('a bbox aligned to tile edges does not take the neighbouring tiles', () => {
  const b = tileBoundsLonLat(5, 10, 12);
  const r = tileRange(b, 5);
  assert.deepEqual([r.minX, r.minY, r.maxX, r.maxY], [10, 12, 10, 12]);
  const r6 = tileRange(b, 6);
  assert.equal(rangeSize(r6), 4);
});

test('the world at zoom z is 4^z tiles and lat beyond the Mercator limit is clamped', () => {
  for (const z of [0, 3, 7]) assert.equal(rangeSize(tileRange([-180, -90, 180, 90], z)), 4 ** z);
});

test('mercator round trip, intersections, children and the TMS flip', () => {
  const [x, y] = lonLatToMercator(11.5, 57.5);
  const [lon, lat] = mercatorToLonLat(x, y);
  assert.ok(Math.abs(lon - 11.5) < 1e-9 && Math.abs(lat - 57.5) < 1e-9);
  assert.deepEqual(intersectBbox([0, 0, 10, 10], [5, 5, 20, 20]), [5, 5, 10, 10]);
  assert.equal(intersectBbox([0, 0, 10, 10], [10, 0, 20, 10]), null, 'touching edges do not overlap');
  assert.deepEqual(
    childTiles({ z: 2, x: 1, y: 3 }).map((t) => `${t.z}/${t.x}/${t.y}`),
    ['3/2/6', '3/3/6', '3/2/7', '3/3/7'],
  );
  assert.equal(flipY(3, 0), 7);
  assert.equal(flipY(3, flipY(3, 5)), 5);
});

test('flipY: XYZ rows to TMS rows and back, at z0 and the edge rows', () => {
  assert.equal(flipY(0, 0), 0, 'z0 has one row');
  assert.equal(flipY(1, 0), 1);
  assert.equal(flipY(1, 1), 0);
  for (const z of [0, 1, 5, 14, 22, 30]) {
    const last = 2 ** z - 1;
    assert.equal(flipY(z, 0), last, `z${z}: the top XYZ row is the last TMS row`);
    assert.equal(flipY(z, last), 0, `z${z}: the bottom XYZ row is TMS row 0`);
    for (const y of [0, 1, Math.floor(last / 2), last - 1, last]) {
      if (y < 0 || y > last) continue;
      const row = flipY(z, y);
      assert.ok(row >= 0 && row <= last, `z${z}: row ${row} is in the grid`);
      assert.equal(flipY(z, row), y, `z${z}: the flip is its own inverse`);
    }
  }
});
