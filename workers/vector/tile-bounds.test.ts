import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LATITUDE, lonLatToUnit, tileBoundsLonLat } from './tile-bounds.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('the Web Mercator latitude limit is atan(sinh(π))', () => {
  close(MAX_LATITUDE, (Math.atan(Math.sinh(Math.PI)) * 180) / Math.PI, 'limit');
  close(MAX_LATITUDE, 85.0511287798066, 'limit');
});

test('tile bounds: the world at z0, quarters at z1, and a z10 tile that holds its point', () => {
  const [w, s, e, n] = tileBoundsLonLat(0, 0, 0);
  assert.deepEqual([w, e], [-180, 180]);
  close(s, -MAX_LATITUDE, 'south');
  close(n, MAX_LATITUDE, 'north');
  const ne = tileBoundsLonLat(1, 1, 0);
  assert.deepEqual([ne[0], ne[2]], [0, 180]);
  close(ne[1], 0, 'equator');
  // Copenhagen (12.57°E, 55.68°N) is in z10 tile 547/320.
  const [tw, ts, te, tn] = tileBoundsLonLat(10, 547, 320);
  assert.ok(tw <= 12.57 && 12.57 < te && ts <= 55.68 && 55.68 < tn, `${[tw, ts, te, tn]}`);
});

test('unit positions: the origin in the middle, the limits at the edges, clamped beyond them', () => {
  assert.deepEqual(lonLatToUnit(0, 0), [0.5, 0.5]);
  const [x0, y0] = lonLatToUnit(-180, MAX_LATITUDE);
  close(x0, 0, 'x at -180');
  close(y0, 0, 'y at the north limit');
  close(lonLatToUnit(180, -MAX_LATITUDE)[1], 1, 'y at the south limit');
  assert.deepEqual(lonLatToUnit(10, 89.9), lonLatToUnit(10, MAX_LATITUDE));
  // A tile's corners map back to its own grid lines.
  const [w, s, e, n] = tileBoundsLonLat(5, 17, 9);
  close(lonLatToUnit(w, n)[0] * 32, 17, 'west edge');
  close(lonLatToUnit(w, n)[1] * 32, 9, 'north edge');
  close(lonLatToUnit(e, s)[0] * 32, 18, 'east edge');
  close(lonLatToUnit(e, s)[1] * 32, 10, 'south edge');
});
