/** The taskbar bar from the engine's events, on a real EventBus, throttled; no Electron. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { JobSummary } from '../../shared/contract.js';
import { EventBus } from '../engine/event-bus.js';
import { type TaskbarState, TaskbarProgress, taskbarState } from './taskbar-progress.js';

test('taskbarState: the fraction over every running job, indeterminate while none has a total, red after an unseen failure', () => {
  const q = { paused: false };
  assert.deepEqual(taskbarState([], q, false), { value: -1, mode: 'none' });
  assert.deepEqual(
    taskbarState(
      [
        { done: 25, total: 100 },
        { done: 75, total: 100 },
      ],
      q,
      false,
    ),
    { value: 0.5, mode: 'normal' },
  );
  assert.deepEqual(taskbarState([{ done: 0, total: 0 }], q, false), { value: 2, mode: 'indeterminate' });
  assert.deepEqual(taskbarState([{ done: 10, total: 40 }], { paused: true }, false), { value: 0.25, mode: 'paused' });
  assert.deepEqual(taskbarState([{ done: 10, total: 40 }], q, true), { value: 0.25, mode: 'error' });
  assert.deepEqual(taskbarState([], q, true), { value: 1, mode: 'error' }, 'a finished failure stays visible until seen');
  assert.equal(taskbarState([{ done: 150, total: 100 }], q, false).value, 1, 'never past full, whatever a retry counted');
});

function job(id: number, state: JobSummary['state'], done: number, total: number): JobSummary {
  return { id, state, progress: { jobId: id, done, total, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null } } as JobSummary;
}

test('TaskbarProgress follows jobs through the bus, throttled, and clears when they end; a failure is red until acknowledged', async () => {
  const events = new EventBus();
  const states: TaskbarState[] = [];
  const taskbar = new TaskbarProgress({ events, set: (s) => states.push(s), intervalMs: 20 });
  events.emit('job.changed', job(1, 'running', 0, 200));
  for (let done = 1; done <= 100; done++)
    events.emit('job.progress', { jobId: 1, done, total: 200, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null });
  await sleep(60);
  assert.equal(states.length, 1, '101 events, one update');
  assert.deepEqual(states[0], { value: 0.5, mode: 'normal' });

  events.emit('job.progress', { jobId: 9, done: 5, total: 10, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null });
  await sleep(60);
  assert.equal(states.length, 1, 'progress of a job not known to run changes nothing');

  events.emit('job.changed', job(1, 'partial', 200, 200));
  await sleep(60);
  assert.deepEqual(states.at(-1), { value: 1, mode: 'error' });
  taskbar.acknowledge();
  assert.deepEqual(states.at(-1), { value: -1, mode: 'none' });

  events.emit('job.changed', job(2, 'running', 0, 10));
  events.emit('job.changed', job(2, 'succeeded', 10, 10));
  await sleep(60);
  assert.deepEqual(states.at(-1), { value: -1, mode: 'none' }, 'a success leaves no bar');
  taskbar.close();
  events.emit('job.changed', job(3, 'running', 0, 10));
  await sleep(60);
  assert.deepEqual(states.at(-1), { value: -1, mode: 'none' }, 'closed: no more updates');
});
