/**
 * Following a job: the engine's job events move the one cached summary (however many components
 * show the job), its lists are read again once per burst, and the fallback poll never overlaps.
 */
import { QueryClient } from '@tanstack/react-query';
import { afterEach, expect, test } from 'vitest';
import type { EventName, Events, JobEvent, JobSummary } from '../../shared/contract.js';
import { job, progress } from '../testing/test-jobs.js';
import { type Mounted, mount, waitFor } from '../testing/mount.js';
import { type EventPage, type EventSource, LIST_REFRESH_MS, LIVE_ROWS_MS, followJob } from './follow-job.js';
import { jobKeys } from './job-keys.js';
import { useJob, useJobEvents, useJobItems } from './job-queries.js';

let m: Mounted | undefined;
afterEach(async () => {
  await m?.unmount();
  m = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function JobState({ id, label }: { id: number; label: string }) {
  const j = useJob(id);
  return <p data-testid={label}>{j.data ? `${j.data.state} ${j.data.progress.done}` : '…'}</p>;
}

function JobItems({ id }: { id: number }) {
  const items = useJobItems(id);
  return <p data-testid="items">{items.data?.pages.flatMap((p) => p.rows).length ?? '…'}</p>;
}

function JobLog({ id }: { id: number }) {
  const events = useJobEvents(id);
  return <p data-testid="log">{events.data?.pages.flatMap((p) => p.rows.map((e) => e.message)).join('|') ?? '…'}</p>;
}

function Polled() {
  const j = useJob(7, { pollMs: 20 });
  return <p data-testid="polled">{j.data?.state ?? '…'}</p>;
}

const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent;
const logEvent = (id: number, message: string): JobEvent => ({ id, jobId: 7, at: '2026-11-29T09:00:00.000Z', type: 'note', message, data: {} });

test('a job shown twice is one cache entry, moved by job.progress and job.changed, with no second key', async () => {
  let current: JobSummary = job(7, 'running', { progress: progress(7, 10, 100) });
  m = await mount(
    <>
      <JobState id={7} label="a" />
      <JobState id={7} label="b" />
      <JobItems id={7} />
      <JobLog id={7} />
    </>,
    {
      'jobs.get': () => current,
      'jobs.items': () => ({ rows: [], nextCursor: null }),
      'jobs.events': () => [logEvent(1, 'started')],
    },
  );
  await waitFor('the job', () => text('a') === 'running 10' && text('b') === 'running 10' && text('log') === 'started');
  expect(m.callsTo('jobs.get').length).toBe(1);

  m.emit('job.progress', progress(7, 40, 100));
  await waitFor('the progress', () => text('a') === 'running 40' && text('b') === 'running 40');
  m.emit('job.event', logEvent(2, 'half way'));
  await waitFor('the live log entry', () => text('log') === 'started|half way');

  const itemReads = m.callsTo('jobs.items').length;
  current = job(7, 'succeeded', { progress: progress(7, 100, 100) });
  m.emit('job.changed', current);
  m.emit('job.changed', current);
  await waitFor('the finish', () => text('a') === 'succeeded 100' && text('b') === 'succeeded 100');
  // A late tick does not undo the finish.
  m.emit('job.progress', progress(7, 99, 100));
  await sleep(LIST_REFRESH_MS + 100);
  await waitFor('the items read again', () => m!.callsTo('jobs.items').length > itemReads);
  expect(text('a')).toBe('succeeded 100');
  // Two changes in a burst: the items are read again once.
  expect(m.callsTo('jobs.items').length).toBe(itemReads + 1);
  // The events came without a jobs.get: the summary was never read again.
  expect(m.callsTo('jobs.get').length).toBe(1);

  const summaries = m.queryClient.getQueryCache().findAll({ queryKey: ['jobs.get'] });
  expect(summaries.map((q) => q.queryKey)).toEqual([jobKeys.summary(7)]);
  const keys = m.queryClient
    .getQueryCache()
    .findAll()
    .map((q) => String(q.queryKey[0]));
  expect(keys.every((k) => k.startsWith('jobs.'))).toBe(true);
});

test('while a job runs, its item rows are read again from its progress ticks, at most once a second', async () => {
  let done = 10;
  m = await mount(
    <>
      <JobState id={7} label="a" />
      <JobItems id={7} />
    </>,
    {
      'jobs.get': () => job(7, 'running', { progress: progress(7, done, 100) }),
      'jobs.items': () => ({ rows: [], nextCursor: null }),
    },
  );
  await waitFor('the items', () => text('items') === '0' && text('a') === 'running 10');
  const before = m.callsTo('jobs.items').length;
  // Ten ticks in half a second (no job.changed: an item's counters move without a state change).
  for (let i = 0; i < 10; i++) {
    done += 5;
    m.emit('job.progress', progress(7, done, 100));
    await sleep(50);
  }
  await waitFor('the rows read again', () => m!.callsTo('jobs.items').length > before, { timeoutMs: LIVE_ROWS_MS + 1500 });
  await sleep(200);
  expect(m.callsTo('jobs.items').length, 'one read for the burst of ticks').toBe(before + 1);
});

test('every follower of a job shares one subscription, dropped with the last', () => {
  const listeners = new Map<EventName, number>();
  const events: EventSource = {
    on<E extends EventName>(event: E, _listener: (payload: Events[E]) => void) {
      listeners.set(event, (listeners.get(event) ?? 0) + 1);
      return () => listeners.set(event, (listeners.get(event) ?? 0) - 1);
    },
  };
  const queryClient = new QueryClient();
  const first = followJob(queryClient, events, 7);
  const second = followJob(queryClient, events, 7);
  const other = followJob(queryClient, events, 8);
  expect(Object.fromEntries(listeners)).toEqual({ 'job.changed': 2, 'job.progress': 2, 'job.event': 2 });
  first();
  first(); // a second call of the same release changes nothing
  expect(listeners.get('job.changed')).toBe(2);
  second();
  expect(Object.fromEntries(listeners)).toEqual({ 'job.changed': 1, 'job.progress': 1, 'job.event': 1 });
  other();
  expect(listeners.get('job.changed')).toBe(0);
});

test('the fallback poll of an unfinished job never starts while one is in flight', async () => {
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  let state: JobSummary['state'] = 'running';
  m = await mount(<Polled />, {
    'jobs.get': async () => {
      calls++;
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(90);
      inFlight--;
      return job(7, state);
    },
  });
  await waitFor('a few polls', () => calls >= 3, { timeoutMs: 3000 });
  expect(most).toBe(1);
  // Once it is finished, it is not read again.
  state = 'succeeded';
  m.emit('job.changed', job(7, 'succeeded'));
  await waitFor('the finish', () => text('polled') === 'succeeded');
  await sleep(150);
  const after = calls;
  await sleep(150);
  expect(calls).toBe(after);
});

test('a live entry is appended only to a log loaded to its end', () => {
  const queryClient = new QueryClient();
  const full: EventPage = { rows: [logEvent(1, 'a')], more: true };
  queryClient.setQueryData(jobKeys.events(7), { pages: [full], pageParams: [0] });
  const logListeners: ((e: JobEvent) => void)[] = [];
  const events: EventSource = {
    on(event, listener) {
      // Only the log's events matter here; the summary's have tests of their own.
      if (event === 'job.event') logListeners.push((e) => listener(e as Events[typeof event]));
      return () => {};
    },
  };
  const emit = (e: JobEvent) => {
    for (const listener of logListeners) listener(e);
  };
  const stop = followJob(queryClient, events, 7);
  emit(logEvent(2, 'b'));
  expect(queryClient.getQueryData<{ pages: EventPage[] }>(jobKeys.events(7))!.pages[0]!.rows.map((e) => e.message)).toEqual(['a']);
  queryClient.setQueryData(jobKeys.events(7), { pages: [{ rows: [logEvent(1, 'a')], more: false }], pageParams: [0] });
  emit(logEvent(2, 'b'));
  emit(logEvent(2, 'b'));
  expect(queryClient.getQueryData<{ pages: EventPage[] }>(jobKeys.events(7))!.pages[0]!.rows.map((e) => e.message)).toEqual(['a', 'b']);
  stop();
});
