import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import gdal from 'gdal-async';
import { QuotaGuard } from '../disk/quota-guard.js';
import { worldMapGpkg } from '../testing/real-data.js';
import { fileIdentity, forgetPlanned, plannedCount, takePlannedHandle } from './planned-sources.js';
import { type PlannedUnit, discoverInPlace, stageUnit } from './staging.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-planned-'));
after(() => rmSync(root, { recursive: true, force: true }));

const guard = () => new QuotaGuard({ jobLimit: null, globalLimit: null, floorBytes: 0 }, { dataDir: root, volumePath: root });
const unitOf = (path: string, name: string): PlannedUnit => ({
  index: 0,
  name,
  archive: false,
  files: [{ ref: path, path, name }],
  bytes: statSync(path).size,
});

/** Natural Earth's countries as GeoJSON, its layer named by the FeatureCollection's "name". */
async function countriesGeoJson(path: string): Promise<string> {
  const source = await gdal.openAsync(worldMapGpkg());
  (await gdal.vectorTranslateAsync(path, source, ['-f', 'GeoJSON', '-nln', 'countries', 'countries'])).close();
  source.close();
  return path;
}

/** A whole-millisecond mtime, which utimes() can set back exactly (a file's own has nanoseconds). */
const WHOLE_MS = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

/** Changes the layer's name inside the file in place, keeping its size and (whole-ms) modification time. */
function renameInPlaceUnseen(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  assert.equal(from.length, to.length);
  assert.ok(text.includes(`"name": "${from}"`));
  writeFileSync(path, text.replace(`"name": "${from}"`, `"name": "${to}"`));
  utimesSync(path, WHOLE_MS, WHOLE_MS);
}

test('a hard-linked file is not parsed again when staged: the plan’s discovery stands (proved by a change the plan could not see)', async () => {
  const file = await countriesGeoJson(join(root, 'countries.geojson'));
  utimesSync(file, WHOLE_MS, WHOLE_MS);
  const unit = unitOf(file, 'countries.geojson');
  const planned = await discoverInPlace(unit);
  assert.deepEqual(
    planned.datasets.map((d) => d.layers.map((l) => [l.name, l.features])),
    [[['countries', 240]]],
  );
  const identity = await fileIdentity(file);
  assert.ok(identity !== null);
  // Same size, same mtime: the staged link is "the file the plan read", so GDAL is not asked again.
  renameInPlaceUnseen(file, 'countries', 'countrieX');
  const staged = await stageUnit(unit, join(root, 'u-link'), { guard: guard() });
  assert.equal(statSync(join(staged.dir, 'countries.geojson')).ino, statSync(file).ino);
  assert.deepEqual(
    staged.datasets.map((d) => d.layers.map((l) => l.name)),
    [['countries']],
  );
  forgetPlanned(identity);
  // Without the plan's record the staged file is read again, and GDAL sees the changed name.
  const again = await stageUnit(unit, join(root, 'u-again'), { guard: guard() });
  assert.deepEqual(
    again.datasets.map((d) => d.layers.map((l) => l.name)),
    [['countrieX']],
  );
});

test('a file saved anew after the plan (another mtime) is found again when staged', async () => {
  const file = await countriesGeoJson(join(root, 'saved-anew.geojson'));
  const unit = unitOf(file, 'saved-anew.geojson');
  await discoverInPlace(unit);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('"name": "countries"', '"name": "countrieY"'));
  utimesSync(file, new Date(), new Date(Date.now() + 5000));
  const staged = await stageUnit(unit, join(root, 'u-new'), { guard: guard() });
  assert.deepEqual(
    staged.datasets.map((d) => d.layers.map((l) => l.name)),
    [['countrieY']],
  );
});

test('the plan’s open handle is handed once to the import of the staged link, and reads every feature', async () => {
  const file = await countriesGeoJson(join(root, 'handle.geojson'));
  const unit = unitOf(file, 'handle.geojson');
  const before = plannedCount();
  await discoverInPlace(unit);
  assert.equal(plannedCount(), before + 1);
  const staged = await stageUnit(unit, join(root, 'u-handle'), { guard: guard() });
  const link = join(staged.dir, 'handle.geojson');
  const handle = takePlannedHandle(await fileIdentity(link));
  assert.ok(handle !== null, 'the plan kept its handle for the staged link');
  assert.equal(takePlannedHandle(await fileIdentity(link)), null, 'handed over once only');
  try {
    const out = join(root, 'handle.gpkg');
    (await gdal.vectorTranslateAsync(out, handle, ['-f', 'GPKG'])).close();
    const written = await gdal.openAsync(out);
    assert.equal(await (await written.layers.getAsync(0)).features.countAsync(true), 240);
    written.close();
  } finally {
    handle.close();
  }
  forgetPlanned((await fileIdentity(file))!);
  assert.equal(plannedCount(), before);
});

test('GDAL virtual paths and missing files have no identity, so nothing is kept for them', async () => {
  assert.equal(await fileIdentity('/vsizip//tmp/x.zip/a.geojson'), null);
  assert.equal(await fileIdentity(join(root, 'no-such-file')), null);
});
