import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogDataset, JobItem, KindedParams } from '../../shared/contract.js';
import { jobOutputs } from './job-outputs.js';
import { bboxOf } from '../../shared/kinds/fields.js';

function item(label: string, result: Record<string, unknown> | null, state: JobItem['state'] = 'succeeded'): JobItem {
  return {
    id: 1,
    jobId: 1,
    ordinal: 0,
    label,
    state,
    attempts: 1,
    done: 1,
    total: 1,
    failed: 0,
    bytes: 0,
    skipped: 0,
    error: null,
    result,
    startedAt: null,
    finishedAt: null,
  };
}

function dataset(id: number, name: string, bounds: CatalogDataset['bounds'], layers: [string, CatalogDataset['bounds']][] = []): CatalogDataset {
  return {
    id,
    name,
    kind: 'vector',
    path: `/data/catalog/${id}/${name}.gpkg`,
    layers: layers.map(([layer, b]) => ({
      name: layer,
      geometryType: 'Polygon',
      featureCount: 1,
      fields: [],
      crs: 'EPSG:4326',
      bounds: b,
      invalidGeometries: 0,
    })),
    raster: null,
    bounds,
    sizeBytes: 1,
    source: { type: 'file', files: [] },
    jobId: 1,
    createdAt: '',
    updatedAt: '',
    thumbnail: null,
    preview: null,
    analysisPending: false,
  };
}

const preseed = { minZoom: 0, maxZoom: 4, mode: 'resume' as const, output: '/out/x.mbtiles' };

test('verify: the cache it checked, no footprints', () => {
  const out = jobOutputs({ kind: 'verify', params: { cache: '/c/a.pmtiles', maxTileBytes: 1 } }, [item('z3', { empty: 0 })], null);
  assert.deepEqual(out.cache, { path: '/c/a.pmtiles', role: 'cache' });
  assert.equal(out.produced, 'the tile cache /c/a.pmtiles');
  assert.deepEqual(out.footprints, []);
});

test("preseed-raster: params.output, and each dataset item's rendered bounds as its footprint", () => {
  const job: KindedParams = {
    kind: 'preseed-raster',
    params: {
      ...preseed,
      datasets: ['/d/SP27GTIF.tif', '/d/gone.tif'],
      tileSize: 256,
      format: 'png',
      quality: 85,
      pngPalette: false,
      pngCompression: 6,
      pngAdaptiveFiltering: true,
      resampling: 'average',
      scale: 'auto',
    },
  };
  const items = [item('SP27GTIF.tif', { bounds: [-88.2, 41.8, -87.4, 42.4], footprint: [-88.3, 41.7, -87.3, 42.5] }), item('gone.tif', null, 'failed')];
  const out = jobOutputs(job, items, null);
  assert.deepEqual(out.cache, { path: '/out/x.mbtiles', role: 'output' });
  assert.deepEqual(out.footprints, [{ label: 'SP27GTIF.tif', bounds: [-88.2, 41.8, -87.4, 42.4] }]);
});

test("preseed-vector: the union of a source's layers, clipped to the bbox and to Web Mercator", () => {
  const job: KindedParams = {
    kind: 'preseed-vector',
    params: {
      ...preseed,
      bbox: [-10, -89, 20, 89],
      sources: ['/s/a.shp', '/s/b.gpkg', '/s/point.geojson'],
      extent: 4096,
      buffer: 64,
      tolerance: 3,
      maxTileBytes: 1024,
      thin: false,
    },
  };
  const items = [
    item('a.shp', {
      layers: [
        { name: 'a', bounds: [-20, -90, 0, 10] },
        { name: 'b', bounds: [5, 0, 40, 90] },
      ],
    }),
    item('b.gpkg', { layers: [{ name: 'c', bounds: null }] }),
    item('point.geojson', { layers: [{ name: 'p', bounds: [3, 4, 3, 4] }] }),
  ];
  const [a, point, ...rest] = jobOutputs(job, items, null).footprints;
  assert.equal(rest.length, 0, 'a source without bounds has no footprint');
  assert.equal(a!.label, 'a.shp');
  assert.deepEqual(
    a!.bounds.map((v) => Math.round(v * 1000) / 1000),
    [-10, -85.051, 20, 85.051],
  );
  assert.deepEqual(point, { label: 'point.geojson', bounds: [3, 4, 3, 4] }, 'a single point keeps its place');
});

test('ingest: the datasets it made (catalogue bounds), footprints from rasters and layers', () => {
  const job: KindedParams = { kind: 'ingest', params: { files: ['/f/a.zip'] } };
  const items = [
    item('a.zip', { ref: '/f/a.zip' }),
    item('a.zip › dem.tif', { dataset: 'k1', raster: {}, bounds: [10, 40, 11, 41] }),
    item('a.zip › roads.shp › roads', { dataset: 'k2', layer: { name: 'roads', bounds: [12, 42, 13, 44] } }),
  ];
  const made = [dataset(3, 'dem', [10, 40, 11, 41]), dataset(4, 'roads', [12, 42, 13, 44])];
  const out = jobOutputs(job, items, made);
  assert.equal(out.cache, null);
  assert.deepEqual(out.bounds, [10, 40, 13, 44]);
  assert.equal(out.produced, '2 datasets: dem (#3), roads (#4) in the catalogue');
  assert.deepEqual(
    out.footprints.map((f) => f.label),
    ['a.zip › dem.tif', 'a.zip › roads.shp › roads'],
  );
  // Without the catalogue (a CLI over a closed data directory): the items' footprints together.
  const alone = jobOutputs(job, items, null);
  assert.deepEqual(alone.bounds, [10, 40, 13, 44]);
  assert.match(alone.produced, /not read/);
  // Nothing with a place: why.
  assert.equal(jobOutputs(job, [item('a.zip', null, 'failed')], []).unknownBecause, 'the job made no dataset that is in the catalogue');
});

test('migrate-esri: the dataset in the catalogue and its layers as footprints', () => {
  const job: KindedParams = { kind: 'migrate-esri', params: { url: 'https://example.test/arcgis/rest/services/x/FeatureServer', name: 'parcels' } };
  const made = [
    dataset(
      7,
      'parcels',
      [-74.3, 40.5, -73.7, 40.9],
      [
        ['Parcels', [-74.3, 40.5, -73.7, 40.9]],
        ['Owners', null],
      ],
    ),
  ];
  const out = jobOutputs(job, [item('Parcels', { layerId: 0 })], made);
  assert.deepEqual(out.bounds, [-74.3, 40.5, -73.7, 40.9]);
  assert.deepEqual(out.footprints, [{ label: 'Parcels', bounds: [-74.3, 40.5, -73.7, 40.9] }]);
  assert.equal(out.produced, 'the dataset parcels (#7) in the catalogue');
});

test('bboxOf reads four numbers in range from stored JSON, nothing else', () => {
  assert.deepEqual(bboxOf([1, 2, 3, 4]), [1, 2, 3, 4]);
  for (const bad of [null, undefined, 'x', [1, 2, 3], [1, 2, 3, '4'], [1, 2, 3, Number.NaN], [-181, 0, 0, 1], [0, 5, 1, 4], { 0: 1 }])
    assert.equal(bboxOf(bad), null, JSON.stringify(bad));
});
