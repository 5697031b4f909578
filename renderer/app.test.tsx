/**
 * The console's job table against the real contract: `window.tessera` is the real
 * createTesseraApi over an in-memory transport that validates every call with the contract's own
 * zod schemas (as the hosts' dispatcher does) before a handler holding a job list answers it.
 * So a call the console makes with bad input fails here as it would against the engine.
 *
 * main/hosts/dispatch.ts is not used: main/layering.test.ts keeps renderer/ (tests included) from
 * importing main/. No @testing-library either (not a dependency): react-dom/client and React's act().
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import { afterEach, expect, test } from 'vitest';
import type { z } from 'zod';
import {
  type BridgeTransport,
  type EventName,
  type Events,
  type JobProgress,
  type JobState,
  type JobSummary,
  type RequestName,
  type RequestParsed,
  type RequestResult,
  createTesseraApi,
  requests,
} from '../preload/contract.js';
import { TesseraError, fromSerialized, serializeError } from '../preload/errors.js';
import { App } from './app.js';
import { useLiveProgress } from './live-progress.js';

(globalThis as typeof globalThis & { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Handlers = { [N in RequestName]?: (input: RequestParsed<N>) => RequestResult<N> | Promise<RequestResult<N>> };

interface MemoryTransport {
  transport: BridgeTransport;
  /** Every call that passed validation, with its parsed input. */
  calls: { name: RequestName; input: unknown }[];
  /** Pushes an engine event to the subscribed listeners, as the host's WebSocket would. */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

