import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../../shared/errors.js';
import { blueMarbleTif, illinoisNad27Tif, realDataPath, srtmDem } from '../../testing/real-data.js';
import { inspectDataset } from './dataset-info.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-dataset-info-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('Blue Marble: RGB bytes, a lon/lat rectangle over the whole world', async () => {
  const info = await inspectDataset(blueMarbleTif());
  assert.deepEqual([info.width, info.height], [2700, 1350]);
  assert.deepEqual(
    info.bands.map((b) => [b.dataType, b.colorInterp, b.allValid]),
    [
      ['Byte', 'Red', true],
      ['Byte', 'Green', true],
      ['Byte', 'Blue', true],
    ],
  );
  assert.deepEqual(info.bounds, [-180, -90, 180, 90]);
  assert.equal(info.rectangle?.crs, 'lonlat');
});

test('SRTM .hgt: Int16 with nodata, its 1°×1° cell (plus the half pixels at its edges)', async () => {
  const info = await inspectDataset(srtmDem());
  assert.equal(info.bands[0]!.dataType, 'Int16');
  assert.equal(info.bands[0]!.noData, -32768);
  assert.equal(info.bands[0]!.allValid, false);
  info.bounds.forEach((v, i) => assert.ok(Math.abs(v - [11, 57, 12, 58][i]!) < 0.001, `bounds ${info.bounds}`));
});

test('a projected CRS: its footprint is found in WGS84 by sampling its edges (NAD27 / Illinois East)', async () => {
  const info = await inspectDataset(illinoisNad27Tif());
  assert.equal(info.rectangle, null);
  const [w, s, e, n] = info.bounds;
  assert.ok(w > -87.68 && w < -87.66 && e > -87.59 && e < -87.57 && s > 41.82 && s < 41.84 && n > 41.91 && n < 41.93, `bounds ${info.bounds}`);
});

test('no georeference → NO_GEOREFERENCE; not a raster or missing → DATASET_UNREADABLE, each naming the file and GDAL’s reason', async () => {
  await assert.rejects(
    inspectDataset(realDataPath('rgdal', 'pictures', 'Rlogo.jpg')),
    (e: unknown) => e instanceof TesseraError && e.code === 'NO_GEOREFERENCE' && /Rlogo\.jpg/.test(e.message),
  );
  const json = join(dir, 'not-a-raster.json');
  writeFileSync(json, '{"hello": 1}');
  await assert.rejects(
    inspectDataset(json),
    (e: unknown) => e instanceof TesseraError && e.code === 'DATASET_UNREADABLE' && e.message.includes(json) && /not recognized/.test(e.message),
  );
  await assert.rejects(
    inspectDataset(join(dir, 'missing.tif')),
    (e: unknown) => e instanceof TesseraError && e.code === 'DATASET_UNREADABLE' && /No such file/.test(e.message),
  );
});
