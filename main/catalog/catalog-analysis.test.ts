import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../store/database.js';
import { Catalog } from './catalog.js';
import { countInvalidBatched, countInvalidShared } from './describe.js';
import { PREVIEW_FULL_BYTES, sampleEvery } from './preview.js';
import { repeatedStatesGpkg } from './testing/big-dataset.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-analysis-'));
let big = '';
before(async () => {
  big = await repeatedStatesGpkg(join(root, 'states-x6.gpkg'), 6);
});
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

function open(): { catalog: Catalog; dataDir: string; changed: number[] } {
  const dataDir = join(root, `d${++dirs}`);
  mkdirSync(dataDir, { recursive: true });
  const changed: number[] = [];
  return { catalog: new Catalog(openDatabase(join(dataDir, 'jobs.sqlite')), dataDir, (ids) => changed.push(...ids)), dataDir, changed };
}

/** Commits a copy of the big GeoPackage; its analysis starts at once. */
async function commitBig(catalog: Catalog, name: string) {
  const draft = await catalog.openDraft({ jobId: 1, key: name, kind: 'vector', name });
  copyFileSync(big, draft.file);
  return catalog.commit(draft, { name, jobId: 1, source: { type: 'file', files: [big] } });
}

async function untilAnalysing(catalog: Catalog, id: number): Promise<void> {
  while (catalog.analysingNow() !== id) await new Promise((r) => setTimeout(r, 5));
}

test('invalid geometries counted in batches add up to the count of the whole layer', async () => {
  const whole = await countInvalidShared(big, 'states');
  const batches: [number, number][] = [];
  const batched = await countInvalidBatched(big, 'states', { batchBytes: 4 * 1024 * 1024, onBatch: (fids) => batches.push(fids) });
  assert.equal(whole, 6, 'one bow tie per copy');
  assert.equal(batched, whole);
  assert.ok(batches.length >= 5, `${batches.length} batches`);
  // Every FID once: the batches tile the range without gaps or overlaps.
  for (let i = 1; i < batches.length; i++) assert.equal(batches[i]![0], batches[i - 1]![1] + 1);
});

test('a batched count stops at the batch after its signal fires', async () => {
  const stop = new AbortController();
  let batches = 0;
  await assert.rejects(
    countInvalidBatched(big, 'states', {
      batchBytes: 2 * 1024 * 1024,
      signal: stop.signal,
      onBatch: () => {
        batches++;
        stop.abort();
      },
    }),
    (error: Error & { code?: string }) => error.code === 'CANCELLED' || error.name === 'AbortError',
  );
  assert.equal(batches, 1);
});

test('a large dataset is previewed from a sample, a small one whole', () => {
  assert.equal(sampleEvery(12_000_000), 1);
  assert.equal(sampleEvery(PREVIEW_FULL_BYTES), 1);
  assert.equal(sampleEvery(PREVIEW_FULL_BYTES + 1), 2);
  assert.equal(sampleEvery(107 * 1024 * 1024), 4);
});

test('deleting a dataset stops its analysis well before a whole analysis would end, and keeps nothing of it', async () => {
  const { catalog, dataDir, changed } = open();
  let started = performance.now();
  const whole = await commitBig(catalog, 'whole');
  await catalog.analysesDone();
  const wholeMs = performance.now() - started;
  assert.deepEqual(changed, [whole.id]);
  assert.equal(catalog.get(whole.id).analysisPending, false);

  const doomed = await commitBig(catalog, 'doomed');
  await untilAnalysing(catalog, doomed.id);
  started = performance.now();
  assert.deepEqual((await catalog.delete([doomed.id])).ok, [doomed.id]);
  await catalog.analysesDone();
  const stopMs = performance.now() - started;
  assert.ok(stopMs < wholeMs / 2, `stopped after ${stopMs.toFixed(0)} ms; a whole analysis took ${wholeMs.toFixed(0)} ms`);
  assert.deepEqual(changed, [whole.id], 'nothing announced for the deleted dataset');
  assert.ok(!existsSync(join(dataDir, 'catalog', doomed.path.split('/').at(-2)!)));
});

test('closing the catalogue stops the analysis under way promptly; the next open finishes it', async () => {
  const { catalog, dataDir } = open();
  let started = performance.now();
  const first = await commitBig(catalog, 'first');
  await catalog.analysesDone();
  const wholeMs = performance.now() - started;
  const second = await commitBig(catalog, 'second');
  await untilAnalysing(catalog, second.id);
  started = performance.now();
  await catalog.close();
  const stopMs = performance.now() - started;
  assert.ok(stopMs < wholeMs / 2, `closed after ${stopMs.toFixed(0)} ms; a whole analysis took ${wholeMs.toFixed(0)} ms`);
  assert.equal(catalog.get(second.id).analysisPending, true);
  assert.equal(catalog.get(first.id).analysisPending, false);
  catalog.db.close();

  const again = new Catalog(openDatabase(join(dataDir, 'jobs.sqlite')), dataDir);
  again.resumeAnalyses();
  await again.analysesDone();
  const done = again.get(second.id);
  assert.equal(done.analysisPending, false);
  assert.deepEqual(
    done.layers.map((l) => l.invalidGeometries),
    again.get(first.id).layers.map((l) => l.invalidGeometries),
  );
  again.db.close();
});
