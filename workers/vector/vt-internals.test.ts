import assert from 'node:assert/strict';
import { test } from 'node:test';
import GeoJSONVT from 'geojson-vt';
import { LINE, POLYGON, SINGLE_POINT, asVtIndex, emptyIndex, storedVertices, vtClip, vtConvert, vtWrap } from './vt-internals.js';

const options = { maxZoom: 10, tolerance: 3, extent: 4096, buffer: 64 };

test('geojson-vt’s internal modules and fields have the shapes this code relies on (fails on an upgrade that changes them)', () => {
  for (const f of [vtConvert, vtClip, vtWrap]) assert.equal(typeof f, 'function');
  const index = emptyIndex(options);
  assert.equal(typeof index.splitTile, 'function');
  assert.deepEqual(index.tiles, {});
  assert.ok(Array.isArray(index.tileCoords));
  const o = index.options;
  assert.equal(o.useInt32, true);
  assert.equal(o.CoordArray, Int32Array);
  assert.equal(o.worldScale, 4096 * 2 ** 10);
  assert.equal(o.originShift, 0.5);

  const [square] = vtConvert(
    {
      type: 'Feature',
      properties: { a: 1 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [10, 0],
            [10, 10],
            [0, 10],
            [0, 0],
          ],
        ],
      },
    },
    o,
  );
  assert.ok(square && square.type === POLYGON);
  // [ring length, ring size, x, y, z, …] (feature.js), bounds in storage space.
  assert.equal(square.geometry[0], 5);
  assert.equal(square.geometry.length, 2 + 5 * 3);
  assert.equal(storedVertices(square), 5);
  assert.equal(square.minX, 0);
  assert.equal(square.maxX, Math.floor((10 / 360) * o.worldScale + 0.5));
  const [line] = vtConvert(
    {
      type: 'Feature',
      properties: null,
      geometry: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
    },
    o,
  );
  assert.equal(line?.type, LINE);
  const [point] = vtConvert({ type: 'Feature', properties: null, geometry: { type: 'Point', coordinates: [1, 1] } }, o);
  assert.equal(point?.type, SINGLE_POINT);

  // An index fed through splitTile at its top holds what the constructor would have built.
  const viaSplit = emptyIndex(options);
  viaSplit.splitTile(vtWrap([square], o), 0, 0, 0, 0, 0, 0);
  const built = asVtIndex(
    new GeoJSONVT(
      {
        type: 'Feature',
        properties: { a: 1 },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [10, 0],
              [10, 10],
              [0, 10],
              [0, 0],
            ],
          ],
        },
      },
      { ...options, indexMaxZoom: 0 },
    ),
  );
  assert.deepEqual(Object.keys(viaSplit.tiles), Object.keys(built.tiles));
});
