import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import zlib from 'node:zlib';
import type { Feature } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { AbortFlag } from '../abort-flag.js';
import { fastGzip } from './fast-gzip.js';
import { clipToLatitudes, geometryBounds } from './lat-clip.js';
import { worldLayerGeoJson } from '../testing/natural-earth.js';
import { LOW_BAND_FILE, forEachLine, partitionFeatures, partitionFileName, partitionsOf } from './partition-features.js';
import { walkTiles } from './tile-walk.js';
import { MAX_LATITUDE } from './tile-bounds.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-partition-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const abort = new AbortFlag(undefined);
const options = { extent: 4096, buffer: 64, tolerance: 3 };

function readFeatures(path: string): Feature[] {
  const out: Feature[] = [];
  forEachLine(path, (line) => out.push(JSON.parse(line.slice(line.indexOf('\t') + 1)) as Feature));
  return out;
}

/** Every tile of the subtree of `root` down to `stopZoom`, by "z/x/y", as encoded bytes. */
function cut(features: Feature[], maxZoom: number, root: { z: number; x: number; y: number }, stopZoom: number, into: Map<string, Buffer>): void {
  const index = new GeoJSONVT({ type: 'FeatureCollection', features }, { maxZoom, indexMaxZoom: 0, ...options });
  walkTiles(root, {
    layers: [{ name: 'states', minZoom: 0, maxZoom, index }],
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

test('tiles cut partition by partition are byte for byte the tiles of one index over all the data', () => {
  // Europe, and the Russian Far East across the antimeridian (so wrapped copies are in play).
  const states = worldLayerGeoJson('states_provinces', [-30, 30, 180, 75]);
  const seq = join(dir, 'states.geojsonl');
  writeFileSync(seq, states.features.map((f) => JSON.stringify(f)).join('\n'));
  const P = 3;
  const maxZoom = 5;
  const out = join(dir, 'parts');
  const result = partitionFeatures(
    {
      files: [{ path: seq, layer: 0, attributes: ['name', 'iso_a2'] }],
      outDir: out,
      partitionZoom: P,
      ...options,
      bbox: null,
      minZoom: 0,
      lowBandTolerance: null,
    },
    abort,
  );
  assert.equal(result.layers[0]!.count, states.features.length);
  assert.equal(result.low.features, states.features.length);
  assert.ok(result.partitions.length > 15, `${result.partitions.length} partitions`);
  assert.deepEqual(Object.keys(readFeatures(join(out, LOW_BAND_FILE))[0]!.properties!).sort(), ['iso_a2', 'name'], 'only the chosen attributes are kept');

  const whole = new Map<string, Buffer>();
  const all = readFeatures(join(out, LOW_BAND_FILE));
  cut(all, maxZoom, { z: 0, x: 0, y: 0 }, maxZoom, whole);

  const split = new Map<string, Buffer>();
  cut(all, maxZoom, { z: 0, x: 0, y: 0 }, P - 1, split);
  for (const p of result.partitions) cut(readFeatures(join(out, partitionFileName(P, p.x, p.y))), maxZoom, { z: P, x: p.x, y: p.y }, maxZoom, split);

  assert.ok(whole.size > 300, `${whole.size} tiles`);
  assert.deepEqual([...split.keys()].sort(), [...whole.keys()].sort());
  for (const [key, bytes] of whole) assert.ok(bytes.equals(split.get(key)!), `tile ${key} differs`);
});

test('a feature within a buffer of the antimeridian also goes to the partition across it', () => {
  const eastEdge = partitionsOf([179.99, 10, 179.999, 11], 8, 64 / 4096 / 8);
  assert.ok(eastEdge.some(([x]) => x === 7) && eastEdge.some(([x]) => x === 0), JSON.stringify(eastEdge));
  const middle = partitionsOf([10, 10, 11, 11], 8, 64 / 4096 / 8);
  assert.deepEqual([...new Set(middle.map(([x]) => x))], [4]);
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
