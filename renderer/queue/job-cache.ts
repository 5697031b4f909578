/**
 * The queue's engine data in react-query: the query keys, and how a `job.changed` event is written
 * into the cached lists in place. The history can hold 100,000 jobs across hundreds of pages, so an
 * event must never refetch it; it updates, inserts or removes the one row (keyset paging by id,
 * newest first, tells where a row belongs).
 */
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { JobFilter, JobSummary, Page } from '../../shared/contract.js';
import { pagedKey, queryKey } from '../data/query-keys.js';
import { matchesFilter } from './filters.js';

/** Rows per `jobs.list` call of the history. */
export const HISTORY_PAGE_SIZE = 200;
/** Active jobs fetched; more are counted (queue.get) but not listed. */
export const ACTIVE_LIMIT = 200;

/**
 * Query keys, from the requests that read them: the active section is one `jobs.list` answer, the
 * history its pages (so the two never share an entry, even under the same filter), and the queue state.
 */
export const queueKeys = {
  active: (filter: JobFilter) => queryKey('jobs.list', { filter, limit: ACTIVE_LIMIT }),
  history: (filter: JobFilter) => pagedKey('jobs.list', { filter, limit: HISTORY_PAGE_SIZE }),
  queueState: queryKey('queue.get'),
};

/** The filter a cached `jobs.list` key was read with, and whether it holds pages (the history). */
function listOf(key: readonly unknown[]): { filter: JobFilter; paged: boolean } | null {
  const [, input, pages] = key;
  if (typeof input !== 'object' || input === null || !('filter' in input)) return null;
  const filter: unknown = input.filter;
  if (typeof filter !== 'object' || filter === null) return null;
  return { filter, paged: pages === 'pages' };
}

/** The history's cached pages, as useInfiniteQuery keeps them. */
export type HistoryData = InfiniteData<Page<JobSummary>, string | undefined>;

/**
 * `job` written into one page ordered by id, newest first: replaced where it is, removed when it
 * no longer belongs, inserted in id order when it newly belongs and falls within the page.
 * `isLast` says whether rows older than the page's last may go to its end (no page follows).
 */
function upsertIntoPage(page: Page<JobSummary>, job: JobSummary, belongs: boolean, isLast: boolean): { page: Page<JobSummary>; placed: boolean } {
  const at = page.rows.findIndex((r) => r.id === job.id);
  if (at !== -1) {
    const rows = belongs ? page.rows.with(at, job) : page.rows.toSpliced(at, 1);
    return { page: { ...page, rows }, placed: true };
  }
  if (!belongs) return { page, placed: false };
  const before = page.rows.findIndex((r) => r.id < job.id);
  if (before !== -1) return { page: { ...page, rows: page.rows.toSpliced(before, 0, job) }, placed: true };
  if (isLast) return { page: { ...page, rows: [...page.rows, job] }, placed: true };
  return { page, placed: false };
}

/** One page (the active list) with `job` applied. */
export function applyToPage(page: Page<JobSummary>, job: JobSummary, filter: JobFilter): Page<JobSummary> {
  return upsertIntoPage(page, job, matchesFilter(job, filter), page.nextCursor === null).page;
}

/**
 * The history's pages with `job` applied. Only the page that holds (or receives) the row is
 * copied; every other page keeps its identity, so React re-renders one row. A job older than
 * every loaded row, while more pages remain, is left for the page that will bring it.
 */
export function applyToPages(data: HistoryData, job: JobSummary, filter: JobFilter): HistoryData {
  const belongs = matchesFilter(job, filter);
  const pages = data.pages;
  // Remove it wherever it is when it moved (e.g. a retried job went back to the active section).
  const holder = pages.findIndex((p) => p.rows.some((r) => r.id === job.id));
  if (holder !== -1) {
    const { page } = upsertIntoPage(pages[holder]!, job, belongs, holder === pages.length - 1);
    return { ...data, pages: pages.with(holder, page) };
  }
  if (!belongs) return data;
  for (let i = 0; i < pages.length; i++) {
    const { page, placed } = upsertIntoPage(pages[i]!, job, true, i === pages.length - 1 && pages[i]!.nextCursor === null);
    if (placed) return { ...data, pages: pages.with(i, page) };
  }
  return data;
}

/** Writes a `job.changed` payload into every cached queue list, whatever its filter. */
export function applyJobChanged(queryClient: QueryClient, job: JobSummary): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKey('jobs.list') })) {
    const list = listOf(query.queryKey);
    if (list === null || query.state.data === undefined) continue;
    const { filter, paged } = list;
    if (paged) queryClient.setQueryData<HistoryData>(query.queryKey, (data) => data && applyToPages(data, job, filter));
    else queryClient.setQueryData<Page<JobSummary>>(query.queryKey, (page) => page && applyToPage(page, job, filter));
  }
}
