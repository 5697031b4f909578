/** The Workers screen over workers.list: no queue, a queue with workers (rate, current job), Redis away. */
import { afterEach, expect, test } from 'vitest';
import type { WorkersStatus } from '../../shared/contract.js';
import { type Mounted, mount, waitFor } from '../testing/mount.js';
import { WorkersView, taskRates } from './workers-view.js';

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

const beat = (name: string, tasksDone: number, current: WorkersStatus['workers'][number]['current'] = []) => ({
  name,
  host: 'render-01',
  pid: 4242,
  concurrency: 4,
  tasksDone,
  tasksFailed: 0,
  current,
  startedAt: '2026-12-07T18:00:00.000Z',
  lastBeatAt: '2026-12-07T18:20:00.000Z',
  stopping: false,
});

test('without a queue it says tasks run here and how to add workers', async () => {
  mounted = await mount(<WorkersView />, { 'workers.list': () => ({ queue: null, source: null, state: null, depth: 0, workers: [] }) });
  await waitFor('the explanation', () => mounted!.container.textContent!.includes("this machine's own threads"));
  expect(mounted.container.querySelector('table')).toBeNull();
});

test('a queue with two workers: a row each, the queue depth, the running job linked', async () => {
  const status: WorkersStatus = {
    queue: 'redis://:***@queue.example:6379/0',
    source: 'option',
    state: 'connected',
    depth: 12,
    workers: [beat('wA', 40, [{ task: 'renderBlock', job: 7 }]), beat('wB', 38)],
  };
  mounted = await mount(<WorkersView />, { 'workers.list': () => status });
  await waitFor('two rows', () => mounted!.container.querySelectorAll('tbody tr').length === 2);
  const text = mounted.container.textContent!;
  expect(text).toContain('redis://:***@queue.example:6379/0');
  expect(text).toContain('12 tasks waiting');
  expect(text).toContain('set by --queue at start');
  const rows = [...mounted.container.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  expect(rows[0]!.slice(0, 5)).toEqual(['wA', 'render-01', '4242', '4', '40']);
  expect(rows[0]![7]).toBe('1 task of job 7');
  expect(mounted.container.querySelector('a[href="#/jobs/7"]')).not.toBeNull();
  expect(rows[1]![7]).toBe('idle');
});

test('Redis unreachable reads as jobs waiting, not as an empty list', async () => {
  mounted = await mount(<WorkersView />, { 'workers.list': () => ({ queue: 'redis://q:6379/0', source: 'setting', state: 'waiting', depth: 0, workers: [] }) });
  await waitFor('the warning', () => mounted!.container.textContent!.includes('unreachable: jobs wait for it'));
});

test('rate: tasks done between two reads, per second', () => {
  const status: WorkersStatus = { queue: 'redis://q:6379/0', source: 'setting', state: 'connected', depth: 0, workers: [beat('wA', 50), beat('wB', 3)] };
  const rates = taskRates(new Map([['wA', { done: 40, at: 1000 }]]), status, 3000);
  expect(rates.get('wA')).toBe(5);
  expect(rates.get('wB')).toBeNull();
});
