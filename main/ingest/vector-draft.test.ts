/**
 * The vector draft writer on real data: layers written through held handles, and a draft left
 * without spatial indexes (a crash before its close) repaired when a retry reopens it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import gdal from 'gdal-async';
import { worldMapGpkg } from '../testing/real-data.js';
import { VectorDraftWriter, ensureSpatialIndexes } from './vector-draft.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vector-draft-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function hasSpatialIndex(file: string, layer: string): Promise<boolean> {
  const ds = await gdal.openAsync(file);
  try {
    const result = await ds.executeSQLAsync(`SELECT HasSpatialIndex('${layer}', 'geom')`);
    return Object.values((await result.features.nextAsync())?.fields.toObject() ?? {})[0] === 1;
  } finally {
    ds.close();
  }
}

test('layers written through one writer: described as written, indexed once closed', async () => {
  const file = join(dir, 'world.gpkg');
  const writer = await VectorDraftWriter.open(worldMapGpkg(), file, 'world', false);
  const countries = await writer.write({ layer: 'countries', label: 'countries' });
  const borders = await writer.write({ layer: 'disputed_borders', label: 'borders' });
  await writer.close();
  assert.deepEqual([countries.described.name, countries.described.featureCount, countries.described.crs], ['countries', 240, 'EPSG:4326']);
  assert.equal(borders.described.featureCount, 46);
  for (const layer of ['countries', 'disputed_borders']) assert.ok(await hasSpatialIndex(file, layer), `${layer} indexed`);
});

test('a draft whose layers have no spatial index (a crash before its close) is repaired when reopened', async () => {
  const file = join(dir, 'crashed.gpkg');
  const source = await gdal.openAsync(worldMapGpkg());
  (await gdal.vectorTranslateAsync(file, source, ['-f', 'GPKG', '-lco', 'SPATIAL_INDEX=NO', 'countries'])).close();
  source.close();
  assert.equal(await hasSpatialIndex(file, 'countries'), false);

  const writer = await VectorDraftWriter.open(worldMapGpkg(), file, 'world', true);
  await writer.write({ layer: 'disputed_borders', label: 'borders' });
  await writer.close();
  assert.ok(await hasSpatialIndex(file, 'countries'), 'the earlier layer got its index');
  assert.ok(await hasSpatialIndex(file, 'disputed_borders'));
  const again = await gdal.openAsync(file, 'r+');
  try {
    assert.deepEqual(await ensureSpatialIndexes(again), [], 'nothing left to build');
  } finally {
    again.close();
  }
});
