import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { coverageFromRings, coverageTouches, loadCoverage, segmentTouchesRect } from './coverage.js';
import { CoverageIndex, forEachTile, planTiles } from './tile-plan.js';
import { tileBoundsLonLat } from '../../shared/tile-grid.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A triangle over southern Sweden with a square hole, in GeoJSON order.
const triangle: [number, number][] = [
  [11, 56],
  [19, 56],
  [15, 62],
  [11, 56],
];
const hole: [number, number][] = [
  [14, 57],
  [16, 57],
  [16, 58],
  [14, 58],
  [14, 57],
];
const coverage = coverageFromRings([[triangle, hole]]);

test('rectangles are classified as outside, inside, or across the boundary (holes count as outside)', () => {
  assert.equal(coverageTouches(coverage, [0, 0, 1, 1]), 'outside');
  assert.equal(coverageTouches(coverage, [14.9, 56.5, 15.1, 56.6]), 'inside');
  assert.equal(coverageTouches(coverage, [14.8, 57.2, 15.2, 57.4]), 'outside', 'wholly inside the hole');
  assert.equal(coverageTouches(coverage, [10, 55, 12, 57]), 'partial');
  assert.equal(coverageTouches(coverage, [0, 40, 40, 70]), 'partial', 'the polygon lies inside the rectangle');
  assert.equal(segmentTouchesRect([0, 0], [10, 10], [4, 4, 6, 6]), true);
  assert.equal(segmentTouchesRect([0, 0], [10, 0], [4, 1, 6, 6]), false);
});

test('plan counts equal a brute-force walk of every tile in range', () => {
  const extent: [number, number, number, number] = [10, 55, 20, 63];
  const plan = planTiles(extent, 3, 9, coverage);
  for (const level of plan) {
    let brute = 0;
    for (let x = level.range.minX; x <= level.range.maxX; x++) {
      for (let y = level.range.minY; y <= level.range.maxY; y++) {
        if (coverageTouches(coverage, tileBoundsLonLat(level.z, x, y)) !== 'outside') brute++;
      }
    }
    assert.equal(level.tiles, brute, `z${level.z}`);
    let visited = 0;
    forEachTile(extent, level.z, new CoverageIndex(coverage), () => visited++);
    assert.equal(visited, brute, `forEachTile z${level.z}`);
  }
  // Without a coverage the count is the whole range; the coverage keeps far fewer at z9.
  const bare = planTiles(extent, 9, 9);
  assert.ok(plan.at(-1)!.tiles < bare[0]!.tiles * 0.6, `${plan.at(-1)!.tiles} vs ${bare[0]!.tiles}`);
});

test('an extent beyond the Mercator world is clipped; one entirely outside it has no tiles', () => {
  assert.equal(planTiles([-180, -90, 180, 90], 2, 2)[0]!.tiles, 16);
  assert.equal(
    planTiles([0, 86, 10, 89], 0, 3).reduce((n, z) => n + z.tiles, 0),
    0,
  );
});

test('loadCoverage reads a polygon file in a projected CRS into lon/lat', async () => {
  const source = join(dir, 'area.geojson');
  writeFileSync(
    source,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [triangle, hole] } }],
    }),
  );
  const projected = join(dir, 'area-3006.gpkg');
  execFileSync('ogr2ogr', ['-f', 'GPKG', '-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:3006', projected, source]);
  const loaded = await loadCoverage(projected);
  assert.equal(loaded.polygons.length, 1);
  assert.equal(loaded.polygons[0]!.length, 2, 'the hole survives');
  const [w, s, e, n] = loaded.bbox;
  assert.ok(Math.abs(w - 11) < 1e-6 && Math.abs(s - 56) < 1e-6 && Math.abs(e - 19) < 1e-6 && Math.abs(n - 62) < 1e-6, `bbox ${loaded.bbox}`);
});

test('loadCoverage keeps longitude first for a geographic CRS with latitude-first axes (NAD27)', async () => {
  const source = join(dir, 'area-4326.geojson');
  writeFileSync(
    source,
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [triangle] } }] }),
  );
  const nad27 = join(dir, 'area-4267.gpkg');
  execFileSync('ogr2ogr', ['-f', 'GPKG', '-s_srs', 'EPSG:4326', '-t_srs', 'EPSG:4267', nad27, source]);
  const [w, s, e, n] = (await loadCoverage(nad27)).bbox;
  // NAD27 → WGS84 moves points by well under 0.01° here; swapped axes would move them by 40°.
  assert.ok(Math.abs(w - 11) < 0.01 && Math.abs(s - 56) < 0.01 && Math.abs(e - 19) < 0.01 && Math.abs(n - 62) < 0.01, `bbox ${[w, s, e, n]}`);
});

test('loadCoverage names the file when it is unreadable or holds no polygons', async () => {
  const garbage = join(dir, 'garbage.geojson');
  writeFileSync(garbage, '{ not json');
  await assert.rejects(loadCoverage(garbage), (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && e.message.includes(garbage));
  const points = join(dir, 'points.geojson');
  writeFileSync(
    points,
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }] }),
  );
  await assert.rejects(loadCoverage(points), /no polygons/);
});
