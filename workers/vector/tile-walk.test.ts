import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorTile } from '@mapbox/vector-tile';
import type { Feature, FeatureCollection, Point } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { PbfReader } from 'pbf';
import { TesseraError } from '../../shared/errors.js';
import { AbortFlag } from '../abort-flag.js';
import { lonLatToUnit } from './tile-bounds.js';
import { type IndexInternals, type WalkLayer, type WalkOptions, tileId, walkTiles } from './tile-walk.js';

const EXTENT = 4096;
const INDEX = { indexMaxZoom: 0, extent: EXTENT, buffer: 0, tolerance: 3 } as const;

function collection(features: Feature[]): FeatureCollection {
  return { type: 'FeatureCollection', features };
}
function pointAt(lon: number, lat: number, properties: Record<string, unknown> = {}): Feature<Point> {
  return { type: 'Feature', properties, geometry: { type: 'Point', coordinates: [lon, lat] } };
}
const box = (w: number, s: number, e: number, n: number, properties: Record<string, unknown> = {}): Feature => ({
  type: 'Feature',
  properties,
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  },
});
const layerOf = (name: string, data: FeatureCollection, minZoom: number, maxZoom: number): WalkLayer => ({
  name,
  minZoom,
  maxZoom,
  index: new GeoJSONVT(data, { ...INDEX, maxZoom }),
});

interface Walked {
  tiles: Map<string, Uint8Array>;
  issues: { key: string; issue: string; detail: string }[];
  stats: ReturnType<typeof walkTiles>;
}

function walk(root: { z: number; x: number; y: number }, layers: WalkLayer[], options: Partial<WalkOptions> = {}): Walked {
  const tiles = new Map<string, Uint8Array>();
  const issues: Walked['issues'] = [];
  const stats = walkTiles(root, {
    layers,
    extent: EXTENT,
    minZoom: 0,
    stopZoom: 3,
    maxTileBytes: 500_000,
    thin: false,
    abort: new AbortFlag(undefined),
    emit: (z, x, y, tile) => {
      assert.ok(!tiles.has(`${z}/${x}/${y}`), `tile ${z}/${x}/${y} emitted twice`);
      tiles.set(`${z}/${x}/${y}`, tile.slice());
    },
    issue: (z, x, y, issue, detail) => issues.push({ key: `${z}/${x}/${y}`, issue, detail }),
    ...options,
  });
  return { tiles, issues, stats };
}

function decode(tile: Uint8Array): VectorTile {
  return new VectorTile(new PbfReader(tile));
}

/** The z/x/y of the tile holding (lon, lat) at zoom z. */
function tileOf(lon: number, lat: number, z: number): string {
  const [ux, uy] = lonLatToUnit(lon, lat);
  return `${z}/${Math.floor(ux * 2 ** z)}/${Math.floor(uy * 2 ** z)}`;
}

test('geojson-vt’s private fields the walk reads exist with the shapes it expects (fails on an upgrade that changes them)', () => {
  const index = new GeoJSONVT(collection([pointAt(100, 40)]), { ...INDEX, maxZoom: 6 });
  const own = index as unknown as IndexInternals;
  assert.ok(own.tiles !== null && typeof own.tiles === 'object' && !Array.isArray(own.tiles), 'index.tiles is a plain object (the tile cache)');
  assert.ok(Array.isArray(own.tileCoords), 'index.tileCoords is an array');
  // The cache is keyed by toID(z, x, y) = ((1 << z) * y + x) * 32 + z, as tileId computes it.
  assert.deepEqual(Object.keys(own.tiles).map(Number), [tileId(0, 0, 0)]);
  assert.deepEqual(own.tileCoords, [{ z: 0, x: 0, y: 0 }]);
  // Drilling to a child cuts all four children into the cache under those keys and lists them.
  const raw = index.getTileRaw(1, 1, 0);
  assert.ok(raw && raw.features.length === 1);
  assert.deepEqual(
    Object.keys(own.tiles)
      .map(Number)
      .sort((a, b) => a - b),
    [tileId(0, 0, 0), tileId(1, 0, 0), tileId(1, 1, 0), tileId(1, 0, 1), tileId(1, 1, 1)].sort((a, b) => a - b),
  );
  assert.equal(tileId(1, 1, 0), 33);
  assert.equal(own.tileCoords.length, 5);
  // The cache entry is the tile getTileRaw reads: the same feature array, not a copy.
  assert.equal((own.tiles[tileId(1, 1, 0)] as { features: unknown }).features, raw.features);
  // Once cut, the parent lets go of its source: a child deleted from the cache is gone for good,
  // which is why the walk cuts the children before it forgets a tile (and what keeps memory flat).
  delete own.tiles[tileId(1, 1, 0)];
  assert.equal(index.getTileRaw(1, 1, 0), null);
  assert.equal(index.getTileRaw(2, 3, 1), null, 'nor can its children be cut (the point is in 2/3/1)');
  // While a tile with features below it is still cached, its children are cut from it.
  const fresh = new GeoJSONVT(collection([pointAt(100, 40)]), { ...INDEX, maxZoom: 6 });
  assert.equal(fresh.getTileRaw(2, 3, 1)?.features.length, 1);
});

