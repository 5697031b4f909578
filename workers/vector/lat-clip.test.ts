import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Geometry, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson';
import { clipToLatitudes, geometryBounds, vertexCount } from './lat-clip.js';
import { MAX_LATITUDE } from './tile-bounds.js';

const L = MAX_LATITUDE;
const clip = (g: Geometry) => clipToLatitudes(g, L, geometryBounds(g)!);
const lats = (points: Position[]) => points.map((p) => p[1]!);

test('bounds and vertex counts of every geometry type', () => {
  assert.deepEqual(geometryBounds({ type: 'Point', coordinates: [3, 4] }), [3, 4, 3, 4]);
  assert.deepEqual(
    geometryBounds({
      type: 'LineString',
      coordinates: [
        [0, 0],
        [10, -5],
        [-2, 7],
      ],
    }),
    [-2, -5, 10, 7],
  );
  const collection: Geometry = {
    type: 'GeometryCollection',
    geometries: [
      {
        type: 'MultiPoint',
        coordinates: [
          [1, 1],
          [2, 2],
        ],
      },
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [5, 0],
              [5, 5],
              [0, 0],
            ],
          ],
        ],
      },
    ],
  };
  assert.deepEqual(geometryBounds(collection), [0, 0, 5, 5]);
  assert.equal(vertexCount(collection), 6);
  assert.equal(geometryBounds({ type: 'MultiLineString', coordinates: [] }), null);
});

test('a geometry inside the band comes back as it is (the same object)', () => {
  const line: LineString = {
    type: 'LineString',
    coordinates: [
      [0, -80],
      [10, 80],
    ],
  };
  assert.equal(clip(line), line);
});

test('points beyond ±85.0511° are dropped; a geometry wholly beyond the band is null', () => {
  assert.equal(clip({ type: 'Point', coordinates: [0, 89] }), null);
  assert.deepEqual(
    clip({
      type: 'MultiPoint',
      coordinates: [
        [0, 89],
        [1, 10],
        [2, -86],
      ],
    }),
    { type: 'MultiPoint', coordinates: [[1, 10]] },
  );
  assert.equal(
    clip({
      type: 'LineString',
      coordinates: [
        [0, 86],
        [10, 89],
      ],
    }),
    null,
  );
  assert.equal(
    clip({
      type: 'Polygon',
      coordinates: [
        [
          [0, -86],
          [10, -86],
          [10, -90],
          [0, -90],
          [0, -86],
        ],
      ],
    }),
    null,
  );
});

test('a line to the pole ends at the limit, on the same meridian', () => {
  const out = clip({
    type: 'LineString',
    coordinates: [
      [20, 0],
      [20, 90],
    ],
  }) as LineString;
  assert.equal(out.type, 'LineString');
  assert.deepEqual(out.coordinates[0], [20, 0]);
  assert.equal(out.coordinates.length, 2);
  assert.ok(Math.abs(out.coordinates[1]![1]! - L) < 1e-9 && out.coordinates[1]![0] === 20);
});

test('a slanted line is cut where it crosses the limit (interpolated in degrees)', () => {
  const out = clip({
    type: 'LineString',
    coordinates: [
      [0, 80],
      [10, 90],
    ],
  }) as LineString;
  const [lon, lat] = out.coordinates[1]!;
  assert.ok(Math.abs(lat! - L) < 1e-9);
  assert.ok(Math.abs(lon! - (L - 80)) < 1e-9, `crossing at lon ${lon}`);
});

test('a line that leaves the band and comes back becomes two lines', () => {
  const out = clip({
    type: 'LineString',
    coordinates: [
      [0, 80],
      [5, 89],
      [10, 80],
    ],
  }) as MultiLineString;
  assert.equal(out.type, 'MultiLineString');
  assert.equal(out.coordinates.length, 2);
  for (const part of out.coordinates) for (const lat of lats(part)) assert.ok(lat <= L + 1e-9);
  assert.deepEqual(out.coordinates[0]![0], [0, 80]);
  assert.deepEqual(out.coordinates[1]!.at(-1), [10, 80]);
});

test('a line across both limits keeps only its middle; each part of a multi-line is clipped', () => {
  const out = clip({
    type: 'LineString',
    coordinates: [
      [0, -90],
      [0, 90],
    ],
  }) as LineString;
  assert.deepEqual(
    lats(out.coordinates).map((v) => Math.round(v * 1e6) / 1e6),
    [-85.051129, 85.051129],
  );
  const multi = clip({
    type: 'MultiLineString',
    coordinates: [
      [
        [0, 0],
        [0, 1],
      ],
      [
        [1, 86],
        [1, 88],
      ],
      [
        [2, 0],
        [2, -90],
      ],
    ],
  }) as MultiLineString;
  assert.equal(multi.coordinates.length, 2);
});

test('a polygon over the pole is cut flat at the limit, closed, its area inside the band only', () => {
  const out = clip({
    type: 'Polygon',
    coordinates: [
      [
        [-10, 70],
        [10, 70],
        [10, 90],
        [-10, 90],
        [-10, 70],
      ],
    ],
  }) as Polygon;
  const ring = out.coordinates[0]!;
  assert.deepEqual(ring[0], ring.at(-1), 'closed');
  const ys = lats(ring);
  assert.ok(Math.max(...ys) <= L && Math.abs(Math.max(...ys) - L) < 1e-9);
  assert.equal(Math.min(...ys), 70);
  assert.deepEqual(geometryBounds(out), [-10, 70, 10, Math.max(...ys)]);
});

test('a hole beyond the band goes, the polygon stays; an outer ring beyond it takes its polygon', () => {
  const outer: Position[] = [
    [-10, 70],
    [10, 70],
    [10, 89],
    [-10, 89],
    [-10, 70],
  ];
  const hole: Position[] = [
    [-1, 86],
    [1, 86],
    [1, 87],
    [-1, 87],
    [-1, 86],
  ];
  const out = clip({ type: 'Polygon', coordinates: [outer, hole] }) as Polygon;
  assert.equal(out.coordinates.length, 1, 'the hole was wholly beyond the limit');
  const multi = clip({
    type: 'MultiPolygon',
    coordinates: [
      [
        [
          [0, 86],
          [1, 86],
          [1, 88],
          [0, 86],
        ],
      ],
      [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    ],
  }) as MultiPolygon;
  assert.deepEqual(multi.coordinates, [
    [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ],
  ]);
});

test('a collection is clipped member by member, and dropped when nothing is left', () => {
  const out = clip({
    type: 'GeometryCollection',
    geometries: [
      { type: 'Point', coordinates: [0, 88] },
      {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [0, 88],
        ],
      },
    ],
  });
  assert.equal(out?.type, 'GeometryCollection');
  assert.equal((out as { geometries: Geometry[] }).geometries.length, 1);
  assert.equal(
    clip({
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [0, 88] },
        { type: 'Point', coordinates: [0, -88] },
      ],
    }),
    null,
  );
});
