import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorPreseedParams } from '../../../shared/contract.js';
import { chooseLayers } from './layer-choice.js';
import type { SourceInfo, SourceLayerInfo } from './source-info.js';

function layer(name: string, fields: Record<string, string>): SourceLayerInfo {
  return { name, featureCount: 10, fields, bounds: [0, 0, 1, 1], crs: 'WGS 84', samplePoint: [0.5, 0.5] };
}

const world: SourceInfo = {
  path: '/data/world.gpkg',
  driver: 'GPKG',
  layers: [layer('countries', { name: 'String', pop: 'Integer' }), layer('rivers', { name: 'String', length: 'Real' })],
};
const scot: SourceInfo = { path: '/data/scot.shp', driver: 'ESRI Shapefile', layers: [layer('countries', { NAME: 'String', name: 'String' })] };

function params(extra: Record<string, unknown> = {}): VectorPreseedParams {
  return VectorPreseedParams.parse({ sources: ['/data/world.gpkg', '/data/scot.shp'], output: '/out/x.mbtiles', minZoom: 2, maxZoom: 8, ...extra });
}

test('no layers: every layer of every source under its own name, all attributes, the job zooms, ids in order', () => {
  const { bySource, problems } = chooseLayers(params(), [world, scot]);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    bySource.map((ls) => ls.map((l) => [l.id, l.source, l.sourceLayer, l.name, l.attributes, l.minZoom, l.maxZoom])),
    [
      [
        [0, 0, 'countries', 'countries', null, 2, 8],
        [1, 0, 'rivers', 'rivers', null, 2, 8],
      ],
      [[2, 1, 'countries', 'countries', null, 2, 8]],
    ],
  );
  assert.deepEqual(bySource[0]![1]!.fields, { name: 'String', length: 'Real' });
});

test('job attributes are kept where a layer has them: fields hold only those present', () => {
  const { bySource, problems } = chooseLayers(params({ attributes: ['name', 'pop'] }), [world, scot]);
  assert.deepEqual(problems, []);
  assert.deepEqual(bySource[0]![0]!.attributes, ['name', 'pop']);
  assert.deepEqual(bySource[0]![0]!.fields, { name: 'String', pop: 'Integer' });
  assert.deepEqual(bySource[0]![1]!.fields, { name: 'String' });
  assert.deepEqual(bySource[1]![0]!.fields, { name: 'String' });
});

test('a choice applies to every source holding the layer: renamed, own attributes, zooms clamped into the job', () => {
  const { bySource, problems } = chooseLayers(params({ layers: [{ name: 'countries', as: 'admin', attributes: ['name'], minZoom: 0, maxZoom: 12 }] }), [
    world,
    scot,
  ]);
  assert.deepEqual(problems, []);
  for (const [s, layers] of bySource.entries()) {
    assert.equal(layers.length, 1);
    assert.deepEqual(
      { ...layers[0]!, fields: undefined },
      { id: s, source: s, sourceLayer: 'countries', name: 'admin', attributes: ['name'], minZoom: 2, maxZoom: 8, fields: undefined },
    );
  }
});

test('an empty attribute list keeps none', () => {
  const { bySource } = chooseLayers(params({ layers: [{ name: 'rivers', attributes: [] }] }), [world, scot]);
  assert.deepEqual(bySource[0]![0]!.attributes, []);
  assert.deepEqual(bySource[0]![0]!.fields, {});
});

test('problems name the field: unknown layer (with the names there are), zooms reversed or outside the job, unknown attributes, a source with none of the layers', () => {
  const { problems } = chooseLayers(
    params({
      layers: [{ name: 'lakes' }, { name: 'rivers', minZoom: 7, maxZoom: 5, attributes: ['depth'] }, { name: 'countries', minZoom: 10 }],
      attributes: ['colour'],
    }),
    [world, scot],
  );
  const byField = Object.fromEntries(problems.map((p) => [p.field, p.message]));
  assert.match(byField['params.layers.0.name']!, /no source has a layer named "lakes" \(they have: countries, rivers\)/);
  assert.match(byField['params.layers.1.minZoom']!, /minZoom 7 is greater than maxZoom 5/);
  assert.match(byField['params.layers.1.attributes']!, /layer "rivers" has no attribute "depth"/);
  assert.match(byField['params.layers.2']!, /outside the job's z2–8/);
  assert.match(byField['params.attributes']!, /no chosen layer has an attribute "colour"/);
  assert.equal(byField['params.sources.1'], undefined, 'scot has countries');
  const only = chooseLayers(params({ layers: [{ name: 'rivers' }] }), [world, scot]).problems;
  assert.deepEqual(only, [{ field: 'params.sources.1', message: '/data/scot.shp has none of the chosen layers (it has: countries)' }]);
});

test('a layer name that no source has is one problem, not one more per source (the CLI printed it twice)', () => {
  const { problems } = chooseLayers(params({ layers: [{ name: 'nosuch' }] }), [world, scot]);
  assert.deepEqual(problems, [{ field: 'params.layers.0.name', message: 'no source has a layer named "nosuch" (they have: countries, rivers)' }]);
});

test('an unreadable source (null) gets no layers and raises no layer problems of its own', () => {
  const { bySource, problems } = chooseLayers(params({ layers: [{ name: 'rivers' }] }), [world, null]);
  assert.deepEqual(bySource[1], []);
  assert.deepEqual(problems, []);
  // With nothing readable, a layer name cannot be checked: no problem is made up.
  assert.deepEqual(chooseLayers(params({ layers: [{ name: 'lakes' }] }), [null, null]).problems, []);
});
