/**
 * Esri JSON → WKB, checked by GDAL itself: each WKB is parsed by gdal.Geometry.fromWKB and compared
 * as WKT (full precision), so the test does not trust the writer it checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import gdal from 'gdal-async';
import { esriGeometryToWkb, organizeRings, signedArea2, type Dimensions, type EsriGeometryType } from './esri-geometry.js';

const XY: Dimensions = { hasZ: false, hasM: false };

/**
 * GDAL reads the WKB back and writes it again byte for byte (so it understood every type code and
 * ordinate); the WKT is GDAL's, with the ISO Z tag added (gdal-async's toWKT is the legacy form).
 * M geometries are checked by their ISO type code and the M values read back from GDAL's own WKB.
 */
function wkt(geometry: unknown, type: EsriGeometryType, dims: Dimensions = XY): string | null {
  const wkb = esriGeometryToWkb(geometry, type, dims);
  if (wkb === null) return null;
  const g = gdal.Geometry.fromWKB(wkb);
  assert.deepEqual(g.toWKB(gdal.wkbNDR, gdal.wkbVariantIso), wkb);
  return g
    .toWKT()
    .replace(/^(\w+) /, (_, name: string) => `${name}${dims.hasZ ? ' Z' : ''} `)
    .replace(
      /^(MULTIPOINT(?: Z)? )\(([^()]*)\)$/,
      (_, head: string, body: string) =>
        `${head}(${body
          .split(',')
          .map((p) => `(${p})`)
          .join(',')})`,
    );
}

/** GDAL's ISO type code and every double of the WKB GDAL writes back (for M checks). */
function gdalView(geometry: unknown, type: EsriGeometryType, dims: Dimensions): { type: number; wkb: Buffer } {
  const wkb = esriGeometryToWkb(geometry, type, dims)!;
  const g = gdal.Geometry.fromWKB(wkb);
  const again = g.toWKB(gdal.wkbNDR, gdal.wkbVariantIso);
  assert.deepEqual(again, wkb, 'GDAL writes back exactly what it read');
  return { type: again.readUInt32LE(1), wkb: again };
}

test("points: x/y, Z, M, ZM, and Esri's empty point", () => {
  assert.equal(wkt({ x: -122.4194155, y: 37.7749295 }, 'esriGeometryPoint'), 'POINT (-122.4194155 37.7749295)');
  assert.equal(wkt({ x: 1, y: 2, z: 3 }, 'esriGeometryPoint', { hasZ: true, hasM: false }), 'POINT Z (1 2 3)');
  const m = gdalView({ x: 1, y: 2, m: 4 }, 'esriGeometryPoint', { hasZ: false, hasM: true });
  assert.equal(m.type, 2001);
  assert.deepEqual([m.wkb.readDoubleLE(5), m.wkb.readDoubleLE(13), m.wkb.readDoubleLE(21)], [1, 2, 4]);
  const zm = gdalView({ x: 1, y: 2, z: 3, m: 4 }, 'esriGeometryPoint', { hasZ: true, hasM: true });
  assert.equal(zm.type, 3001);
  assert.deepEqual(
    [5, 13, 21, 29].map((o) => zm.wkb.readDoubleLE(o)),
    [1, 2, 3, 4],
  );
  assert.equal(wkt({ x: null, y: null }, 'esriGeometryPoint'), 'POINT EMPTY');
  assert.equal(wkt({ x: 'NaN', y: 'NaN' }, 'esriGeometryPoint'), 'POINT EMPTY');
  assert.equal(wkt(null, 'esriGeometryPoint'), null);
});

test('full double precision survives', () => {
  const x = 0.1 + 0.2; // 0.30000000000000004
  // biome-ignore lint/correctness/noPrecisionLoss: the literal is the service's text, more digits than a double holds
  const wkb = esriGeometryToWkb({ x, y: -45.827688295000001 }, 'esriGeometryPoint', XY)!;
  assert.equal(wkb.readDoubleLE(5), x);
  // biome-ignore lint/correctness/noPrecisionLoss: as above, compared with the double it parses to
  assert.equal(wkb.readDoubleLE(13), -45.827688295000001);
});

test('multipoints and polylines (single and multipart, with Z and M)', () => {
  assert.equal(
    wkt(
      {
        points: [
          [1, 2],
          [3, 4],
        ],
      },
      'esriGeometryMultipoint',
    ),
    'MULTIPOINT ((1 2),(3 4))',
  );
  assert.equal(
    wkt(
      {
        paths: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      },
      'esriGeometryPolyline',
    ),
    'MULTILINESTRING ((0 0,1 1))',
  );
  assert.equal(
    wkt(
      {
        paths: [
          [
            [0, 0],
            [1, 1],
          ],
          [
            [2, 2],
            [3, 3],
            [4, 2],
          ],
        ],
      },
      'esriGeometryPolyline',
    ),
    'MULTILINESTRING ((0 0,1 1),(2 2,3 3,4 2))',
  );
  assert.equal(
    wkt(
      {
        hasZ: true,
        paths: [
          [
            [0, 0, 10],
            [1, 1, 11],
          ],
        ],
      },
      'esriGeometryPolyline',
      { hasZ: true, hasM: false },
    ),
    'MULTILINESTRING Z ((0 0 10,1 1 11))',
  );
  // M without Z: Esri writes [x, y, m]. Header 9 bytes, line header 9: coordinates from byte 18.
  const m = gdalView(
    {
      hasM: true,
      paths: [
        [
          [0, 0, 5],
          [1, 1, 6],
        ],
      ],
    },
    'esriGeometryPolyline',
    { hasZ: false, hasM: true },
  );
  assert.equal(m.type, 2005);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => m.wkb.readDoubleLE(18 + i * 8)),
    [0, 0, 5, 1, 1, 6],
  );
  const zm = gdalView(
    {
      paths: [
        [
          [0, 0, 10, 5],
          [1, 1, 11, null],
        ],
      ],
    },
    'esriGeometryPolyline',
    { hasZ: true, hasM: true },
  );
  assert.equal(zm.type, 3005);
  const ordinates = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => zm.wkb.readDoubleLE(18 + i * 8));
  assert.deepEqual(ordinates.slice(0, 7), [0, 0, 10, 5, 1, 1, 11]);
  assert.ok(Number.isNaN(ordinates[7]), 'a missing M is NaN, not an invented 0');
});

