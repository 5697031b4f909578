import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Geometry } from 'geojson';
import { LayerStatsCollector, dominant, geometryKind, mergeLayerStats } from './layer-stats.js';

const point: Geometry = { type: 'Point', coordinates: [0, 0] };
const line: Geometry = {
  type: 'LineString',
  coordinates: [
    [0, 0],
    [1, 1],
  ],
};
const polygon: Geometry = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ],
  ],
};

test('geometry kinds as tilestats names them; a collection takes its first member’s', () => {
  assert.equal(geometryKind({ type: 'MultiPoint', coordinates: [] }), 'Point');
  assert.equal(geometryKind({ type: 'MultiLineString', coordinates: [] }), 'LineString');
  assert.equal(geometryKind(polygon), 'Polygon');
  assert.equal(geometryKind({ type: 'GeometryCollection', geometries: [line, point] }), 'LineString');
  assert.equal(geometryKind({ type: 'GeometryCollection', geometries: [] }), null);
});

test('a layer’s statistics: count, dominant geometry, attribute types, samples and numeric range; nulls skipped', () => {
  const c = new LayerStatsCollector();
  c.add(polygon, { name: 'a', pop: 10, capital: true, extra: null });
  c.add(polygon, { name: 'b', pop: -5, capital: false, tags: { x: 1 } });
  c.add(line, { name: 'a', pop: 'unknown' });
  const stats = c.result();
  assert.equal(stats.count, 3);
  assert.equal(stats.geometry, 'Polygon');
  assert.deepEqual(stats.geometries, { Polygon: 2, LineString: 1 });
  const byName = Object.fromEntries(stats.attributes.map((a) => [a.attribute, a]));
  assert.deepEqual(byName.name, { attribute: 'name', count: 2, type: 'string', values: ['a', 'b'] });
  assert.deepEqual(byName.pop, { attribute: 'pop', count: 3, type: 'mixed', values: [10, -5, 'unknown'], min: -5, max: 10 });
  assert.deepEqual(byName.capital, { attribute: 'capital', count: 2, type: 'boolean', values: [true, false] });
  assert.deepEqual(byName.tags!.values, ['{"x":1}'], 'objects are described as their JSON');
  assert.equal(byName.extra, undefined, 'an attribute that is only ever null is not described');
});

test('samples stop at 100 distinct values, the range does not', () => {
  const c = new LayerStatsCollector();
  for (let i = 0; i < 250; i++) c.add(point, { n: i });
  const [n] = c.result().attributes;
  assert.equal(n!.count, 100);
  assert.equal(n!.values.length, 100);
  assert.deepEqual([n!.min, n!.max], [0, 249]);
});

test('merging the statistics of several sources of one layer', () => {
  const a = new LayerStatsCollector();
  a.add(point, { kind: 'city', rank: 1 });
  const b = new LayerStatsCollector();
  b.add(point, { kind: 'town', rank: 7 });
  b.add(line, { kind: 7 });
  const merged = mergeLayerStats([a.result(), b.result()]);
  assert.equal(merged.count, 3);
  assert.deepEqual(merged.geometries, { Point: 2, LineString: 1 });
  assert.equal(merged.geometry, 'Point');
  const kind = merged.attributes.find((x) => x.attribute === 'kind')!;
  assert.equal(kind.type, 'mixed');
  assert.deepEqual(kind.values, ['city', 'town', 7]);
  const rank = merged.attributes.find((x) => x.attribute === 'rank')!;
  assert.deepEqual([rank.type, rank.min, rank.max], ['number', 1, 7]);
  assert.equal(dominant({}), null);
});
