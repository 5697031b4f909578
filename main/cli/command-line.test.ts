import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandLineError, parseCommandLine } from './command-line.js';

test('a value starting with "-" is the option\'s value: bboxes west of Greenwich, negative scales and zooms', () => {
  const { values, positionals } = parseCommandLine([
    'preseed',
    'raster',
    'a.tif',
    '--bbox',
    '-10,40,5,50',
    '--scale',
    '-100,3000',
    '--min-zoom',
    '-1',
    '--quality',
    '-5',
    '-o',
    '-out.mbtiles',
    '--where',
    '-x > 1',
    '--zoom',
    '0-3',
  ]);
  assert.deepEqual(positionals, ['preseed', 'raster', 'a.tif']);
  assert.equal(values.bbox, '-10,40,5,50');
  assert.equal(values.scale, '-100,3000');
  assert.equal(values['min-zoom'], '-1');
  assert.equal(values.quality, '-5');
  assert.equal(values.output, '-out.mbtiles');
  assert.equal(values.where, '-x > 1');
  assert.equal(values.zoom, '0-3');
});

test('the --name=value form, repeated options, switches and options after positionals', () => {
  const { values, positionals } = parseCommandLine([
    'jobs',
    'list',
    '--state',
    'failed',
    '--json',
    '--state=partial',
    '--bbox=-1,-2,3,4',
    '-h',
    '--layer',
    'a:1-3',
    '--layer',
    '-b',
  ]);
  assert.deepEqual(positionals, ['jobs', 'list']);
  assert.deepEqual(values.state, ['failed', 'partial']);
  assert.deepEqual(values.layer, ['a:1-3', '-b']);
  assert.equal(values.bbox, '-1,-2,3,4');
  assert.equal(values.json, true);
  assert.equal(values.help, true);
  assert.equal(values.thin, undefined);
});

test('"--" ends the options: a file named like an option is a positional', () => {
  const { positionals } = parseCommandLine(['ingest', '--', '-rf.geojson']);
  assert.deepEqual(positionals, ['ingest', '-rf.geojson']);
});

test('unknown options and missing values are refused, naming the option', () => {
  assert.throws(
    () => parseCommandLine(['verify', 'a', '--bogus']),
    (e: unknown) => e instanceof CommandLineError && /--bogus/.test(e.message),
  );
  assert.throws(
    () => parseCommandLine(['preseed', 'raster', 'a', '--bbox']),
    (e: unknown) => e instanceof CommandLineError && /--bbox/.test(e.message) && /argument missing/.test(e.message),
  );
});
