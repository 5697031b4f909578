import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { JobStartInput } from '../../shared/contract.js';
import { PreseedUsageError, estimateUnusable, formatEstimate, preseedInput } from './preseed-command.js';

test('raster options become params that the contract accepts, with defaults filled in', () => {
  const input = preseedInput('raster', ['a.tif', 'b.vrt'], {
    zoom: '3-9',
    output: 'out.mbtiles',
    bbox: '10,55,20,63',
    'tile-size': '512',
    format: 'jpg',
    quality: '70',
    resampling: 'cubic',
    scale: '0,3000',
    'older-than': '2026-01-02',
    mode: 'refresh',
  });
  const parsed = JobStartInput.parse(input);
  assert.equal(parsed.kind, 'preseed-raster');
  if (parsed.kind !== 'preseed-raster') return;
  assert.deepEqual(parsed.params.datasets, [resolve('a.tif'), resolve('b.vrt')]);
  assert.equal(parsed.params.minZoom, 3);
  assert.equal(parsed.params.maxZoom, 9);
  assert.equal(parsed.params.tileSize, 512);
  assert.equal(parsed.params.format, 'jpeg');
  assert.deepEqual(parsed.params.scale, [0, 3000]);
  assert.equal(parsed.params.olderThan, '2026-01-02T00:00:00.000Z');
  assert.equal(parsed.params.pngPalette, false);
});

test('PNG options: --png-compression and --png-filter reach the params; a filter word other than adaptive|none is refused', () => {
  const input = preseedInput('raster', ['a.tif'], { zoom: '0-2', output: 'o.mbtiles', 'png-compression': '9', 'png-filter': 'none' });
  const parsed = JobStartInput.parse(input);
  if (parsed.kind !== 'preseed-raster') assert.fail(parsed.kind);
  assert.equal(parsed.params.pngCompression, 9);
  assert.equal(parsed.params.pngAdaptiveFiltering, false);
  assert.throws(() => preseedInput('raster', ['a.tif'], { zoom: '0-2', output: 'o.mbtiles', 'png-filter': 'paeth' }), /--png-filter must be adaptive or none/);
  // The level's range is the contract's: 10 is refused there, naming the field.
  const tooHigh = JobStartInput.safeParse(preseedInput('raster', ['a.tif'], { zoom: '0-2', output: 'o.mbtiles', 'png-compression': '10' }));
  assert.equal(tooHigh.success, false);
  assert.deepEqual(tooHigh.error?.issues[0]?.path, ['params', 'pngCompression']);
  assert.throws(() => preseedInput('vector', ['a.gpkg'], { zoom: '0-2', output: 'o.mbtiles', 'png-compression': '9' }), /png-compression/);
});

test('vector options: layers with their own zooms, attributes, the size policy', () => {
  const input = preseedInput('vector', ['world.gpkg'], {
    zoom: '0-10',
    output: 'tiles',
    layer: ['states_provinces:4-10', 'countries'],
    attributes: 'name, iso_a2',
    'max-tile-bytes': '200000',
    thin: true,
  });
  const parsed = JobStartInput.parse(input);
  assert.equal(parsed.kind, 'preseed-vector');
  if (parsed.kind !== 'preseed-vector') return;
  assert.deepEqual(parsed.params.layers, [{ name: 'states_provinces', minZoom: 4, maxZoom: 10 }, { name: 'countries' }]);
  assert.deepEqual(parsed.params.attributes, ['name', 'iso_a2']);
  assert.equal(parsed.params.thin, true);
  assert.equal(parsed.params.maxTileBytes, 200000);
});

