import { expect, test } from 'vitest';
import type { KindedParams } from '../../shared/contract.js';
import { mapTargetOf, outputOf } from './job-output.js';

const raster: KindedParams = {
  kind: 'preseed-raster',
  params: {
    datasets: ['/d/a.tif'],
    minZoom: 0,
    maxZoom: 4,
    mode: 'resume',
    output: '/c/a.mbtiles',
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
const vector: KindedParams = {
  kind: 'preseed-vector',
  params: {
    sources: ['/d/w.gpkg'],
    minZoom: 0,
    maxZoom: 4,
    bbox: [5, 45, 11, 48],
    mode: 'resume',
    output: '/c/w.pmtiles',
    extent: 4096,
    buffer: 64,
    tolerance: 3,
    maxTileBytes: 512_000,
    thin: false,
  },
};

test('the cache a job is about: verify’s cache, a preseed’s output, none for catalogue kinds', () => {
  expect(outputOf({ kind: 'verify', params: { cache: '/c/x.mbtiles', maxTileBytes: 1024 } })).toBe('/c/x.mbtiles');
  expect(outputOf(raster)).toBe('/c/a.mbtiles');
  expect(outputOf(vector)).toBe('/c/w.pmtiles');
  expect(outputOf({ kind: 'ingest', params: { files: ['/d/a.shp'] } })).toBe('');
});

test('"Open on map": a verify’s cache at once; a preseed’s output once succeeded or partial, with its bbox', () => {
  expect(mapTargetOf({ kind: 'verify', params: { cache: '/c/x.mbtiles', maxTileBytes: 1024 }, state: 'running' })).toEqual({ cachePath: '/c/x.mbtiles' });
  for (const state of ['queued', 'running', 'cancelling', 'failed', 'cancelled', 'interrupted'] as const) expect(mapTargetOf({ ...raster, state })).toBeNull();
  expect(mapTargetOf({ ...raster, state: 'partial' })).toEqual({ cachePath: '/c/a.mbtiles' });
  expect(mapTargetOf({ ...vector, state: 'succeeded' })).toEqual({ cachePath: '/c/w.pmtiles', extent: [5, 45, 11, 48] });
  expect(mapTargetOf({ kind: 'migrate-esri', params: { url: 'https://x/arcgis/rest/services/a/FeatureServer', name: 'a' }, state: 'succeeded' })).toBeNull();
});