/** A BridgeTransport in memory: contract validation, then the handler, with errors in their wire form. */
function memoryTransport(handlers: Handlers): MemoryTransport {
  const calls: MemoryTransport['calls'] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const transport: BridgeTransport = {
    async invoke(name, input) {
      if (!Object.hasOwn(requests, name)) throw new TesseraError('UNKNOWN_REQUEST', `no such request: ${name}`);
      const parsed = (requests[name].input as z.ZodType).safeParse(input ?? {});
      if (!parsed.success) {
        const text = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
        throw new TesseraError('BAD_INPUT', `${name}: ${text}`);
      }
      calls.push({ name, input: parsed.data });
      const handler = handlers[name] as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new TesseraError('NOT_FOUND', `${name} is not served in this test`);
      try {
        // A copy, as the wire makes one: the console must not share objects with the "engine".
        return structuredClone(await handler(parsed.data));
      } catch (error) {
        throw fromSerialized(serializeError(error));
      }
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  return { transport, calls, emit };
}

const NOW = '2026-11-29T09:00:00.000Z';

function progress(jobId: number, done: number, total: number, extra: Partial<JobProgress> = {}): JobProgress {
  return { jobId, done, total, failed: 0, bytes: 0, rate: 0, etaSeconds: null, ...extra };
}

function job(id: number, state: JobState, extra: Partial<JobSummary> = {}): JobSummary {
  const finished = !['queued', 'running', 'cancelling'].includes(state);
  return {
    id,
    kind: 'verify',
    name: `verify cache-${id}.mbtiles`,
    state,
    priority: 0,
    params: { cache: `/data/cache-${id}.mbtiles`, maxTileBytes: 512_000 },
    createdAt: NOW,
    startedAt: state === 'queued' ? null : NOW,
    finishedAt: finished ? NOW : null,
    updatedAt: NOW,
    items: { total: 4, queued: 0, running: 0, succeeded: 4, failed: 0, cancelled: 0 },
    progress: progress(id, finished ? 100 : 0, 100),
    error: null,
    ...extra,
  };
}

/** What the console needs besides the job list, plus jobs.list/cancel/retry over `jobs` (mutated in place). */
function consoleHandlers(jobs: JobSummary[]): Handlers {
  const find = (id: number) => {
    const found = jobs.find((j) => j.id === id);
    if (!found) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`);
    return found;
  };
  return {
    'app.info': () => ({ version: '0.1.0-test', host: 'headless', dataDir: '/data', threads: 2 }),
    'app.health': () => [{ name: 'store', state: 'ok', message: 'job store open', checkedAt: NOW }],
    'queue.get': () => ({ paused: false, queued: 0, running: 0, maxRunning: 2 }),
    'jobs.list': ({ limit }) => ({ rows: jobs.slice(0, limit), nextCursor: null }),
    'jobs.cancel': ({ ids }) => {
      for (const id of ids) find(id).state = 'cancelled';
      return { ok: ids, failed: [] };
    },
    'jobs.retry': ({ ids }) => {
      for (const id of ids) find(id).state = 'queued';
      return { ok: ids, failed: [] };
    },
  };
}

let root: Root | null = null;
let container: HTMLDivElement | null = null;
let queryClient: QueryClient | null = null;

/** Renders the console as main.tsx does, over `handlers`; resolves once the first render is in. */
async function renderApp(handlers: Handlers): Promise<MemoryTransport> {
  const memory = memoryTransport(handlers);
  Object.defineProperty(window, 'tessera', { value: createTesseraApi(memory.transport), configurable: true, enumerable: true, writable: false });
  // No retries: a failing request shows its error at once instead of after three backoffs.
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 5_000, refetchOnWindowFocus: false } } });
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  const client = queryClient;
  await act(async () =>
    root!.render(
      <QueryClientProvider client={client}>
        <App />
      </QueryClientProvider>,
    ),
  );
  return memory;
}

afterEach(async () => {
  if (root) await act(async () => root!.unmount());
  container?.remove();
  queryClient?.clear();
  root = null;
  container = null;
  queryClient = null;
  useLiveProgress.setState({ byJob: {} });
  delete (window as { tessera?: unknown }).tessera;
});

/** Lets React and the queries run until `probe` returns something truthy. */
async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page holds:\n${container?.innerHTML}`);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
  }
}

const rowOf = (id: number) => container!.querySelector<HTMLTableRowElement>(`[data-testid="job-${id}"]`);
const barOf = (id: number) => rowOf(id)?.querySelector('[role="progressbar"]') ?? null;

/** The ids of the job rows in the table right after the heading that starts with `title`. */
function idsUnder(title: string): number[] {
  const heading = [...container!.querySelectorAll('h2')].find((h) => h.textContent?.startsWith(title));
  if (!heading) throw new Error(`no "${title}" heading`);
  const section = heading.nextElementSibling;
  return [...(section?.querySelectorAll('[data-testid^="job-"]') ?? [])].map((row) => Number(row.getAttribute('data-testid')!.slice('job-'.length)));
}

test('running and queued jobs are under Queue, finished ones under History', async () => {
  const jobs = [
    job(5, 'running', { progress: progress(5, 10, 100) }),
    job(4, 'queued'),
    job(3, 'partial', { error: { code: 'TILE_CORRUPT', message: '1 of 4 item(s) failed; first: z10: 5 of 24 tiles at z10 are corrupt' } }),
    job(2, 'cancelled'),
    job(1, 'succeeded'),
  ];
  await renderApp(consoleHandlers(jobs));
  await waitFor('the job rows', () => rowOf(1));

  expect(container!.querySelector('h2')?.textContent).toBe('Queue (2)');
  expect(idsUnder('Queue')).toEqual([5, 4]);
  expect(idsUnder('History')).toEqual([3, 2, 1]);
  expect(rowOf(5)?.dataset.state).toBe('running');
  expect(rowOf(3)?.dataset.state).toBe('partial');
  expect(rowOf(3)?.textContent).toContain('z10: 5 of 24 tiles at z10 are corrupt');
  expect(barOf(5)?.getAttribute('aria-valuenow')).toBe('10');
  // Finished jobs offer Retry, active ones Cancel, and a succeeded one neither.
  const buttons = (id: number) => [...rowOf(id)!.querySelectorAll('button')].map((b) => b.textContent);
  expect(buttons(5)).toEqual(['Cancel']);
  expect(buttons(4)).toEqual(['Cancel']);
  expect(buttons(3)).toEqual(['Retry']);
  expect(buttons(1)).toEqual([]);
});

test('a job.progress event pushed by the host moves the running job’s bar, and only while it runs', async () => {
  const jobs = [job(2, 'running', { progress: progress(2, 10, 200) }), job(1, 'succeeded')];
  const memory = await renderApp(consoleHandlers(jobs));
  await waitFor('the running job', () => barOf(2));
  expect(barOf(2)?.getAttribute('aria-valuenow')).toBe('5');

  await act(async () => memory.emit('job.progress', progress(2, 110, 200, { rate: 40, etaSeconds: 3 })));
  expect(barOf(2)?.getAttribute('aria-valuenow')).toBe('55');
  expect(rowOf(2)?.textContent).toContain('110/200');
  expect(rowOf(2)?.textContent).toContain('ETA 3s');

  await act(async () => memory.emit('job.progress', progress(2, 150, 200)));
  expect(barOf(2)?.getAttribute('aria-valuenow')).toBe('75');

  // A late tick for a finished job does not overwrite its final numbers.
  await act(async () => memory.emit('job.progress', progress(1, 3, 100)));
  expect(barOf(1)?.getAttribute('aria-valuenow')).toBe('100');
});

test('a job.changed event refetches the list, so a new job appears', async () => {
  const jobs = [job(1, 'succeeded')];
  const memory = await renderApp(consoleHandlers(jobs));
  await waitFor('the first job', () => rowOf(1));

  const started = job(2, 'running', { progress: progress(2, 0, 100) });
  jobs.unshift(started);
  await act(async () => memory.emit('job.changed', started));
  await waitFor('the new job under Queue', () => idsUnder('Queue').includes(2));
  expect(idsUnder('History')).toEqual([1]);
});

test('Cancel calls jobs.cancel with that job’s id, and the row moves to History', async () => {
  const jobs = [job(3, 'running', { progress: progress(3, 40, 100) }), job(2, 'queued'), job(1, 'succeeded')];
  const memory = await renderApp(consoleHandlers(jobs));
  await waitFor('the running job', () => rowOf(3));

  const cancel = [...rowOf(3)!.querySelectorAll('button')].find((b) => b.textContent === 'Cancel');
  expect(cancel).toBeDefined();
  await act(async () => cancel!.click());

  await waitFor('jobs.cancel to be called', () => memory.calls.some((c) => c.name === 'jobs.cancel'));
  expect(memory.calls.filter((c) => c.name === 'jobs.cancel')).toEqual([{ name: 'jobs.cancel', input: { ids: [3] } }]);
  await waitFor('the cancelled job under History', () => rowOf(3)?.dataset.state === 'cancelled');
  expect(idsUnder('Queue')).toEqual([2]);
  expect(idsUnder('History')).toEqual([3, 1]);
});

test('with no jobs the empty state shows, and no table', async () => {
  await renderApp(consoleHandlers([]));
  const empty = await waitFor('the empty state', () => container!.querySelector('.empty'));
  expect(empty.textContent).toMatch(/^No jobs yet\./);
  expect(container!.querySelector('table')).toBeNull();
  expect(container!.querySelector('[role="alert"]')).toBeNull();
});

test('an error from jobs.list shows the alert', async () => {
  await renderApp({
    ...consoleHandlers([]),
    'jobs.list': () => {
      throw new TesseraError('STORE_UNAVAILABLE', 'the job store is closed');
    },
  });
  const alert = await waitFor('the alert', () => container!.querySelector('[role="alert"]'));
  expect(alert.textContent).toBe('Could not load jobs: the job store is closed');
  expect(container!.querySelector('.empty')).toBeNull();
  expect(container!.querySelector('table')).toBeNull();
});

test('the in-memory transport rejects what the contract rejects, before any handler runs', async () => {
  const memory = await renderApp(consoleHandlers([job(1, 'running')]));
  await expect(window.tessera.jobs.cancel({ ids: [] })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  await expect(window.tessera.jobs.list({ limit: 0 })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('limit') });
  expect(memory.calls.map((c) => c.name)).not.toContain('jobs.cancel');
  expect(memory.calls.filter((c) => c.name === 'jobs.list').map((c) => c.input)).not.toContainEqual(expect.objectContaining({ limit: 0 }));
});