test('a point: exactly the tiles that hold it, from minZoom to stopZoom, each a valid MVT with the feature', () => {
  const lon = 10.3;
  const lat = 50.3;
  const { tiles, stats, issues } = walk({ z: 0, x: 0, y: 0 }, [layerOf('places', collection([pointAt(lon, lat, { name: 'Fulda' })]), 0, 6)], {
    minZoom: 2,
    stopZoom: 6,
  });
  assert.deepEqual([...tiles.keys()].sort(), [2, 3, 4, 5, 6].map((z) => tileOf(lon, lat, z)).sort());
  assert.equal(stats.tiles, 5);
  assert.equal(
    stats.rawBytes,
    [...tiles.values()].reduce((n, t) => n + t.length, 0),
  );
  assert.deepEqual(issues, []);
  for (const [key, bytes] of tiles) {
    const layer = decode(bytes).layers.places;
    assert.ok(layer, `${key}: layer places`);
    assert.equal(layer.length, 1);
    assert.equal(layer.feature(0).properties.name, 'Fulda');
    assert.equal(layer.extent, EXTENT);
  }
});

test('after a walk the index holds no tile: each is let go as soon as its children are cut', () => {
  const layer = layerOf('land', collection([box(-179.9, -85, 179.9, 85), pointAt(5, 5)]), 0, 5);
  const { tiles } = walk({ z: 0, x: 0, y: 0 }, [layer], { stopZoom: 4 });
  assert.equal(tiles.size, 1 + 4 + 16 + 64 + 256, 'every tile of z0–4 holds part of the box');
  const own = layer.index as unknown as IndexInternals;
  assert.deepEqual(Object.keys(own.tiles), []);
  assert.equal(own.tileCoords.length, 0);
});

test('the bbox ranges: only tiles inside each zoom’s range are written or descended into', () => {
  const ranges = [
    { minX: 0, minY: 0, maxX: 0, maxY: 0 },
    { minX: 1, minY: 0, maxX: 1, maxY: 0 },
    { minX: 2, minY: 0, maxX: 3, maxY: 1 },
    { minX: 5, minY: 1, maxX: 6, maxY: 2 },
  ];
  const { tiles } = walk({ z: 0, x: 0, y: 0 }, [layerOf('land', collection([box(-170, -80, 170, 80)]), 0, 3)], { ranges });
  assert.deepEqual([...tiles.keys()].sort(), ['0/0/0', '1/1/0', '2/2/0', '2/2/1', '2/3/0', '2/3/1', '3/5/1', '3/5/2', '3/6/1', '3/6/2'].sort());
});

test('a walk from a partition’s root stays in its subtree; empty subtrees are not visited', () => {
  // Data in two places: around (10°E, 50°N) and around (-100°E, 40°N).
  const data = collection([pointAt(10.3, 50.3), pointAt(-100.2, 40.2)]);
  const root = tileOf(10.3, 50.3, 2).split('/').map(Number) as [number, number, number];
  const { tiles } = walk({ z: root[0], x: root[1], y: root[2] }, [layerOf('p', data, 0, 5)], { stopZoom: 5 });
  assert.deepEqual([...tiles.keys()].sort(), [2, 3, 4, 5].map((z) => tileOf(10.3, 50.3, z)).sort());
});

