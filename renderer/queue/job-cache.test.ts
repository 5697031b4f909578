import { expect, test } from 'vitest';
import type { JobSummary, Page } from '../../shared/contract.js';
import { type HistoryData, applyToPage, applyToPages } from './job-cache.js';
import { job } from '../testing/test-jobs.js';

const FINISHED = { states: ['succeeded', 'failed', 'partial', 'cancelled', 'interrupted'] } as const;
const ids = (data: HistoryData) => data.pages.map((p) => p.rows.map((r) => r.id));
const page = (rowIds: number[], nextCursor: string | null): Page<JobSummary> => ({ rows: rowIds.map((id) => job(id, 'succeeded')), nextCursor });
const pages = (...p: Page<JobSummary>[]): HistoryData => ({ pages: p, pageParams: p.map((_, i) => (i === 0 ? undefined : `c${i}`)) });
const filter = { states: [...FINISHED.states] };

test('a changed row is replaced where it is, and only its page is copied', () => {
  const data = pages(page([9, 8, 7], 'c7'), page([6, 5, 4], 'c4'));
  const next = applyToPages(data, job(5, 'failed'), filter);
  expect(ids(next)).toEqual([
    [9, 8, 7],
    [6, 5, 4],
  ]);
  expect(next.pages[1]!.rows[1]!.state).toBe('failed');
  expect(next.pages[0]).toBe(data.pages[0]);
  expect(next.pages[1]!.nextCursor).toBe('c4');
});

test('a row that stops matching goes; a new one goes where its id belongs', () => {
  const data = pages(page([9, 8, 6], 'c6'), page([5, 3, 2], null));
  expect(ids(applyToPages(data, job(8, 'queued'), filter))).toEqual([
    [9, 6],
    [5, 3, 2],
  ]);
  expect(ids(applyToPages(data, job(12, 'succeeded'), filter))).toEqual([
    [12, 9, 8, 6],
    [5, 3, 2],
  ]);
  expect(ids(applyToPages(data, job(7, 'succeeded'), filter))).toEqual([
    [9, 8, 7, 6],
    [5, 3, 2],
  ]);
  expect(ids(applyToPages(data, job(4, 'succeeded'), filter))).toEqual([
    [9, 8, 6],
    [5, 4, 3, 2],
  ]);
  // Older than everything loaded, and no page follows: it is the last row.
  expect(ids(applyToPages(data, job(1, 'succeeded'), filter))).toEqual([
    [9, 8, 6],
    [5, 3, 2, 1],
  ]);
  // Not in the filter: nothing changes (the same object comes back).
  expect(applyToPages(data, job(10, 'running'), filter)).toBe(data);
});

test('a job older than every loaded row waits for its page when more pages remain', () => {
  const data = pages(page([9, 8], 'c8'));
  expect(applyToPages(data, job(3, 'succeeded'), filter)).toBe(data);
});

test('the active list gains, updates and drops jobs by the same rules', () => {
  const active = { states: ['running' as const, 'cancelling' as const, 'queued' as const] };
  const list: Page<JobSummary> = { rows: [job(8, 'running'), job(6, 'queued')], nextCursor: null };
  expect(applyToPage(list, job(7, 'queued'), active).rows.map((r) => r.id)).toEqual([8, 7, 6]);
  expect(applyToPage(list, job(8, 'succeeded'), active).rows.map((r) => r.id)).toEqual([6]);
  expect(applyToPage(list, job(6, 'running'), active).rows[1]!.state).toBe('running');
});
