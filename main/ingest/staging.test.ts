import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { QuotaGuard } from '../disk/quota-guard.js';
import { type PlannedUnit, discoverInPlace, stageUnit } from './staging.js';
import { pointsGeoJson } from './testing/ingest-fixtures.js';
import { mountSmallVolume } from './testing/small-volume.js';
import { writeZip } from './testing/zip-writer.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-staging-'));
after(() => rmSync(root, { recursive: true, force: true }));

const guard = () => new QuotaGuard({ jobLimit: null, globalLimit: null, floorBytes: 0 }, { dataDir: root, volumePath: root });
const unitOf = (path: string, name: string, archive = false): PlannedUnit => ({
  index: 0,
  name,
  archive,
  files: [{ ref: path, path, name }],
  bytes: statSync(path).size,
});

test('a file on the data directory’s volume is staged by a hard link, and counted against the job', async () => {
  const source = pointsGeoJson(join(root, 'same-volume.geojson'));
  const g = guard();
  const staged = await stageUnit(unitOf(source, 'same-volume.geojson'), join(root, 'u-link'), { guard: g });
  assert.equal(statSync(join(staged.dir, 'same-volume.geojson')).ino, statSync(source).ino);
  assert.equal(g.used, statSync(source).size);
  assert.deepEqual(
    staged.datasets.map((d) => [d.kind, d.name, d.layers.map((l) => l.name)]),
    [['vector', 'same-volume', ['same-volume']]],
  );
});

test('a file on another volume is copied', async (t) => {
  const volume = mountSmallVolume(join(root, 'other-volume'), 4);
  if ('refused' in volume) return t.skip(volume.refused);
  try {
    const source = pointsGeoJson(join(volume.dir, 'elsewhere.geojson'));
    const staged = await stageUnit(unitOf(source, 'elsewhere.geojson'), join(root, 'u-copy'), { guard: guard() });
    assert.notEqual(statSync(join(staged.dir, 'elsewhere.geojson')).ino, statSync(source).ino);
  } finally {
    volume.unmount();
  }
});

test('an archive is looked into in place at plan time and unpacked when staged, with the same names', async () => {
  const zip = join(root, 'two.zip');
  writeZip(zip, [
    {
      name: 'data/a.geojson',
      data: Buffer.from(
        JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }] }),
      ),
    },
    { name: 'LICENSE.txt', data: Buffer.from('public domain') },
  ]);
  const unit = unitOf(zip, 'two.zip', true);
  const planned = await discoverInPlace(unit);
  const staged = await stageUnit(unit, join(root, 'u-zip'), { guard: guard() });
  assert.deepEqual(
    planned.datasets.map((d) => d.relPath),
    ['x/data/a.geojson'],
  );
  assert.deepEqual(
    staged.datasets.map((d) => d.relPath),
    ['x/data/a.geojson'],
  );
  assert.deepEqual(
    staged.skipped.map((s) => s.file),
    ['LICENSE.txt'],
  );
});

test('an archive with nothing GDAL reads fails, and its folder goes', async () => {
  const zip = join(root, 'docs.zip');
  writeZip(zip, [{ name: 'README.txt', data: Buffer.from('hello') }]);
  const dir = join(root, 'u-docs');
  await assert.rejects(
    stageUnit(unitOf(zip, 'docs.zip', true), dir, { guard: guard() }),
    (e: { details?: { reason?: string }; message: string }) =>
      e.details?.reason === 'no-data' && /docs\.zip: no geodata GDAL can read in it \(skipped: README\.txt\)/.test(e.message),
  );
  assert.throws(() => statSync(dir));
});
