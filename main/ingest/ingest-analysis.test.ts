/**
 * An ingest job is the import only: the catalogue's analysis of what it added (invalid geometries,
 * preview) runs after it and never holds up the next ingest; and the handles the plan keeps for
 * the import are all taken or closed when the job ends.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repeatedStatesGpkg } from '../catalog/testing/big-dataset.js';
import { plannedCount } from './planned-sources.js';
import { ingestTestBed } from './testing/ingest-bed.js';
import { pointsGeoJson } from './testing/ingest-fixtures.js';

const bed = ingestTestBed('ingest-analysis');

test('a second ingest’s job succeeds while the analysis of a big dataset is still running', { timeout: 300_000 }, async () => {
  const e = bed.engine;
  const big = await repeatedStatesGpkg(join(bed.files, 'states-x6.gpkg'), 6);
  const first = await e.waitFor((await e.start({ kind: 'ingest', params: { files: [big] } })).id);
  assert.equal(first.state, 'succeeded', first.error?.message);
  const bigId = e.catalog.madeBy(first.id)[0]!.id;
  while (e.catalog.analysingNow() !== bigId) await new Promise((r) => setTimeout(r, 5));

  const small = pointsGeoJson(join(bed.files, 'points.geojson'));
  const second = await e.waitFor((await e.start({ kind: 'ingest', params: { files: [small] } })).id);
  assert.equal(second.state, 'succeeded', second.error?.message);
  assert.equal(e.catalog.analysingNow(), bigId, 'the big dataset was still being analysed when the second job succeeded');
  assert.equal(e.catalog.get(bigId).analysisPending, true);
  assert.equal(plannedCount(), 0, 'the plans’ handles were taken by the imports or closed at the jobs’ end');

  await e.catalog.analysesDone();
  const [analysed, points] = [e.catalog.get(bigId), e.catalog.madeBy(second.id)[0]!];
  assert.equal(analysed.analysisPending, false);
  assert.deepEqual(
    analysed.layers.map((l) => [l.featureCount, l.invalidGeometries]),
    [[6 * (4556 + 240 + 1), 6]],
  );
  assert.equal(points.analysisPending, false);
  assert.ok(points.thumbnail);
});
