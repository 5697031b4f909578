import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import type { Feature } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { AbortFlag } from '../abort-flag.js';
import { fastGzip } from './fast-gzip.js';
import { clipToLatitudes, geometryBounds } from './lat-clip.js';
import { worldLayerGeoJson } from '../testing/natural-earth.js';
import { indexFromPieces } from './partition-clip.js';
import { LOW_BAND_FILE, partitionFeatures, partitionFileName } from './partition-features.js';
import { type SpilledFeature, readSpill } from './spill-format.js';
import { walkTiles } from './tile-walk.js';
import { MAX_LATITUDE } from './tile-bounds.js';
import { asGeoJsonVt } from './vt-internals.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-partition-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const abort = new AbortFlag(undefined);
const options = { extent: 4096, buffer: 64, tolerance: 3 };

/** Every tile of the subtree of `root` down to `stopZoom` in `index`, by "z/x/y", as encoded bytes. */
function walk(index: GeoJSONVT, maxZoom: number, root: { z: number; x: number; y: number }, stopZoom: number, into: Map<string, Buffer>): void {
  walkTiles(root, {
    layers: [{ name: 'layer', minZoom: 0, maxZoom, index }],
    extent: 4096,
    minZoom: 0,
    stopZoom,
    maxTileBytes: 1e9,
    thin: false,
    abort,
    emit: (z, x, y, tile) => {
      assert.ok(!into.has(`${z}/${x}/${y}`), `${z}/${x}/${y} was cut twice`);
      into.set(`${z}/${x}/${y}`, Buffer.from(tile));
    },
    issue: () => {},
  });
}

/** What a tile task does with a spill file: its pieces in an index at its own tile, then the walk. */
function cutSpill(path: string, maxZoom: number, root: { z: number; x: number; y: number }, stopZoom: number, into: Map<string, Buffer>): number {
  const pieces: SpilledFeature[] = [];
  readSpill(path, (p) => pieces.push(p));
  walk(asGeoJsonVt(indexFromPieces(pieces, root, { maxZoom, ...options })), maxZoom, root, stopZoom, into);
  return pieces.length;
}

/**
 * Partitions `features` at P, cuts the low band and every partition as the tasks do, and checks
 * the tiles against one plain geojson-vt index over the same features (the unclipped cut).
 */
function checkAgainstOneIndex(name: string, features: Feature[], attributes: string[] | null, P: number, maxZoom: number) {
  const seq = join(dir, `${name}.geojsonl`);
  writeFileSync(seq, features.map((f) => JSON.stringify(f)).join('\n'));
  const out = join(dir, name);
  const result = partitionFeatures(
    { files: [{ path: seq, layer: 0, attributes, maxZoom }], outDir: out, partitionZoom: P, ...options, bbox: null, minZoom: 0, lowBandTolerance: null },
    abort,
  );
  const kept = features.map((f): Feature => {
    const properties: Record<string, unknown> = {};
    for (const key in f.properties) if (!attributes || attributes.includes(key)) properties[key] = f.properties![key];
    const geometry = clipToLatitudes(f.geometry, MAX_LATITUDE, geometryBounds(f.geometry)!)!;
    return f.id === undefined ? { type: 'Feature', geometry, properties } : { type: 'Feature', id: f.id, geometry, properties };
  });
  const whole = new Map<string, Buffer>();
  walk(new GeoJSONVT({ type: 'FeatureCollection', features: kept }, { maxZoom, indexMaxZoom: 0, ...options }), maxZoom, { z: 0, x: 0, y: 0 }, maxZoom, whole);

  const split = new Map<string, Buffer>();
  cutSpill(join(out, LOW_BAND_FILE), maxZoom, { z: 0, x: 0, y: 0 }, P - 1, split);
  for (const p of result.partitions) cutSpill(join(out, partitionFileName(P, p.x, p.y)), maxZoom, { z: P, x: p.x, y: p.y }, maxZoom, split);

  assert.deepEqual([...split.keys()].sort(), [...whole.keys()].sort());
  for (const [key, bytes] of whole) assert.ok(bytes.equals(split.get(key)!), `${name}: tile ${key} differs`);
  return { result, tiles: whole.size, out };
}

