/**
 * `tessera ingest` of files that make no dataset: a Shapefile without its .prj (rgdal's scot_BNG
 * with .shx and .dbf) and a lone .shp. Each run fails (exit 1), not "partial" (exit 3), and its
 * counters add up: the job's are its items' sums, the bytes read are the files' sizes, once (a
 * retry does not read them "again"), and a unit with no dataset counts all its bytes as it stages.
 * Real child processes on real files.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JobItem, JobSummary } from '../../shared/contract.js';
import { rgdalVector } from '../testing/real-data.js';
import { runTessera } from '../testing/run-tessera.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-counts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dataDir = join(dir, 'data');
const tessera = (...args: string[]) => runTessera(dataDir, ...args);

async function shown(id: number): Promise<{ job: JobSummary; items: JobItem[] }> {
  const run = await tessera('jobs', 'show', String(id), '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as { job: JobSummary; items: JobItem[] };
}

function assertSums({ job, items }: { job: JobSummary; items: JobItem[] }): void {
  for (const counter of ['done', 'total', 'bytes', 'failed'] as const)
    assert.equal(
      job.progress[counter],
      items.reduce((n, i) => n + i[counter], 0),
      `job ${counter} is its items' sum`,
    );
}

test('a Shapefile without its .prj: the ingest fails (exit 1), counts each file once, and a retry reads nothing "again"', async () => {
  const messy = join(dir, 'messy');
  mkdirSync(messy);
  let size = 0;
  for (const ext of ['shp', 'shx', 'dbf']) {
    copyFileSync(rgdalVector(`scot_BNG.${ext}`), join(messy, `noprj.${ext}`));
    size += statSync(join(messy, `noprj.${ext}`)).size;
  }
  const run = await tessera('ingest', join(messy, 'noprj.shp'));
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^job (\d+) failed/);
  assert.match(run.stdout, /made {5}no dataset/);
  const id = Number(/^job (\d+)/.exec(run.stdout)![1]);
  const first = await shown(id);
  assert.equal(first.job.state, 'failed');
  assert.equal(first.job.error?.code, 'NO_GEOREFERENCE');
  assertSums(first);
  assert.equal(first.job.progress.bytes, size, 'the three files read once');
  assert.equal(first.job.progress.total, size);

  const again = await tessera('jobs', 'resume', String(id));
  assert.equal(again.code, 1, `${again.stdout}\n${again.stderr}`);
  const second = await shown(id);
  assertSums(second);
  assert.equal(second.job.progress.bytes, size, 'the retry stages them again without counting them twice');
});

test('a lone .shp: failed (exit 1), its progress ends at the file’s size', async () => {
  const lone = join(dir, 'lone');
  mkdirSync(lone);
  copyFileSync(rgdalVector('scot_BNG.shp'), join(lone, 'alone.shp'));
  const size = statSync(join(lone, 'alone.shp')).size;
  const run = await tessera('ingest', join(lone, 'alone.shp'));
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  const id = Number(/^job (\d+)/.exec(run.stdout)![1]);
  const { job, items } = await shown(id);
  assert.equal(job.state, 'failed');
  assertSums({ job, items });
  assert.deepEqual([job.progress.done, job.progress.total, job.progress.bytes], [size, size, size]);
});
