/**
 * The preseed forms' model: text fields to the contract's jobs.start input, and the contract's own
 * verdict on it in an operator's words, at the field the engine would name.
 */
import { expect, test } from 'vitest';
import { JobStartInput } from '../../shared/contract.js';
import {
  type RasterForm,
  type VectorForm,
  baseName,
  bboxOf,
  defaultOutput,
  emptyLayer,
  emptyRasterForm,
  emptyVectorForm,
  outputKindOf,
  rasterInput,
  validateForm,
  vectorInput,
} from './preseed-form.js';

const DATA = '/srv/tessera';

function raster(change: Partial<RasterForm> = {}): RasterForm {
  return { ...emptyRasterForm(), datasets: ['/data/srtm/N57E011.hgt'], minZoom: '8', maxZoom: '10', ...change };
}

function vector(change: Partial<VectorForm> = {}): VectorForm {
  return { ...emptyVectorForm(), sources: ['/data/world_map.gpkg'], minZoom: '0', maxZoom: '6', ...change };
}

const errorsOf = (form: RasterForm) => validateForm('raster', form, rasterInput(form, DATA));
const vectorErrorsOf = (form: VectorForm) => validateForm('vector', form, vectorInput(form, DATA));

test('a complete raster form is the contract’s input, with the default output in the data directory', () => {
  const input = rasterInput(raster(), DATA);
  expect(input).toEqual({
    kind: 'preseed-raster',
    params: {
      minZoom: 8,
      maxZoom: 10,
      mode: 'resume',
      output: '/srv/tessera/caches/N57E011.mbtiles',
      datasets: ['/data/srtm/N57E011.hgt'],
      tileSize: 256,
      format: 'png',
      pngPalette: false,
      resampling: 'average',
      scale: 'auto',
    },
    priority: 0,
  });
  expect(errorsOf(raster())).toEqual({});
  expect(JobStartInput.safeParse(input).success).toBe(true);
});

test('optional fields go in only when filled: bbox, coverage, quality for JPEG, a scale range, refresh time, name', () => {
  const input = rasterInput(
    raster({
      bbox: ['11', '57.2', '11.8', '57.9'],
      coverage: ' /data/aoi.geojson ',
      format: 'jpeg',
      quality: '70',
      scaleMode: 'range',
      scaleMin: '0',
      scaleMax: '1500',
      mode: 'refresh',
      olderThan: '2026-11-01T08:30',
      name: 'srtm',
      priority: '3',
      output: '/tiles/srtm',
      title: 'SRTM',
    }),
    DATA,
  );
  expect(input.params).toMatchObject({
    bbox: [11, 57.2, 11.8, 57.9],
    coverage: '/data/aoi.geojson',
    format: 'jpeg',
    quality: 70,
    scale: [0, 1500],
    mode: 'refresh',
    output: '/tiles/srtm',
    title: 'SRTM',
  });
  expect(input.params).not.toHaveProperty('pngPalette');
  expect((input.params as { olderThan: string }).olderThan).toBe(new Date('2026-11-01T08:30').toISOString());
  expect(input).toMatchObject({ name: 'srtm', priority: 3 });
  expect(JobStartInput.safeParse(input).success).toBe(true);
});

test('each bad field is named as the engine names it, in words', () => {
  expect(errorsOf(raster({ datasets: ['/a.tif', '  '] }))).toEqual({ 'params.datasets.1': 'Dataset path is empty' });
  expect(errorsOf(raster({ minZoom: '' }))).toEqual({ 'params.minZoom': 'Enter a number' });
  expect(errorsOf(raster({ maxZoom: '31' }))).toEqual({ 'params.maxZoom': 'Must be at most 30' });
  expect(errorsOf(raster({ maxZoom: '9.5' }))).toEqual({ 'params.maxZoom': 'Must be a whole number' });
  expect(errorsOf(raster({ format: 'webp', quality: '0' }))).toEqual({ 'params.quality': 'Must be at least 1' });
  expect(errorsOf(raster({ output: '' }))).toEqual({ 'params.output': 'Output path is empty' });
  expect(errorsOf(raster({ priority: '11' }))).toEqual({ priority: 'Must be at most 10' });
});

test('a reversed zoom range is said even while another field is wrong (the schema’s own check waits for that)', () => {
  expect(errorsOf(raster({ minZoom: '12', maxZoom: '10' }))).toEqual({ 'params.minZoom': 'The first zoom must not be greater than the last' });
  expect(errorsOf(raster({ minZoom: '12', maxZoom: '10', datasets: [''] }))).toEqual({
    'params.minZoom': 'The first zoom must not be greater than the last',
    'params.datasets.0': 'Dataset path is empty',
  });
});

