import { expect, test } from 'vitest';
import type { CatalogDataset } from '../../shared/contract.js';
import { crsSummary, extentText, layerSummary, previewTarget, sourceText } from './dataset-format.js';

const vector: CatalogDataset = {
  id: 1,
  name: 'world_map',
  kind: 'vector',
  path: '/data/catalog/world_map-1a2b/world_map.gpkg',
  layers: [
    { name: 'countries', geometryType: 'Multi Polygon', featureCount: 240, fields: [], crs: 'EPSG:4326', bounds: [-180, -90, 180, 83.6], invalidGeometries: 2 },
    { name: 'layer_styles', geometryType: null, featureCount: 1, fields: [], crs: null, bounds: null, invalidGeometries: 0 },
  ],
  raster: null,
  bounds: [-179.9, -89.9, 179.9, 83.6341],
  sizeBytes: 12 * 1024 ** 2,
  source: { type: 'file', files: ['/home/gis/world_map.gpkg'] },
  jobId: 3,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  thumbnail: null,
  preview: '/data/catalog/world_map-1a2b/preview.mbtiles',
  analysisPending: false,
};

test('layers, CRS, extent and source in words', () => {
  expect(layerSummary(vector)).toEqual(['countries: Multi Polygon, 240 features, 2 invalid', 'layer_styles: table, 1 row']);
  const counting = { ...vector, layers: [{ ...vector.layers[0]!, invalidGeometries: null }], analysisPending: true };
  expect(layerSummary(counting)).toEqual(['countries: Multi Polygon, 240 features, geometries being checked']);
  expect(crsSummary(vector)).toBe('EPSG:4326');
  expect(extentText(vector.bounds)).toBe('-179.90, -89.90, 179.90, 83.63');
  expect(extentText([11.9, 57.7, 11.95, 57.72])).toBe('11.9000, 57.7000, 11.9500, 57.7200');
  expect(extentText(null)).toBe('unknown');
  expect(sourceText(vector)).toBe('world_map.gpkg');
  const raster: CatalogDataset = {
    ...vector,
    kind: 'raster',
    layers: [],
    raster: { width: 1201, height: 1201, bands: 1, dataType: 'Int16', crs: 'EPSG:4326' },
  };
  expect(layerSummary(raster)).toEqual(['1201 × 1201 px, 1 band Int16']);
  expect(sourceText({ ...vector, source: { type: 'esri', url: 'https://x.test/FeatureServer', layers: [0, 2], copiedAt: '2026-01-01T00:00:00Z' } })).toBe(
    'https://x.test/FeatureServer (layers 0, 2)',
  );
});

test('a vector dataset previews as its own vector tiles (by id, never a path), framed by its extent', () => {
  expect(previewTarget(vector)).toEqual({ datasetId: vector.id, extent: vector.bounds });
  // Even before its picture is drawn: the tiles come from the dataset itself.
  expect(previewTarget({ ...vector, preview: null })).toEqual({ datasetId: vector.id, extent: vector.bounds });
  expect(previewTarget({ ...vector, bounds: [5, 5, 5, 5] })).toEqual({ datasetId: vector.id });
  expect(previewTarget({ ...vector, bounds: null })).toBeNull();
  expect(previewTarget({ ...vector, layers: vector.layers.map((l) => ({ ...l, featureCount: 0 })) })).toBeNull();
});

test('a raster previews as its picture, when there is one', () => {
  const raster: CatalogDataset = { ...vector, kind: 'raster', layers: [], raster: { width: 2, height: 2, bands: 1, dataType: 'Byte', crs: 'EPSG:4326' } };
  expect(previewTarget(raster)).toEqual({ cachePath: raster.preview, extent: raster.bounds });
  expect(previewTarget({ ...raster, bounds: [5, 5, 5, 5] })).toEqual({ cachePath: raster.preview });
  expect(previewTarget({ ...raster, preview: null })).toBeNull();
});