test("the partitioner's clipped output equals the unclipped cut on real data: Natural Earth states, antimeridian included", () => {
  // Europe, and the Russian Far East across the antimeridian (so wrapped copies are in play).
  const states = worldLayerGeoJson('states_provinces', [-30, 30, 180, 75]);
  const { result, tiles } = checkAgainstOneIndex('states', states.features, ['name', 'iso_a2'], 3, 5);
  assert.equal(result.layers[0]!.count, states.features.length);
  assert.equal(result.low.features, states.features.length);
  assert.ok(result.partitions.length > 15, `${result.partitions.length} partitions`);
  assert.ok(tiles > 300, `${tiles} tiles`);
  // The far east's wrapped copies reach the partitions on the other side of the antimeridian.
  assert.ok(result.partitions.some((p) => p.x === 0) && result.partitions.some((p) => p.x === 7), result.partitions.map((p) => `${p.x}/${p.y}`).join(' '));
  const pieces: SpilledFeature[] = [];
  readSpill(join(dir, 'states', LOW_BAND_FILE), (p) => pieces.push(p));
  assert.deepEqual(Object.keys(pieces[0]!.feature.tags!).sort(), ['iso_a2', 'name'], 'only the chosen attributes are kept');
});

test("the partitioner's clipped output equals the unclipped cut on world-atlas land-10m, and a partition holds its part of a continent, not the continent", () => {
  const topo = fileURLToPath(new URL('../../../node_modules/world-atlas/land-10m.json', import.meta.url));
  const text = execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-explodecollections', '/vsistdout/', topo, 'land'], { maxBuffer: 512 * 1024 * 1024 }).toString(
    'utf8',
  );
  const land = (JSON.parse(text) as GeoJSON.FeatureCollection).features;
  // Whole continents as single multi-part features: the islands gathered back by size into 4 features.
  const groups: GeoJSON.Position[][][][] = [[], [], [], []];
  land.forEach((f, i) => groups[i % 4]!.push((f.geometry as GeoJSON.Polygon).coordinates));
  const features: Feature[] = groups.map((coordinates, i) => ({ type: 'Feature', properties: { part: i }, geometry: { type: 'MultiPolygon', coordinates } }));
  const { result, out } = checkAgainstOneIndex('land', features, null, 3, 5);
  let partitionBytes = 0;
  for (const p of result.partitions) partitionBytes += statSync(join(out, partitionFileName(3, p.x, p.y))).size;
  // Whole features copied to every partition their bbox touches would be ~64× the band's bytes.
  assert.ok(partitionBytes < 2 * result.low.bytes, `partitions ${partitionBytes} bytes against ${result.low.bytes} in the band`);
  assert.ok(result.partitions.length > 30, `${result.partitions.length} partitions`);
});

test('geometries are clipped to Web Mercator latitudes, not squashed onto the edge', () => {
  const line = {
    type: 'LineString' as const,
    coordinates: [
      [0, 80],
      [0, 89],
      [10, 89],
      [10, 80],
    ],
  };
  const clipped = clipToLatitudes(line, MAX_LATITUDE, geometryBounds(line)!);
  assert.equal(clipped?.type, 'MultiLineString');
  const parts = (clipped as GeoJSON.MultiLineString).coordinates;
  assert.deepEqual(
    parts.map((p) => p.length),
    [2, 2],
  );
  assert.ok(Math.abs(parts[0]![1]![1]! - MAX_LATITUDE) < 1e-9 && parts[0]![1]![0] === 0);

  const polar = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [-180, -90],
        [180, -90],
        [180, -60],
        [-180, -60],
        [-180, -90],
      ],
    ],
  };
  const cap = clipToLatitudes(polar, MAX_LATITUDE, geometryBounds(polar)!) as GeoJSON.Polygon;
  assert.equal(Math.min(...cap.coordinates[0]!.map((p) => p[1]!)), -MAX_LATITUDE);

  const pole = { type: 'Point' as const, coordinates: [0, 88] };
  assert.equal(clipToLatitudes(pole, MAX_LATITUDE, geometryBounds(pole)!), null);
  const inside = { type: 'Point' as const, coordinates: [0, 45] };
  assert.equal(clipToLatitudes(inside, MAX_LATITUDE, geometryBounds(inside)!), inside);
});

test('the fixed-code gzip round-trips through zlib for any bytes', () => {
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 3000; k++) {
    const n = Math.floor(rnd() * (k % 20 === 0 ? 70000 : 700));
    const bytes = new Uint8Array(n);
    const alphabet = 1 + Math.floor(rnd() * 255);
    for (let i = 0; i < n; i++) bytes[i] = i > 8 && rnd() < 0.4 ? bytes[i - 1 - Math.floor(rnd() * Math.min(i - 1, 400))]! : Math.floor(rnd() * alphabet);
    assert.ok(zlib.gunzipSync(fastGzip(bytes)).equals(Buffer.from(bytes)), `case ${k} (${n} bytes)`);
  }
});
