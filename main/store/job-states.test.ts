import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ITEM_STATES, JOB_STATES, type ItemState, type JobState } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { openDatabase } from './database.js';
import { JobStore } from './job-store.js';
import { ITEM_TRANSITION_TABLE, JOB_TRANSITION_TABLE, canTransitionJob, cancelTarget, finalJobState } from './job-states.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-states-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Drives a fresh job into `state` through legal transitions only. */
function jobIn(store: JobStore, state: JobState): number {
  const id = store.createJob({ kind: 'verify', name: `in ${state}`, params: { cache: '/x', maxTileBytes: 1 }, priority: 0 }).id;
  const paths: Record<JobState, JobState[]> = {
    queued: [],
    running: ['running'],
    cancelling: ['running', 'cancelling'],
    succeeded: ['running', 'succeeded'],
    partial: ['running', 'partial'],
    failed: ['running', 'failed'],
    cancelled: ['cancelled'],
    interrupted: ['running', 'interrupted'],
  };
  for (const to of paths[state]) store.transitionJob(id, to);
  assert.equal(store.getJob(id).state, state);
  return id;
}

test('every job transition: the legal ones are applied, every other one is ILLEGAL_TRANSITION and changes nothing', () => {
  const store = new JobStore(openDatabase(join(dir, 'jobs.sqlite')));
  let legal = 0;
  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) {
      const id = jobIn(store, from);
      if (JOB_TRANSITION_TABLE[from].includes(to)) {
        assert.equal(store.transitionJob(id, to).state, to, `${from} → ${to}`);
        legal++;
      } else {
        assert.throws(
          () => store.transitionJob(id, to),
          (e: unknown) => e instanceof TesseraError && e.code === 'ILLEGAL_TRANSITION',
          `${from} → ${to} must be refused`,
        );
        assert.equal(store.getJob(id).state, from, `${from} → ${to} must leave the job as it was`);
      }
    }
  }
  assert.equal(legal, Object.values(JOB_TRANSITION_TABLE).flat().length);
});

test('every item transition: legal ones apply, illegal ones are refused', () => {
  const store = new JobStore(openDatabase(join(dir, 'items.sqlite')));
  const paths: Record<ItemState, ItemState[]> = {
    queued: [],
    running: ['running'],
    succeeded: ['running', 'succeeded'],
    failed: ['running', 'failed'],
    cancelled: ['cancelled'],
    interrupted: ['interrupted'],
  };
  for (const from of ITEM_STATES) {
    for (const to of ITEM_STATES) {
      const jobId = store.createJob({ kind: 'verify', name: 'j', params: { cache: '/x', maxTileBytes: 1 }, priority: 0 }).id;
      store.addItems(jobId, [{ label: 'z0', spec: { z: 0 } }]);
      const itemId = store.runnableItems(jobId)[0]!.id;
      for (const step of paths[from]) store.transitionItem(itemId, step);
      if (ITEM_TRANSITION_TABLE[from].includes(to)) assert.equal(store.transitionItem(itemId, to).state, to);
      else {
        assert.throws(() => store.transitionItem(itemId, to), /cannot go from/);
        assert.equal(store.getItem(itemId).state, from);
      }
    }
  }
});

test('a job cancelled while queued can never start', () => {
  const store = new JobStore(openDatabase(join(dir, 'cancel.sqlite')));
  const id = jobIn(store, 'queued');
  assert.equal(cancelTarget('queued'), 'cancelled');
  store.transitionJob(id, 'cancelled');
  assert.equal(canTransitionJob('cancelled', 'running'), false);
  assert.throws(() => store.transitionJob(id, 'running'), /cannot go from cancelled to running/);
  assert.deepEqual(
    store.queuedJobs().filter((j) => j.id === id),
    [],
  );
});

test('final state: a failure is never hidden behind success', () => {
  assert.equal(finalJobState({ succeeded: 3, failed: 0, cancelled: 0 }, false), 'succeeded');
  assert.equal(finalJobState({ succeeded: 2, failed: 1, cancelled: 0 }, false), 'partial');
  assert.equal(finalJobState({ succeeded: 0, failed: 2, cancelled: 0 }, false), 'failed');
  assert.equal(finalJobState({ succeeded: 2, failed: 1, cancelled: 0 }, true), 'cancelled');
  assert.equal(cancelTarget('running'), 'cancelling');
  assert.equal(cancelTarget('succeeded'), null);
});
