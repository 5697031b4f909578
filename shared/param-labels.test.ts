/** Params in the operator's words: labels, file names for uploads, lists, bytes in units. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileNameOf, isUploadParam, paramLabel, paramLines } from './param-labels.js';

test('fields have labels; an unlisted one is its name made readable', () => {
  assert.equal(paramLabel('assignCrs'), 'CRS for sources without one');
  assert.equal(paramLabel('maxTileBytes'), 'Largest tile');
  assert.equal(paramLabel('someNewField'), 'Some new field');
});

test('values as lines: uploads by name, lists one a line, layers with what they change, bytes in units', () => {
  const names = (ref: string) => (ref === 'upload:abc' ? 'cities.shp' : undefined);
  assert.deepEqual(paramLines('files', ['upload:abc', 'upload:def', '/data/a.tif'], names), ['cities.shp', 'an uploaded file', '/data/a.tif']);
  assert.deepEqual(paramLines('layers', [{ name: 'states_provinces' }, { name: 'rivers', as: 'water', minZoom: 3, attributes: [] }]), [
    'states_provinces',
    'rivers (as water, z3–…, no attributes)',
  ]);
  assert.deepEqual(paramLines('maxTileBytes', 512_000), ['500 KiB']);
  assert.deepEqual(paramLines('quotaBytes', 3 * 1024 ** 3), ['3 GiB']);
  assert.deepEqual(paramLines('bbox', [-10.5, 40, 5.25, 50.123456]), ['-10.5, 40, 5.25, 50.1235']);
  assert.deepEqual(paramLines('scale', [0, 4000]), ['0 to 4000']);
  assert.deepEqual(paramLines('thin', false), ['no']);
  assert.deepEqual(paramLines('minZoom', 12), ['12']);
  assert.deepEqual(paramLines('assignCrs', undefined), []);
});

test('upload references and file names', () => {
  assert.ok(isUploadParam('upload:0a1b-2c'));
  assert.ok(!isUploadParam('/data/upload:x'));
  assert.equal(fileNameOf('/data/a/b.shp'), 'b.shp');
  assert.equal(fileNameOf('C:\\x\\y.tif'), 'y.tif');
});
