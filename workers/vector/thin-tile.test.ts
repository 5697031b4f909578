import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerToEncode, RawTileFeature } from './mvt-encode.js';
import { MAX_THIN_ROUNDS, thinLayers } from './thin-tile.js';

const EXTENT = 4096;
const point = (x: number, y: number, id: number): RawTileFeature => ({ type: 4, x, y, id, tags: { id } });
/** A closed ring, counter-clockwise in tile coordinates (y down), as geojson-vt winds an outer ring: positive signed area here. */
const square = (x: number, y: number, size: number, outer = true): Int32Array => {
  const ring = [x, y, x, y + size, x + size, y + size, x + size, y, x, y];
  if (!outer)
    for (let i = 0; i < ring.length / 2; i += 2)
      [ring[i], ring[i + 1], ring[ring.length - 2 - i], ring[ring.length - 1 - i]] = [
        ring[ring.length - 2 - i]!,
        ring[ring.length - 1 - i]!,
        ring[i]!,
        ring[i + 1]!,
      ];
  return Int32Array.from(ring);
};

test('round 1 keeps one point per 8-unit cell: a cluster collapses, scattered points stay', () => {
  const cluster = Array.from({ length: 50 }, (_, i) => point(1000 + (i % 5), 1000 + Math.floor(i / 10), i)); // all inside one 8×8 cell
  const scattered = Array.from({ length: 10 }, (_, i) => point(100 + i * 300, 2000, 100 + i));
  const { layers, dropped } = thinLayers([{ name: 'places', features: [...cluster, ...scattered] }], 1, EXTENT);
  assert.equal(layers[0]!.name, 'places');
  assert.equal(layers[0]!.features.length, 11);
  assert.equal(layers[0]!.features[0]!.id, 0, 'the first point of a cell is the one kept');
  assert.deepEqual(dropped, { features: 49, vertices: 0 });
});

test('each round doubles the cell: points 20 units apart survive round 1 and 2, not round 3 (cell 32)', () => {
  const row: RawTileFeature[] = Array.from({ length: 8 }, (_, i) => point(1024 + i * 20, 1024, i));
  const kept = (round: number) => thinLayers([{ name: 'p', features: row }], round, EXTENT).layers[0]!.features.length;
  assert.equal(kept(1), 8);
  assert.equal(kept(2), 8);
  assert.ok(kept(3) < 8 && kept(3) >= 4, `round 3 kept ${kept(3)}`);
  assert.equal(kept(MAX_THIN_ROUNDS), 1, 'the last round leaves one point in a cell wider than the tile');
});

test('a multi-point loses the points that share a cell with an earlier one, counted as vertices', () => {
  const multi: RawTileFeature = { type: 1, id: 1, tags: null, geometry: Int32Array.from([10, 10, 11, 11, 12, 12, 500, 500]) };
  const { layers, dropped } = thinLayers([{ name: 'm', features: [multi] }], 1, EXTENT);
  assert.deepEqual([...(layers[0]!.features[0] as { geometry: Int32Array }).geometry], [10, 10, 500, 500]);
  assert.deepEqual(dropped, { features: 0, vertices: 2 });
});

test('lines are simplified (Douglas–Peucker at 2 units in round 1), end points kept; a line that becomes a point goes', () => {
  // A straight line with 1-unit wiggles: everything but the ends goes.
  const wiggly: number[] = [];
  for (let x = 0; x <= 1000; x += 10) wiggly.push(x, 500 + (x % 20 === 0 ? 0 : 1));
  const line: RawTileFeature = { type: 2, id: 1, tags: null, geometry: [Int32Array.from(wiggly)] };
  const { layers, dropped } = thinLayers([{ name: 'roads', features: [line] }], 1, EXTENT);
  const out = (layers[0]!.features[0] as { geometry: Int32Array[] }).geometry[0]!;
  assert.deepEqual([...out], [0, 500, 1000, 500]);
  assert.deepEqual(dropped, { features: 0, vertices: wiggly.length / 2 - 2 });
  // A corner of 100 units is kept.
  const corner: RawTileFeature = { type: 2, tags: null, geometry: [Int32Array.from([0, 0, 500, 100, 1000, 0])] };
  assert.equal((thinLayers([{ name: 'r', features: [corner] }], 1, EXTENT).layers[0]!.features[0] as { geometry: Int32Array[] }).geometry[0]!.length, 6);
});

test('polygons: a ring smaller than the tolerance goes, with the holes of an outer ring that goes', () => {
  const big = square(100, 100, 1000);
  const hole = square(300, 300, 100, false);
  const tiny = square(2000, 2000, 1);
  const tinyHole = square(2000, 2000, 1, false);
  const polygon: RawTileFeature = { type: 3, id: 7, tags: { name: 'lake' }, geometry: [big, hole, tiny, tinyHole] };
  const { layers, dropped } = thinLayers([{ name: 'water', features: [polygon] }], 1, EXTENT);
  const rings = (layers[0]!.features[0] as { geometry: Int32Array[] }).geometry;
  assert.equal(rings.length, 2, 'the big square and its hole');
  assert.deepEqual([...rings[0]!], [...big]);
  assert.deepEqual([...rings[1]!], [...hole]);
  assert.deepEqual(dropped, { features: 0, vertices: 10 });
  // A polygon whose only ring is small goes altogether.
  const speck: RawTileFeature = { type: 3, tags: null, geometry: [square(50, 50, 1)] };
  assert.deepEqual(thinLayers([{ name: 'w', features: [speck] }], 1, EXTENT).dropped, { features: 1, vertices: 5 });
});

test('thinning works on copies: the index’s own arrays are left as they were', () => {
  const ring = square(0, 0, 3000);
  const wiggly = Int32Array.from([0, 0, 1, 1, 2, 0, 3, 1, 1000, 0]);
  const layers: LayerToEncode[] = [
    {
      name: 'x',
      features: [
        { type: 3, tags: null, geometry: [ring] },
        { type: 2, tags: null, geometry: [wiggly] },
      ],
    },
  ];
  const before = [[...ring], [...wiggly]];
  thinLayers(layers, 5, EXTENT);
  assert.deepEqual([[...ring], [...wiggly]], before);
});

test('cells scale with the extent: at extent 512 a round-1 cell is 1 unit, so points 1 unit apart all stay', () => {
  const row: RawTileFeature[] = Array.from({ length: 5 }, (_, i) => point(96 + i, 100, i)); // one 8-unit cell at extent 4096
  assert.equal(thinLayers([{ name: 'p', features: row }], 1, 512).layers[0]!.features.length, 5);
  assert.equal(thinLayers([{ name: 'p', features: row }], 1, EXTENT).layers[0]!.features.length, 1);
});
