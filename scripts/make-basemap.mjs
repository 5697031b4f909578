#!/usr/bin/env node
/**
 * Makes the offline basemap, dist/basemap/world.pmtiles, with Tessera's own vector preseed (the
 * built CLI, `tessera preseed vector`): Natural Earth 1:50m land and countries (public domain, as
 * world-atlas ships them in node_modules), z0–6, as vector tiles. Both hosts serve it at
 * `tiles/basemap/{z}/{x}/{y}` (main/hosts/basemap-tiles.ts) and every map draws it under the caches.
 *
 *   node scripts/make-basemap.mjs          # part of `npm run build`, after build:node
 *
 * It runs after tsc (it needs dist/main/cli/bin.js) and needs no network: the data is an npm
 * devDependency. The job runs on a throwaway data directory, so neither a running console nor the
 * user's own queue is touched. About 8 s and 1.3 MB on 2 cores.
 *
 * world-atlas' TopoJSON is made for spherical renderers: rings cross the antimeridian by jumping
 * from 180° to -180° (Russia's Chukotka, Fiji), and Antarctica is the space between its coast and a
 * small ring round the pole. Drawn flat, each jump is a band across the whole world. So before the
 * preseed, GDAL (gdal-async, the engine's own) reads each polygon and this script makes it flat:
 * rings round a pole are dropped, each ring is made continuous (one that crosses once, like
 * Antarctica's coast, is closed along the pole; the same steps as scripts/make-land.mjs), and the
 * polygon is cut into the world's width (GEOS, through GDAL) from its copies shifted by ±360°.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import gdal from 'gdal-async';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const atlas = dirname(require.resolve('world-atlas/package.json'));
const cli = join(root, 'dist/main/cli/bin.js');
const out = join(root, 'dist/basemap/world.pmtiles');

/** Rings closer to a pole than this are the pole's own ring, not land. */
const POLAR = 89.9;
const WORLD = gdal.Geometry.fromGeoJson({
  type: 'Polygon',
  coordinates: [
    [
      [-180, -90],
      [180, -90],
      [180, 90],
      [-180, 90],
      [-180, -90],
    ],
  ],
});

/** A ring made continuous across the antimeridian; one that crosses it once is closed along the pole. */
function continuousRing(raw) {
  const jumps = raw.filter((p, i) => i > 0 && Math.abs(p[0] - raw[i - 1][0]) > 180).length;
  if (jumps === 0) return raw;
  let shift = 0;
  const ring = [];
  raw.forEach((p, i) => {
    const q = raw[i - 1];
    const d = i > 0 ? p[0] - q[0] : 0;
    if (Math.abs(d) > 180 && jumps % 2 === 1) {
      const pole = p[1] < 0 ? -90 : 90;
      const [from, to] = [Math.sign(q[0]) * 180 + shift, Math.sign(p[0]) * 180 + shift];
      ring.push([from, q[1]], [from, pole], [to, pole], [to, p[1]]);
    } else shift += d > 180 ? -360 : d < -180 ? 360 : 0;
    ring.push([p[0] + shift, p[1]]);
  });
  return ring;
}

/** One polygon (GeoJSON rings) as flat polygons within -180..180. */
function flatPolygons(rings) {
  const kept = rings.filter((r) => !r.every(([, lat]) => Math.abs(lat) >= POLAR));
  if (kept.length === 0) return [];
  const continuous = kept.map(continuousRing);
  if (continuous.every((r, i) => r === kept[i])) return [kept];
  const parts = [];
  for (const dx of [-360, 0, 360]) {
    const shifted = gdal.Geometry.fromGeoJson({ type: 'Polygon', coordinates: continuous.map((r) => r.map(([x, y]) => [x + dx, y])) });
    const cut = JSON.parse(shifted.intersection(WORLD).toJSON());
    if (cut.type === 'Polygon') parts.push(cut.coordinates);
    else if (cut.type === 'MultiPolygon') parts.push(...cut.coordinates);
  }
  return parts;
}

/** A layer of a world-atlas TopoJSON as flat GeoJSON in `dir` (named after the layer), keeping `fields`. */
function flatLayer(file, layer, fields, dir) {
  const ds = gdal.open(join(atlas, file));
  const features = [];
  for (const f of ds.layers.get(layer).features) {
    const g = JSON.parse(f.getGeometry().toJSON());
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    const properties = Object.fromEntries(fields.map((k) => [k, f.fields.get(k)]));
    features.push({ type: 'Feature', properties, geometry: { type: 'MultiPolygon', coordinates: polygons.flatMap(flatPolygons) } });
  }
  ds.close();
  const path = join(dir, `${layer}.geojson`);
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }));
  return path;
}

const started = performance.now();
mkdirSync(dirname(out), { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-basemap-'));
try {
  const land = flatLayer('land-50m.json', 'land', [], dataDir);
  const countries = flatLayer('countries-50m.json', 'countries', ['name'], dataDir);
  // land: the fill and the coastline; countries: the borders (their outlines). Only the name is kept.
  execFileSync(
    process.execPath,
    [
      cli,
      'preseed',
      'vector',
      land,
      countries,
      '--layer',
      'land',
      '--layer',
      'countries',
      '--attributes',
      'name',
      '--zoom',
      '0-6',
      '--mode',
      'overwrite',
      '-o',
      out,
      '--data-dir',
      dataDir,
      '--json',
    ],
    // The job's JSON document is not wanted here; its errors (stderr) are.
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;
console.log(`basemap: ${out} (${(statSync(out).size / 1024 ** 2).toFixed(2)} MiB) in ${seconds.toFixed(1)} s`);