test('polygons: clockwise rings are shells, counter-clockwise rings are holes of the ring around them', () => {
  const shell = [
    [0, 0],
    [0, 10],
    [10, 10],
    [10, 0],
    [0, 0],
  ]; // clockwise (y up)
  const hole = [
    [2, 2],
    [4, 2],
    [4, 4],
    [2, 4],
    [2, 2],
  ]; // counter-clockwise
  const island = [
    [20, 0],
    [20, 5],
    [25, 5],
    [25, 0],
    [20, 0],
  ]; // clockwise, elsewhere
  assert.ok(signedArea2(shell) < 0 && signedArea2(hole) > 0);
  assert.equal(wkt({ rings: [shell] }, 'esriGeometryPolygon'), 'MULTIPOLYGON (((0 0,0 10,10 10,10 0,0 0)))');
  assert.equal(wkt({ rings: [shell, hole] }, 'esriGeometryPolygon'), 'MULTIPOLYGON (((0 0,0 10,10 10,10 0,0 0),(2 2,4 2,4 4,2 4,2 2)))');
  // Esri does not promise holes follow their shell: a hole first, then two shells.
  assert.equal(
    wkt({ rings: [hole, island, shell] }, 'esriGeometryPolygon'),
    'MULTIPOLYGON (((20 0,20 5,25 5,25 0,20 0)),((0 0,0 10,10 10,10 0,0 0),(2 2,4 2,4 4,2 4,2 2)))',
  );
  // A shell inside a hole inside a shell (an island in a lake): the inner hole goes to the smallest shell.
  const lakeIsland = [
    [3, 3],
    [3, 3.5],
    [3.5, 3.5],
    [3.5, 3],
    [3, 3],
  ];
  const pond = [
    [3.1, 3.1],
    [3.3, 3.1],
    [3.3, 3.3],
    [3.1, 3.3],
    [3.1, 3.1],
  ];
  const polygons = organizeRings([shell, hole, lakeIsland, pond]);
  assert.equal(polygons.length, 2);
  assert.deepEqual(polygons[1], [lakeIsland, pond]);
  // A hole no shell contains (broken orientation) is kept as a polygon, never dropped.
  assert.equal(
    organizeRings([
      [
        [50, 50],
        [52, 50],
        [52, 52],
        [50, 52],
        [50, 50],
      ],
    ]).length,
    1,
  );
  // An unclosed ring is closed.
  assert.equal(
    wkt(
      {
        rings: [
          [
            [0, 0],
            [0, 1],
            [1, 1],
          ],
        ],
      },
      'esriGeometryPolygon',
    ),
    'MULTIPOLYGON (((0 0,0 1,1 1,0 0)))',
  );
  assert.equal(wkt({ rings: [] }, 'esriGeometryPolygon'), 'MULTIPOLYGON EMPTY');
});

test('polygons with Z and M keep every ordinate', () => {
  const ring = [
    [0, 0, 1, 9],
    [0, 1, 2, 8],
    [1, 1, 3, 7],
    [0, 0, 1, 9],
  ];
  const zm = gdalView({ hasZ: true, hasM: true, rings: [ring] }, 'esriGeometryPolygon', { hasZ: true, hasM: true });
  assert.equal(zm.type, 3006);
  // Multi header and count 9 bytes, polygon header and ring count 9, point count 4: coordinates from byte 22.
  assert.deepEqual(
    Array.from({ length: 16 }, (_, i) => zm.wkb.readDoubleLE(22 + i * 8)),
    ring.flat(),
  );
  assert.equal(
    wkt({ hasZ: true, rings: [ring.map((c) => c.slice(0, 3))] }, 'esriGeometryPolygon', { hasZ: true, hasM: false }),
    'MULTIPOLYGON Z (((0 0 1,0 1 2,1 1 3,0 0 1)))',
  );
});

test('envelopes become one rectangle; true curves are refused by name', () => {
  assert.equal(wkt({ xmin: 1, ymin: 2, xmax: 3, ymax: 4 }, 'esriGeometryEnvelope'), 'MULTIPOLYGON (((1 2,1 4,3 4,3 2,1 2)))');
  assert.throws(() => esriGeometryToWkb({ curveRings: [] }, 'esriGeometryPolygon', XY), /true curves/);
  assert.throws(() => esriGeometryToWkb({ paths: [[[0, 'a']]] }, 'esriGeometryPolyline', XY), /ordinate must be a number/);
});