test('layers keep their own zooms; two source layers of one name become one MVT layer', () => {
  const roads = layerOf('roads', collection([pointAt(10.3, 50.3, { kind: 'road' })]), 2, 3);
  const more = layerOf('roads', collection([pointAt(10.31, 50.31, { kind: 'track' })]), 0, 3);
  const countries = layerOf('countries', collection([box(0, 40, 20, 60)]), 0, 1);
  const { tiles } = walk({ z: 0, x: 0, y: 0 }, [roads, more, countries], { stopZoom: 3 });
  const at = (z: number) => decode(tiles.get(tileOf(10.3, 50.3, z))!);
  assert.deepEqual(Object.keys(at(0).layers).sort(), ['countries', 'roads']);
  assert.equal(at(0).layers.roads!.length, 1, 'z0: only the layer that starts at z0');
  assert.deepEqual(Object.keys(at(2).layers), ['roads'], 'z2: countries stop at z1');
  assert.equal(at(3).layers.roads!.length, 2, 'z3: both source layers, merged');
});

function crowd(n: number): FeatureCollection {
  const features: Feature[] = [];
  for (let i = 0; i < n; i++) features.push(pointAt(-170 + ((i * 37) % 340), -80 + ((i * 53) % 160), { id: i, name: `point number ${i}` }));
  return collection(features);
}

test('an oversized tile: written as it is when thinning is off, with an issue', () => {
  const { tiles, issues, stats } = walk({ z: 0, x: 0, y: 0 }, [layerOf('p', crowd(2000), 0, 0)], { stopZoom: 0, maxTileBytes: 4000 });
  assert.ok(tiles.get('0/0/0')!.length > 4000);
  assert.equal(stats.oversized, 1);
  assert.deepEqual(
    issues.map((i) => [i.key, i.issue]),
    [['0/0/0', 'oversized']],
  );
  assert.match(issues[0]!.detail, /written as it is: thinning is off/);
});

test('an oversized tile is thinned until it fits, and the dropped features are counted', () => {
  const { tiles, issues, stats } = walk({ z: 0, x: 0, y: 0 }, [layerOf('p', crowd(2000), 0, 0)], { stopZoom: 0, maxTileBytes: 20_000, thin: true });
  const tile = tiles.get('0/0/0')!;
  assert.ok(tile.length <= 20_000, `${tile.length} bytes`);
  assert.equal(stats.thinned, 1);
  assert.ok(stats.droppedFeatures > 0);
  assert.equal(decode(tile).layers.p!.length, 2000 - stats.droppedFeatures);
  assert.match(issues[0]!.detail, /thinned in \d+ round\(s\)/);
});

test('a tile that cannot be thinned to fit is left out and reported failed', () => {
  const { tiles, issues, stats } = walk({ z: 0, x: 0, y: 0 }, [layerOf('p', crowd(200), 0, 0)], { stopZoom: 0, maxTileBytes: 10, thin: true });
  assert.equal(tiles.size, 0);
  assert.equal(stats.failed, 1);
  assert.deepEqual(
    issues.map((i) => i.issue),
    ['failed'],
  );
});

test('a raised abort flag stops the walk with ABORTED', () => {
  const flag = new SharedArrayBuffer(4);
  Atomics.store(new Int32Array(flag), 0, 1);
  assert.throws(
    () => walk({ z: 0, x: 0, y: 0 }, [layerOf('p', crowd(10), 0, 3)], { abort: new AbortFlag(flag) }),
    (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED',
  );
});

test('a feature too small to draw at the root (simplified away) is still cut where it shows: the walk does not stop above it', () => {
  // 0.01° a side: below geojson-vt's tolerance at z0–4, drawn from about z5.
  const speck = layerOf('parcels', collection([box(-7.557, 49.767, -7.547, 49.777)]), 0, 12);
  const { tiles } = walk({ z: 0, x: 0, y: 0 }, [speck], { stopZoom: 12 });
  assert.ok(tiles.has('12/1962/1393'), `z12 tile cut; got ${[...tiles.keys()].join(' ')}`);
  // Nothing is written where it is not drawn: every tile written holds the parcel.
  for (const [key, bytes] of tiles) assert.equal(new VectorTile(new PbfReader(bytes)).layers.parcels?.length, 1, key);
});
