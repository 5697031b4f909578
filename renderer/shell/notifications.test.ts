import { expect, test } from 'vitest';
import { job, progress } from '../testing/test-jobs.js';
import { FinishWatcher, useToasts } from './notifications.js';

test('a finish is announced once per id, state and finish time; running and queued never', () => {
  const watcher = new FinishWatcher();
  expect(watcher.check(job(1, 'running'))).toBeNull();
  expect(watcher.check(job(1, 'queued'))).toBeNull();
  expect(watcher.check(job(1, 'interrupted'))).toBeNull();
  const done = job(1, 'succeeded', { finishedAt: '2026-11-29T10:00:00.000Z', progress: progress(1, 1200, 1200, { failed: 0 }) });
  expect(watcher.check(done)).toEqual({ title: 'Job #1 succeeded', body: 'verify cache-1.mbtiles — 1,200 of 1,200 done', tone: 'ok', jobId: 1 });
  expect(watcher.check(done)).toBeNull();
  // Retried and finished again: a new finish.
  expect(
    watcher.check({ ...done, state: 'failed', finishedAt: '2026-11-29T11:00:00.000Z', error: { code: 'NO_ITEMS', message: 'nothing to verify' } }),
  ).toEqual({
    title: 'Job #1 failed',
    body: 'verify cache-1.mbtiles — NO_ITEMS: nothing to verify',
    tone: 'bad',
    jobId: 1,
  });
  expect(watcher.check(job(2, 'cancelled'))?.tone).toBe('info');
});

test('the watcher forgets the oldest finishes beyond its limit', () => {
  const watcher = new FinishWatcher(2);
  const a = job(1, 'succeeded');
  expect(watcher.check(a)).not.toBeNull();
  expect(watcher.check(job(2, 'succeeded'))).not.toBeNull();
  expect(watcher.check(job(3, 'succeeded'))).not.toBeNull();
  expect(watcher.check(a)).not.toBeNull();
});

test('toasts: a job’s newer note replaces its older one, and only the last three stay', () => {
  const { push } = useToasts.getState();
  useToasts.setState({ toasts: [] });
  push({ title: 'Job #1 partial', body: '', tone: 'warn', jobId: 1 });
  push({ title: 'Job #1 partial', body: 'again', tone: 'warn', jobId: 1 });
  expect(useToasts.getState().toasts.map((t) => t.body)).toEqual(['again']);
  for (const id of [2, 3, 4]) push({ title: `Job #${id} succeeded`, body: '', tone: 'ok', jobId: id });
  expect(useToasts.getState().toasts.map((t) => t.jobId)).toEqual([2, 3, 4]);
  useToasts.setState({ toasts: [] });
});
