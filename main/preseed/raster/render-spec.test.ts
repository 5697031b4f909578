import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BandInfo, DatasetInfo } from './dataset-info.js';
import { describeSpec, insideFootprint, renderSpec } from './render-spec.js';
import { lonLatToMercator } from '../../../shared/tile-grid.js';

function band(colorInterp: string, extra: Partial<BandInfo> = {}): BandInfo {
  return { dataType: 'Byte', colorInterp, noData: null, palette: null, statedRange: null, allValid: true, ...extra };
}

function dataset(bands: BandInfo[], extra: Partial<DatasetInfo> = {}): DatasetInfo {
  return {
    path: '/x.tif',
    driver: 'GTiff',
    width: 100,
    height: 50,
    geoTransform: [0, 1, 0, 50, 0, -1],
    srsWkt: '',
    gcps: [],
    bands,
    overviews: 0,
    rectangle: null,
    bounds: [0, 0, 100, 50],
    pixelGround: null,
    ...extra,
  };
}

test('RGB and RGBA are warped as they are; RGBA uses its alpha band', () => {
  assert.deepEqual(renderSpec(dataset([band('Red'), band('Green'), band('Blue')])), {
    colorBands: [1, 2, 3],
    alphaBand: null,
    expand: null,
    vrtBands: null,
    sample: 'byte',
    opaque: true,
  });
  const rgba = renderSpec(dataset([band('Red'), band('Green'), band('Blue'), band('Alpha', { allValid: false })]));
  assert.deepEqual([rgba.colorBands, rgba.alphaBand, rgba.vrtBands, rgba.opaque], [[1, 2, 3], 4, null, false]);
});

test('grey, grey + alpha, and grey with nodata', () => {
  assert.deepEqual(renderSpec(dataset([band('Gray')])).colorBands, [1]);
  const la = renderSpec(dataset([band('Gray'), band('Alpha')]));
  assert.deepEqual([la.colorBands, la.alphaBand, la.vrtBands], [[1], 2, null]);
  assert.equal(renderSpec(dataset([band('Gray', { noData: 0, allValid: false })])).opaque, false);
});

test('a palette is expanded in a VRT: RGBA when an entry is translucent or an index is nodata, else RGB', () => {
  const opaque = renderSpec(dataset([band('Palette', { palette: { entries: 16, translucent: false } })]));
  assert.deepEqual([opaque.expand, opaque.vrtBands, opaque.alphaBand, opaque.opaque], ['rgb', [1], null, true]);
  const nodata = renderSpec(dataset([band('Palette', { palette: { entries: 16, translucent: false }, noData: 0, allValid: false })]));
  assert.deepEqual([nodata.expand, nodata.alphaBand, nodata.opaque], ['rgba', 4, false]);
  assert.equal(
    describeSpec(
      dataset([band('Palette', { palette: { entries: 16, translucent: true } })]),
      renderSpec(dataset([band('Palette', { palette: { entries: 16, translucent: true } })])),
    ),
    'palette → RGBA',
  );
});

test('16-bit and float data are stretched; extra bands are left out through a VRT, alpha last', () => {
  const dem = renderSpec(dataset([band('Undefined', { dataType: 'Int16', noData: -32768, allValid: false })]));
  assert.deepEqual([dem.sample, dem.colorBands, dem.opaque], ['float32', [1], false]);
  const six = renderSpec(dataset(['Undefined', 'Undefined', 'Undefined', 'Undefined', 'Undefined', 'Undefined'].map((c) => band(c, { dataType: 'UInt16' }))));
  assert.deepEqual([six.vrtBands, six.colorBands, six.sample], [[1, 2, 3], [1, 2, 3], 'float32']);
  const alphaFirst = renderSpec(dataset([band('Alpha'), band('Blue'), band('Green'), band('Red')]));
  assert.deepEqual([alphaFirst.vrtBands, alphaFirst.colorBands, alphaFirst.alphaBand], [[4, 3, 2, 1], [1, 2, 3], 4]);
});

test('insideFootprint: only blocks wholly inside a lon/lat or Mercator rectangle, a margin in from its edge', () => {
  const world = dataset([band('Red'), band('Green'), band('Blue')], { rectangle: { crs: 'lonlat', box: [-180, -90, 180, 90], pixel: [0.1, 0.1] } });
  const block = (w: number, s: number, e: number, n: number): [number, number, number, number] => [...lonLatToMercator(w, s), ...lonLatToMercator(e, n)];
  assert.equal(insideFootprint(world, block(0, 0, 10, 10)), true);
  assert.equal(insideFootprint(world, block(-180, 0, -170, 10)), false);
  assert.equal(insideFootprint(world, block(179.7, 0, 179.8, 10)), false);
  assert.equal(insideFootprint(dataset([band('Gray')]), block(0, 0, 10, 10)), false, 'no rectangle known');
});
