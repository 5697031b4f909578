/**
 * `tessera preseed vector` of a Shapefile whose .prj is gone (rgdal's scot_BNG: metres of the British
 * National Grid): the job failed with NO_GEOREFERENCE and exit 1, its dry run exit 2 naming it. It
 * used to take the metres as lon/lat, drop every feature and "succeed" with 0 tiles and no output.
 * Also a source whose features all have empty geometries fails saying so. Real child processes.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { rgdalVector } from '../testing/real-data.js';
import { runTessera } from '../testing/run-tessera.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-no-crs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tessera = (...args: string[]) => runTessera(join(dir, 'data'), ...args);

const messy = join(dir, 'messy');
mkdirSync(messy);
for (const ext of ['shp', 'shx', 'dbf']) copyFileSync(rgdalVector(`scot_BNG.${ext}`), join(messy, `noprj.${ext}`));
const noprj = join(messy, 'noprj.shp');

test('a Shapefile without its .prj: the job fails NO_GEOREFERENCE (exit 1) with the likely CRS, no output', async () => {
  const out = join(dir, 'out.pmtiles');
  const run = await tessera('preseed', 'vector', noprj, '--zoom', '0-4', '-o', out);
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  const said = run.stdout + run.stderr;
  assert.match(said, /NO_GEOREFERENCE/);
  assert.match(said, /no \.prj beside the Shapefile/);
  assert.match(said, /EPSG:27700/);
  assert.doesNotMatch(said, /made 0 tiles/);
  assert.equal(existsSync(out), false);
});

test('with --crs the same Shapefile is tiled in that CRS (exit 0): Scotland, not a point off Africa', async () => {
  const out = join(dir, 'crs.mbtiles');
  const run = await tessera('preseed', 'vector', noprj, '--crs', 'EPSG:27700', '--zoom', '0-4', '-o', out);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const id = run.stdout.match(/job (\d+) succeeded/)?.[1];
  assert.ok(id, run.stdout);
  const shown = await tessera('jobs', 'show', id, '--json');
  assert.match(shown.stdout, /"assignCrs": ?"EPSG:27700"/);
  // The tileset's bounds are Scotland's (about -8.6…-0.7°E, 54.6…60.8°N).
  const info = execFileSync('ogrinfo', ['-ro', '-so', out], { encoding: 'utf8' });
  const bounds = info
    .match(/bounds=([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)/)!
    .slice(1)
    .map(Number);
  assert.ok(bounds[0]! > -9.5 && bounds[2]! < 0 && bounds[1]! > 54 && bounds[3]! < 61.5, `${bounds}`);
});

test('its dry run says NO_GEOREFERENCE and exits 2, not "✓ … 0 tiles"', async () => {
  const run = await tessera('preseed', 'vector', noprj, '--zoom', '0-4', '-o', join(dir, 'dry.pmtiles'), '--dry-run');
  assert.equal(run.code, 2, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /✗ .*noprj\.shp: NO_GEOREFERENCE/);
});

test('a source whose features all have empty geometries fails saying no tile was made (exit 1)', async () => {
  const empty = join(dir, 'empty.geojson');
  const feature = (n: number) => ({ type: 'Feature', properties: { n }, geometry: null });
  writeFileSync(empty, JSON.stringify({ type: 'FeatureCollection', features: [feature(1), feature(2)] }));
  const run = await tessera('preseed', 'vector', empty, '--zoom', '0-3', '-o', join(dir, 'empty.pmtiles'));
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout + run.stderr, /2 feature\(s\) in the chosen layers, none with a geometry to tile/);
});