test('the bbox: all four or none; a blank or reversed one is named', () => {
  expect(rasterInput(raster({ bbox: ['', '', '', ''] }), DATA).params).not.toHaveProperty('bbox');
  expect(errorsOf(raster({ bbox: ['11', '', '12', '58'] }))).toEqual({ 'params.bbox.1': 'Enter a number' });
  expect(errorsOf(raster({ bbox: ['12', '57', '11', '58'] }))).toEqual({
    'params.bbox': 'West must be less than east (a box across the antimeridian is two jobs)',
  });
  expect(errorsOf(raster({ bbox: ['11', '95', '12', '96'] }))).toMatchObject({ 'params.bbox.1': 'Must be at most 90' });
  expect(bboxOf(['11', '57', '12', '58'])).toEqual([11, 57, 12, 58]);
  expect(bboxOf(['11', '57', '', '58'])).toBeNull();
  expect(bboxOf(['12', '57', '11', '58'])).toBeNull();
});

test('a scale range with a blank end is named at that end, and min ≥ max at the range', () => {
  expect(errorsOf(raster({ scaleMode: 'range', scaleMin: '', scaleMax: '100' }))).toEqual({ 'params.scale.0': 'Enter a number' });
  expect(errorsOf(raster({ scaleMode: 'range', scaleMin: '100', scaleMax: '100' }))).toEqual({ 'params.scale': 'The minimum must be less than the maximum' });
});

test('refresh needs a time; a time that is no time is refused', () => {
  expect(errorsOf(raster({ mode: 'refresh' }))).toEqual({ 'params.olderThan': 'Refresh needs a time: tiles written before it are made again' });
  expect(errorsOf(raster({ mode: 'refresh', olderThan: 'last week' }))).toEqual({ 'params.olderThan': 'Enter a date and time' });
});

test('vector: layers with their names, attributes and zooms; all, none or some attributes', () => {
  const form = vector({
    layers: [
      { name: 'countries', as: 'admin0', attributes: { keep: 'only', list: 'name, iso_a2 ,' }, minZoom: '0', maxZoom: '4' },
      { ...emptyLayer(), name: 'states_provinces', attributes: { keep: 'none', list: '' } },
    ],
    attributes: { keep: 'all', list: '' },
    maxTileKiB: '250',
    thin: true,
    tolerance: '1.5',
  });
  const input = vectorInput(form, DATA);
  expect(input.params).toEqual({
    minZoom: 0,
    maxZoom: 6,
    mode: 'resume',
    output: '/srv/tessera/caches/world_map.mbtiles',
    sources: ['/data/world_map.gpkg'],
    layers: [
      { name: 'countries', as: 'admin0', attributes: ['name', 'iso_a2'], minZoom: 0, maxZoom: 4 },
      { name: 'states_provinces', attributes: [] },
    ],
    extent: 4096,
    buffer: 64,
    tolerance: 1.5,
    maxTileBytes: 250 * 1024,
    thin: true,
  });
  expect(vectorErrorsOf(form)).toEqual({});
  expect(vectorInput(vector(), DATA).params).not.toHaveProperty('layers');
});

test('vector: "only these" attributes with no names, a nameless layer, a tiny size limit, a bad extent', () => {
  expect(vectorErrorsOf(vector({ attributes: { keep: 'only', list: ' , ' } }))).toEqual({
    'params.attributes': 'Name the attributes to keep, or choose “none”',
  });
  expect(vectorErrorsOf(vector({ layers: [emptyLayer()] }))).toEqual({ 'params.layers.0.name': 'Required' });
  expect(vectorErrorsOf(vector({ layers: [{ ...emptyLayer(), name: 'a', minZoom: '5', maxZoom: '2' }] }))).toEqual({
    'params.layers.0.minZoom': 'The first zoom must not be greater than the last',
  });
  expect(vectorErrorsOf(vector({ maxTileKiB: '0.5' }))).toEqual({ 'params.maxTileBytes': 'Must be at least 1 KiB' });
  expect(vectorErrorsOf(vector({ extent: '100' }))).toEqual({ 'params.extent': 'Must be at least 256' });
  expect(vectorErrorsOf(vector({ sources: [''] }))).toEqual({ 'params.sources.0': 'Source path is empty' });
});

test('the output: named after the first input, in the data directory, its kind from the extension', () => {
  expect(defaultOutput('raster', '/data/srtm/N57E011.hgt', '/srv/tessera/')).toBe('/srv/tessera/caches/N57E011.mbtiles');
  expect(defaultOutput('vector', 'C:\\gis\\roads of Bern.gpkg', 'C:\\Users\\op\\Tessera')).toBe('C:\\Users\\op\\Tessera\\caches\\roads-of-Bern.mbtiles');
  expect(defaultOutput('raster', '', '/srv/tessera')).toBe('/srv/tessera/caches/raster-preseed.mbtiles');
  expect(defaultOutput('raster', '/a.tif', undefined)).toBe('');
  expect(baseName('/x/y/ortho.2024.tif')).toBe('ortho.2024');
  expect(outputKindOf('/t/a.MBTiles')).toBe('mbtiles');
  expect(outputKindOf('/t/a.pmtiles')).toBe('pmtiles');
  expect(outputKindOf('/t/tiles')).toBe('directory');
  expect(outputKindOf('/t/a.mbtiles.d/')).toBe('directory');
});
