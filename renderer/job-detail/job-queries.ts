/**
 * The job detail's engine data (the job, its items, event log and tile issues) as react-query
 * queries, and the subscription that keeps them live from the engine's events.
 */
import { type InfiniteData, type QueryClient, useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FINISHED_JOB_STATES, type JobEvent, type JobSummary } from '../../shared/contract.js';

/** Query keys of one job's data; all under ['job', id]. */
export const jobKey = (id: number) => ['job', id] as const;
export const itemsKey = (id: number) => ['job', id, 'items'] as const;
export const eventsKey = (id: number) => ['job', id, 'events'] as const;
export const issuesKey = (id: number) => ['job', id, 'tileIssues'] as const;

/** Items per jobs.items page. */
export const ITEM_PAGE = 500;
/** Event-log entries per jobs.events page. */
export const EVENT_PAGE = 500;
/** Tile issues per jobs.tileIssues page. */
export const ISSUE_PAGE = 500;

/** How often an unfinished job's summary is read again besides its live events. */
const UNFINISHED_REFRESH_MS = 5000;

/** The error code carried by a contract error, if any. */
export function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** One job's summary; a missing job is not retried. */
export function useJob(jobId: number) {
  return useQuery({
    queryKey: jobKey(jobId),
    queryFn: () => window.tessera.jobs.get({ id: jobId }),
    // A job that does not exist will not start existing on the next try.
    retry: (failures, error) => codeOf(error) !== 'NOT_FOUND' && failures < 2,
    // Events keep it live; this only catches up after one was missed (a reconnect) while it runs.
    refetchInterval: (query) => (query.state.data && !FINISHED_JOB_STATES.includes(query.state.data.state) ? UNFINISHED_REFRESH_MS : false),
  });
}

/** A job's items, a page of ITEM_PAGE per cursor. */
export function useJobItems(jobId: number, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: itemsKey(jobId),
    queryFn: ({ pageParam }) => window.tessera.jobs.items({ id: jobId, limit: ITEM_PAGE, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

/** A job's tile issues, a page of ISSUE_PAGE per cursor. */
export function useTileIssues(jobId: number, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: issuesKey(jobId),
    queryFn: ({ pageParam }) => window.tessera.jobs.tileIssues({ id: jobId, limit: ISSUE_PAGE, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

/** A page of the event log; `more` when the page was full, so later entries may follow. */
interface EventPage {
  rows: JobEvent[];
  more: boolean;
}

/** A job's event log, oldest first, a page of EVENT_PAGE after the last id seen. */
export function useJobEvents(jobId: number, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: eventsKey(jobId),
    queryFn: async ({ pageParam }): Promise<EventPage> => {
      const rows = await window.tessera.jobs.events({ id: jobId, afterId: pageParam, limit: EVENT_PAGE });
      return { rows, more: rows.length === EVENT_PAGE };
    },
    initialPageParam: 0,
    getNextPageParam: (last) => (last.more ? last.rows[last.rows.length - 1]?.id : undefined),
    enabled,
  });
}

/**
 * Appends a live event to the loaded log when the log is loaded to its end; otherwise the event
 * comes with the page still to load, or with the fetch in flight (which is restarted, so an event
 * written after its query ran is not lost).
 */
function appendEvent(queryClient: QueryClient, event: JobEvent): void {
  const key = eventsKey(event.jobId);
  const state = queryClient.getQueryState(key);
  if (state?.fetchStatus === 'fetching') {
    void queryClient.invalidateQueries({ queryKey: key, exact: true });
    return;
  }
  queryClient.setQueryData<InfiniteData<EventPage, number>>(key, (data) => {
    const last = data?.pages[data.pages.length - 1];
    if (!data || !last || last.more) return data;
    if (data.pages.some((p) => p.rows.some((e) => e.id === event.id))) return data;
    return { ...data, pages: [...data.pages.slice(0, -1), { ...last, rows: [...last.rows, event] }] };
  });
}

/** How long item and tile-issue lists wait after a job change before refetching, so a burst refetches once. */
const LIST_REFRESH_MS = 300;

/**
 * Keeps one job's queries live: `job.changed` replaces the summary (and refreshes the item and
 * tile-issue lists, whose counts just moved), `job.progress` moves the header's numbers while the job
 * runs, `job.event` extends the timeline.
 */
export function useLiveJob(jobId: number): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refreshLists = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: itemsKey(jobId), exact: true });
        void queryClient.invalidateQueries({ queryKey: issuesKey(jobId), exact: true });
      }, LIST_REFRESH_MS);
    };
    const api = window.tessera;
    const offs = [
      api.on('job.changed', (job) => {
        if (job.id !== jobId) return;
        // A jobs.get answer in flight was read before this change and would overwrite it when it
        // lands (a short job can finish between the request and its answer): ask again instead.
        const inFlight = queryClient.getQueryState(jobKey(jobId))?.fetchStatus === 'fetching';
        queryClient.setQueryData(jobKey(jobId), job);
        if (inFlight) void queryClient.invalidateQueries({ queryKey: jobKey(jobId), exact: true });
        refreshLists();
      }),
      api.on('job.progress', (progress) => {
        if (progress.jobId !== jobId) return;
        // A late tick for a job that has finished must not overwrite its final numbers.
        queryClient.setQueryData<JobSummary>(jobKey(jobId), (job) => (job && (job.state === 'running' || job.state === 'cancelling') ? { ...job, progress } : job));
      }),
      api.on('job.event', (event) => {
        if (event.jobId === jobId) appendEvent(queryClient, event);
      }),
    ];
    return () => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
    };
  }, [jobId, queryClient]);
}
