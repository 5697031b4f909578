/**
 * The one way the console follows a job: the engine's `job.changed`, `job.progress` and
 * `job.event` written into that job's one cache entry (and its lists), however many components
 * show the job. Followers are counted per query client and job, so a job on screen three times is
 * subscribed to once and its lists are refetched once per burst of changes.
 */
import { type InfiniteData, type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { JobEvent, JobSummary, TesseraApi } from '../../shared/contract.js';
import { jobKeys } from './job-keys.js';

/** A page of the event log as the events query keeps it; `more` when the page was full. */
export interface EventPage {
  rows: JobEvent[];
  more: boolean;
}

/** How long item and tile-issue lists wait after a job change before refetching, so a burst refetches once. */
export const LIST_REFRESH_MS = 300;
/**
 * While a job runs, its progress ticks move its items' counters too: their rows are read again at
 * most this often, so a row never lags the header by more than about a second.
 */
export const LIVE_ROWS_MS = 1000;

/** The events `followJob` needs of the window API (tests pass a transport's). */
export type EventSource = Pick<TesseraApi, 'on'>;

/** Writes a `job.changed` payload as the job's summary. */
export function applyJobChanged(queryClient: QueryClient, job: JobSummary): void {
  const key = jobKeys.summary(job.id);
  // A jobs.get answer in flight was read before this change and would overwrite it when it lands
  // (a short job can finish between the request and its answer): ask again instead.
  const inFlight = queryClient.getQueryState(key)?.fetchStatus === 'fetching';
  queryClient.setQueryData(key, job);
  if (inFlight) void queryClient.invalidateQueries({ queryKey: key, exact: true });
}

/** Moves a running job's numbers; a late tick for a job that has finished must not overwrite its final ones. */
export function applyJobProgress(queryClient: QueryClient, progress: JobSummary['progress']): void {
  queryClient.setQueryData<JobSummary>(jobKeys.summary(progress.jobId), (job) =>
    job && (job.state === 'running' || job.state === 'cancelling') ? { ...job, progress } : job,
  );
}

/**
 * Appends a live event to every loaded log of the job that is loaded to its end; otherwise the
 * event comes with the page still to load, or with the fetch in flight (which is restarted, so an
 * event written after its query ran is not lost).
 */
export function applyJobEvent(queryClient: QueryClient, event: JobEvent): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: jobKeys.allEvents(event.jobId) })) {
    if (query.state.fetchStatus === 'fetching') {
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    queryClient.setQueryData<InfiniteData<EventPage, number>>(query.queryKey, (data) => {
      const last = data?.pages[data.pages.length - 1];
      if (!data || !last || last.more) return data;
      if (data.pages.some((p) => p.rows.some((e) => e.id === event.id))) return data;
      return { ...data, pages: [...data.pages.slice(0, -1), { ...last, rows: [...last.rows, event] }] };
    });
  }
}

/** Subscribes one query client to one job's events; returns the unsubscribe. */
function subscribe(queryClient: QueryClient, events: EventSource, jobId: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Item and tile-issue counts just moved: their lists are read again, once per burst.
  const refreshLists = (afterMs = LIST_REFRESH_MS) => {
    timer ??= setTimeout(() => {
      timer = null;
      void queryClient.invalidateQueries({ queryKey: jobKeys.allItems(jobId) });
      void queryClient.invalidateQueries({ queryKey: jobKeys.allIssues(jobId) });
    }, afterMs);
  };
  const offs = [
    events.on('job.changed', (job) => {
      if (job.id !== jobId) return;
      applyJobChanged(queryClient, job);
      refreshLists();
    }),
    events.on('job.progress', (progress) => {
      if (progress.jobId !== jobId) return;
      applyJobProgress(queryClient, progress);
      const state = queryClient.getQueryData<JobSummary>(jobKeys.summary(jobId))?.state;
      // A tick for a job known to have finished is late: its lists were read at its finish.
      if (state === undefined || state === 'running' || state === 'cancelling') refreshLists(LIVE_ROWS_MS);
    }),
    events.on('job.event', (event) => {
      if (event.jobId === jobId) applyJobEvent(queryClient, event);
    }),
  ];
  return () => {
    for (const off of offs) off();
    if (timer) clearTimeout(timer);
  };
}

interface Following {
  count: number;
  unsubscribe: () => void;
}

const following = new WeakMap<QueryClient, Map<number, Following>>();

/** Follows `jobId` for as long as the returned function is not called; shared by every follower of the job. */
export function followJob(queryClient: QueryClient, events: EventSource, jobId: number): () => void {
  const jobs = following.get(queryClient) ?? new Map<number, Following>();
  following.set(queryClient, jobs);
  const current = jobs.get(jobId) ?? { count: 0, unsubscribe: subscribe(queryClient, events, jobId) };
  current.count += 1;
  jobs.set(jobId, current);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    current.count -= 1;
    if (current.count > 0) return;
    current.unsubscribe();
    jobs.delete(jobId);
  };
}

/** Keeps `jobId`'s cached data live from the engine's events while the component is mounted (null: no job yet). */
export function useFollowJob(jobId: number | null): void {
  const queryClient = useQueryClient();
  useEffect(() => (jobId === null ? undefined : followJob(queryClient, window.tessera, jobId)), [jobId, queryClient]);
}
