/**
 * jobs.retry with params ("Retry with CRS…"): a real engine ingests a Shapefile without .prj (real
 * GDAL, rgdal's cities), which fails with NO_GEOREFERENCE; a plain retry fails the same way; a retry
 * may change only what the kind allows, checked by its schema and by GDAL; a retry with a CRS
 * imports the layer, keeps the new params and says so in the job log.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobSummary } from '../../shared/contract.js';
import { ingestTestBed } from '../ingest/testing/ingest-bed.js';
import { rgdalVector } from '../testing/real-data.js';

const bed = ingestTestBed('retry-crs');

/** cities.shp with its .shx and .dbf and no .prj, in a folder of its own. */
function citiesWithoutPrj(): string {
  const dir = mkdtempSync(join(bed.files, 'noprj-'));
  for (const ext of ['shp', 'shx', 'dbf']) copyFileSync(rgdalVector(`cities.${ext}`), join(dir, `cities.${ext}`));
  return join(dir, 'cities.shp');
}

function failedItems(job: JobSummary) {
  return bed.engine.store.listItems(job.id, { limit: 100 }).rows.filter((i) => i.state === 'failed');
}

const NO_CRS = 'cities.shp › cities: it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry';

test('a plain retry fails the same clear way; a retry with a CRS imports the layer and logs the change', async () => {
  const e = bed.engine;
  const first = await bed.ingest([citiesWithoutPrj()]);
  // The file's staging item succeeds; its layer fails; no dataset made, so the job failed.
  assert.equal(first.job.state, 'failed');
  const [item] = failedItems(first.job);
  assert.equal(item?.error?.code, 'NO_GEOREFERENCE');
  assert.equal(item?.error?.message, NO_CRS);

  const plain = await e.handlers['jobs.retry']({ ids: [first.job.id] });
  assert.deepEqual(plain, { ok: [first.job.id], failed: [] });
  const again = await e.waitFor(first.job.id);
  assert.equal(again.state, 'failed');
  assert.equal(failedItems(again)[0]?.error?.message, NO_CRS);
  assert.ok(!('assignCrs' in again.params), 'a plain retry changes no params');

  const withCrs = await e.handlers['jobs.retry']({ ids: [first.job.id], params: { assignCrs: 'EPSG:4326' } });
  assert.deepEqual(withCrs, { ok: [first.job.id], failed: [] });
  const done = await e.waitFor(first.job.id);
  await e.catalog.analysesDone();
  assert.equal(done.state, 'succeeded', JSON.stringify(failedItems(done).map((i) => i.error)));
  assert.deepEqual(done.params, { ...first.job.params, assignCrs: 'EPSG:4326' });
  const [dataset] = e.catalog.madeBy(done.id);
  assert.ok(dataset, 'the layer is in the catalogue');
  assert.match(JSON.stringify(dataset), /4326/);
  const logged = e.store.events(done.id).find((ev) => ev.type === 'params.changed');
  assert.equal(logged?.message, 'retried with CRS for sources without one: EPSG:4326');
  assert.deepEqual(logged?.data, { patch: { assignCrs: 'EPSG:4326' } });
  // Found by what it was retried with.
  assert.ok(e.store.listJobs({ text: 'epsg:4326' }, undefined, 10).rows.some((j) => j.id === done.id));
});

test('a retry may change only the params its kind allows, with values its schema and GDAL accept', async () => {
  const e = bed.engine;
  const { job } = await bed.ingest([citiesWithoutPrj()]);
  assert.equal(job.state, 'failed');
  const refusal = async (params: Record<string, unknown>) => {
    const result = await e.handlers['jobs.retry']({ ids: [job.id], params });
    assert.deepEqual(result.ok, []);
    return result.failed[0]!.error;
  };
  const files = await refusal({ files: ['/etc/passwd'] });
  assert.equal(files.code, 'BAD_INPUT');
  assert.equal(files.message, 'params.files: a retry of this ingest job may change only assignCrs');
  const unknown = await refusal({ assignCrs: 'EPSG:99999999' });
  assert.equal(unknown.code, 'BAD_INPUT');
  assert.match(unknown.message, /^params\.assignCrs: GDAL does not know the CRS "EPSG:99999999"/);
  const empty = await refusal({ assignCrs: '' });
  assert.equal(empty.code, 'BAD_INPUT');
  assert.match(empty.message, /params\.assignCrs/);
  // Nothing changed and nothing was queued by the refusals.
  const still = e.store.getJob(job.id);
  assert.equal(still.state, 'failed');
  assert.deepEqual(still.params, job.params);
  assert.ok(!e.store.events(job.id).some((ev) => ev.type === 'params.changed'));
  // A job that does not exist is refused alone; the other is retried.
  const mixed = await e.handlers['jobs.retry']({ ids: [job.id, 999_999], params: { assignCrs: 'EPSG:4326' } });
  assert.deepEqual(mixed.ok, [job.id]);
  assert.equal(mixed.failed[0]?.id, 999_999);
  assert.equal(mixed.failed[0]?.error.code, 'NOT_FOUND');
  assert.equal((await e.waitFor(job.id)).state, 'succeeded');
});