test('bad options are refused with a message naming the option', () => {
  assert.throws(() => preseedInput('tiles', ['a'], { zoom: '1', output: 'o' }), PreseedUsageError);
  assert.throws(() => preseedInput('raster', [], { zoom: '1', output: 'o' }), /at least one dataset/);
  assert.throws(() => preseedInput('raster', ['a'], { output: 'o' }), /--zoom/);
  assert.throws(() => preseedInput('raster', ['a'], { zoom: 'x', output: 'o' }), /--zoom must be MIN-MAX/);
  assert.throws(() => preseedInput('raster', ['a'], { zoom: '1', output: 'o', bbox: '1,2,3' }), /--bbox needs 4/);
  assert.throws(() => preseedInput('raster', ['a'], { zoom: '1', output: 'o', thin: true }), /--thin is for vector/);
  assert.throws(() => preseedInput('vector', ['a'], { zoom: '1', output: 'o', quality: '5' }), /--quality is for raster/);
  assert.throws(() => preseedInput('raster', ['a'], { zoom: '1', output: 'o', 'older-than': 'yesterday' }), /--older-than/);
  // What zod checks (here, a zoom range upside down) is refused by the contract's schema.
  const reversed = JobStartInput.safeParse(preseedInput('raster', ['a'], { zoom: '9-3', output: 'o' }));
  assert.equal(reversed.success, false);
});

test('a dry run prints tiles per zoom, the sample and whether it fits', () => {
  const text = formatEstimate({
    kind: 'preseed-raster',
    datasets: [
      { path: '/d/a.tif', bounds: [0, 0, 1, 1], tiles: 21, error: null },
      { path: '/d/bad.tif', bounds: null, tiles: 0, error: { code: 'DATASET_UNREADABLE', message: 'not a raster' } },
    ],
    zooms: [
      { z: 0, tiles: 1 },
      { z: 1, tiles: 4 },
      { z: 2, tiles: 16 },
    ],
    totalTiles: 21,
    tilesUpperBound: true,
    sample: { tiles: 4, zooms: [1, 2], bytesPerTile: 20_000, secondsPerTile: 0.004 },
    estimatedBytes: 420_000,
    estimatedSeconds: 42,
    range: { tiles: [15, 21], bytes: [300_000, 600_000], seconds: [30, 75] },
    storage: { output: '/d/o.mbtiles', freeBytes: 10e9, floorBytes: 512 * 1024 ** 2, quotaBytes: null, quotaUsedBytes: 0, problem: null },
  });
  assert.match(text, /✗ \/d\/bad\.tif: DATASET_UNREADABLE/);
  assert.match(text, /\n\s+2\s+16\n/);
  assert.match(text, /total\s+21/);
  assert.match(text, /estimated size about 410\.2 KiB \(293 KiB–585\.9 KiB\), time about 42s \(30s–1m 15s\)/);
  assert.match(text, /21 tiles, at most; likely 15–21 made/);
  assert.match(text, /sample: 4 tiles at z1–2/);
  assert.match(text, /✓ fits/);
});

test('a dry run where no dataset can be used says the job would fail, not that it fits', () => {
  const unusable = {
    kind: 'preseed-raster' as const,
    datasets: [{ path: '/d/world_map.gpkg', bounds: null, tiles: 0, error: { code: 'DATASET_UNREADABLE' as const, message: 'has no raster bands' } }],
    zooms: [],
    totalTiles: 0,
    tilesUpperBound: false,
    sample: null,
    estimatedBytes: null,
    estimatedSeconds: null,
    range: null,
    storage: { output: '/d/o.mbtiles', freeBytes: 10e9, floorBytes: 512 * 1024 ** 2, quotaBytes: null, quotaUsedBytes: 0, problem: null },
  };
  assert.ok(estimateUnusable(unusable));
  const text = formatEstimate(unusable);
  assert.match(text, /✗ nothing can be made: none of the data can be used/);
  assert.doesNotMatch(text, /✓ fits/);
  assert.ok(!estimateUnusable({ ...unusable, datasets: [...unusable.datasets, { path: '/d/a.tif', bounds: [0, 0, 1, 1], tiles: 4, error: null }] }));
});
