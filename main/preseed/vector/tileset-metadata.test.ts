import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerStatsCollector } from '../../../workers/vector/layer-stats.js';
import { fieldType, type LayerOutcome, vectorLayers } from './tileset-metadata.js';

function stats(features: { geometry: GeoJSON.Geometry; properties: Record<string, unknown> }[]): LayerOutcome['stats'] {
  const c = new LayerStatsCollector();
  for (const f of features) c.add(f.geometry, f.properties);
  return c.result();
}

const point = (x: number, y: number): GeoJSON.Geometry => ({ type: 'Point', coordinates: [x, y] });
const square: GeoJSON.Geometry = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ],
  ],
};

test('OGR field types map to MBTiles field types: integers and reals are Number, the rest String', () => {
  for (const t of ['Integer', 'integer64', 'Real', 'REAL']) assert.equal(fieldType(t), 'Number', t);
  for (const t of ['String', 'Date', 'DateTime', 'Binary', 'IntegerList', '']) assert.equal(fieldType(t), 'String', t);
});

test('one vector_layers entry per layer: fields typed, zooms; tilestats with counts, geometry and attributes', () => {
  const { vectorLayers: layers, tilestats } = vectorLayers([
    {
      name: 'places',
      minZoom: 3,
      maxZoom: 10,
      fields: { name: 'String', pop: 'Integer' },
      stats: stats([
        { geometry: point(1, 2), properties: { name: 'A', pop: 10 } },
        { geometry: point(3, 4), properties: { name: 'B', pop: 20 } },
      ]),
    },
    { name: 'land', minZoom: 0, maxZoom: 6, fields: { kind: 'String' }, stats: stats([{ geometry: square, properties: { kind: 'island' } }]) },
  ]);
  assert.deepEqual(layers, [
    { id: 'places', minzoom: 3, maxzoom: 10, fields: { name: 'String', pop: 'Number' } },
    { id: 'land', minzoom: 0, maxzoom: 6, fields: { kind: 'String' } },
  ]);
  const t = tilestats as {
    layerCount: number;
    layers: {
      layer: string;
      count: number;
      geometry: string;
      attributeCount: number;
      attributes: { attribute: string; type: string; values: unknown[]; min?: number; max?: number }[];
    }[];
  };
  assert.equal(t.layerCount, 2);
  assert.deepEqual(
    t.layers.map((l) => [l.layer, l.count, l.geometry, l.attributeCount]),
    [
      ['places', 2, 'Point', 2],
      ['land', 1, 'Polygon', 1],
    ],
  );
  const pop = t.layers[0]!.attributes.find((a) => a.attribute === 'pop')!;
  assert.deepEqual([pop.type, pop.min, pop.max, [...pop.values].sort()], ['number', 10, 20, [10, 20]]);
});

test('source layers of one name are one layer: zooms widened, fields united, counts added', () => {
  const { vectorLayers: layers, tilestats } = vectorLayers([
    {
      name: 'roads',
      minZoom: 5,
      maxZoom: 9,
      fields: { name: 'String' },
      stats: stats([
        {
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [1, 1],
            ],
          },
          properties: { name: 'M1' },
        },
      ]),
    },
    {
      name: 'roads',
      minZoom: 7,
      maxZoom: 12,
      fields: { lanes: 'Integer' },
      stats: stats([
        {
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [2, 2],
            ],
          },
          properties: { lanes: 3 },
        },
        {
          geometry: {
            type: 'LineString',
            coordinates: [
              [0, 0],
              [3, 3],
            ],
          },
          properties: { lanes: 2 },
        },
      ]),
    },
  ]);
  assert.deepEqual(layers, [{ id: 'roads', minzoom: 5, maxzoom: 12, fields: { name: 'String', lanes: 'Number' } }]);
  const t = tilestats as { layerCount: number; layers: { count: number; geometry: string }[] };
  assert.equal(t.layerCount, 1);
  assert.equal(t.layers[0]!.count, 3);
  assert.equal(t.layers[0]!.geometry, 'LineString');
});

test('the values seen win over the declared type (GDAL writes OGR booleans as true/false); a layer without features is Unknown', () => {
  const { vectorLayers: layers, tilestats } = vectorLayers([
    {
      name: 'flags',
      minZoom: 0,
      maxZoom: 4,
      fields: { ok: 'Integer', code: 'String' },
      stats: stats([{ geometry: point(0, 0), properties: { ok: true, code: 7 } }]),
    },
    { name: 'empty', minZoom: 0, maxZoom: 4, fields: { a: 'Real' }, stats: stats([]) },
  ]);
  assert.deepEqual(layers[0]!.fields, { ok: 'Boolean', code: 'Number' });
  assert.deepEqual(layers[1]!.fields, { a: 'Number' });
  assert.equal((tilestats as { layers: { geometry: string; count: number }[] }).layers[1]!.geometry, 'Unknown');
});
