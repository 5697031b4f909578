import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import type { TileWriter, TilesetMetadata } from '../tile-cache/tile-writer.js';
import { type FieldIssue, checkPreseedPaths, describePreseed, finishOutput, planInputs, throwIssues } from './preseed-kind-parts.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-preseed-parts-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('plan: one item per input in order, labelled by base name, "(n)" only where two share a name', () => {
  const before = Date.now();
  const items = planInputs(['/a/roads.gpkg', '/b/roads.gpkg', '/c/rivers.shp', 'PG:dbname=osm']);
  assert.deepEqual(
    items.map((i) => i.label),
    ['roads.gpkg (1)', 'roads.gpkg (2)', 'rivers.shp', 'PG:dbname=osm'],
  );
  assert.deepEqual(
    items.map((i) => [i.spec.path, i.spec.index]),
    [
      ['/a/roads.gpkg', 0],
      ['/b/roads.gpkg', 1],
      ['/c/rivers.shp', 2],
      ['PG:dbname=osm', 3],
    ],
  );
  // One instant for the whole job: tiles written since are the job's own.
  assert.equal(new Set(items.map((i) => i.spec.plannedAt)).size, 1);
  assert.ok(items[0]!.spec.plannedAt >= before && items[0]!.spec.plannedAt <= Date.now());
  assert.deepEqual(planInputs([]), []);
});

test('path checks: missing inputs and coverage are named by field, virtual paths are not checked, checkExisting sees the rest', async () => {
  const present = join(root, 'present.tif');
  writeFileSync(present, 'x');
  const folder = join(root, 'grid');
  mkdirSync(folder);
  const seen: string[] = [];
  const issues = await checkPreseedPaths({
    inputs: [present, join(root, 'gone.tif'), '/vsizip/nowhere.zip/a.tif', folder],
    inputField: 'params.datasets',
    coverage: join(root, 'no-coverage.geojson'),
    output: join(root, 'out.mbtiles'),
    isVirtual: (p) => p.startsWith('/vsi'),
    missing: (p) => `no such file: ${p}`,
    checkExisting: async (p, info) => {
      seen.push(p);
      return info.isDirectory() ? `${p} is a folder` : null;
    },
  });
  assert.deepEqual(seen.sort(), [folder, present].sort());
  assert.deepEqual(
    [...issues].sort((a, b) => a.field.localeCompare(b.field)),
    [
      { field: 'params.coverage', message: `no such file: ${join(root, 'no-coverage.geojson')}` },
      { field: 'params.datasets.1', message: `no such file: ${join(root, 'gone.tif')}` },
      { field: 'params.datasets.3', message: `${folder} is a folder` },
    ],
  );
  // A virtual coverage is not checked either; with nothing wrong there are no issues.
  assert.deepEqual(
    await checkPreseedPaths({
      inputs: [present],
      inputField: 'params.sources',
      coverage: '/vsicurl/x',
      output: join(root, 'out.mbtiles'),
      isVirtual: (p) => p.startsWith('/vsi'),
      missing: () => 'missing',
    }),
    [],
  );
  assert.equal(existsSync(join(root, 'out.mbtiles')), false);
});

test('path checks: an output that cannot be written is params.output (under a regular file, under /proc)', async () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder');
  const check = (output: string) =>
    checkPreseedPaths({ inputs: [], inputField: 'params.sources', coverage: undefined, output, isVirtual: () => false, missing: () => 'missing' });
  assert.deepEqual(await check(join(file, 'tiles.mbtiles')), [{ field: 'params.output', message: `${file} is a file, not a folder` }]);
  const proc = await check('/proc/tessera-test.mbtiles');
  assert.equal(proc.length, 1);
  assert.equal(proc[0]!.field, 'params.output');
  assert.match(proc[0]!.message, /^cannot create files in \/proc/);
});

test('issues: one BAD_INPUT naming every field, sorted with numbers in order; none, no error', () => {
  throwIssues([]);
  const issues: FieldIssue[] = [
    { field: 'params.sources.10', message: 'ten' },
    { field: 'params.output', message: 'out' },
    { field: 'params.sources.2', message: 'two' },
  ];
  assert.throws(
    () => throwIssues(issues),
    (error: unknown) => {
      assert.ok(error instanceof TesseraError);
      assert.equal(error.code, 'BAD_INPUT');
      assert.equal(error.message, 'params.output: out; params.sources.2: two; params.sources.10: ten');
      assert.deepEqual(
        (error.details as { issues: FieldIssue[] }).issues.map((i) => i.field),
        ['params.output', 'params.sources.2', 'params.sources.10'],
      );
      return true;
    },
  );
});

/** A writer that records what is asked of it. */
function fakeWriter(log: string[], finished: TilesetMetadata[]): TileWriter {
  return {
    finish: async (m: TilesetMetadata) => {
      log.push('finish');
      finished.push(m);
    },
    close: async () => {
      log.push('close');
    },
  } as unknown as TileWriter;
}

test('end: metadata is written with the common fields, then the writer closes; an output that existed is never removed', async () => {
  const log: string[] = [];
  const finished: TilesetMetadata[] = [];
  const output = join(root, 'kept.mbtiles');
  const params = { output, minZoom: 2, maxZoom: 5 };
  await finishOutput(params, { writer: fakeWriter(log, finished), existed: false }, { cancelled: false }, async () => ({
    format: 'png',
    bounds: [0, 0, 1, 1],
    type: 'baselayer',
  }));
  assert.deepEqual(log, ['finish', 'close']);
  assert.deepEqual(finished[0], { name: 'kept', format: 'png', bounds: [0, 0, 1, 1], minzoom: 2, maxzoom: 5, type: 'baselayer' });
  assert.deepEqual(Object.keys(finished[0]!), ['name', 'format', 'bounds', 'minzoom', 'maxzoom', 'type']);

  // A title names the tileset; a cancel writes nothing.
  await finishOutput({ ...params, title: 'Roads' }, { writer: fakeWriter(log, finished), existed: true }, { cancelled: false }, async () => ({
    format: 'pbf',
    bounds: [0, 0, 1, 1],
  }));
  assert.equal(finished[1]!.name, 'Roads');
  log.length = 0;
  await finishOutput(params, { writer: fakeWriter(log, finished), existed: true }, { cancelled: true }, async () =>
    assert.fail('not described after a cancel'),
  );
  assert.deepEqual(log, ['close']);

  // Nothing made: a new (empty) output is removed, one that was there stays.
  const empty = join(root, 'empty.mbtiles');
  writeFileSync(empty, '');
  await finishOutput({ ...params, output: empty }, { writer: fakeWriter(log, finished), existed: true }, { cancelled: false }, async () => null);
  assert.equal(existsSync(empty), true);
  await finishOutput({ ...params, output: empty }, { writer: fakeWriter(log, finished), existed: false }, { cancelled: false }, async () => null);
  assert.equal(existsSync(empty), false);

  // A failure while describing still closes the writer and removes the empty new output.
  writeFileSync(empty, '');
  log.length = 0;
  await assert.rejects(
    finishOutput({ ...params, output: empty }, { writer: fakeWriter(log, finished), existed: false }, { cancelled: false }, async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(log, ['close']);
  assert.equal(existsSync(empty), false);
});

test('describe: the one input by name, or how many', () => {
  assert.equal(describePreseed('vector', ['/data/roads.gpkg'], 'sources', '/out/roads.mbtiles'), 'preseed vector roads.gpkg → roads.mbtiles');
  assert.equal(describePreseed('raster', ['/a.tif', '/b.tif'], 'datasets', '/out/t'), 'preseed raster 2 datasets → t');
});
