/**
 * One job's engine data as react-query queries: its summary, items, event log and tile issues,
 * each under the key of the request that reads it (job-keys.ts), kept live by followJob.
 */
import { type QueryClient, skipToken, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { FINISHED_JOB_STATES, type JobSummary } from '../../shared/contract.js';
import { EVENT_PAGE, ISSUE_PAGE, ITEM_PAGE, jobKeys } from './job-keys.js';
import { type EventPage, useFollowJob } from './follow-job.js';

/**
 * How often an unfinished job's summary is read again besides its live events: only a catch-up
 * after an event was missed (a reconnect). react-query never starts a poll while one is in flight.
 */
export const UNFINISHED_REFRESH_MS = 5000;

/** The error code carried by a contract error, if any. */
export function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' ? error.code : null;
}

const isFinished = (job: JobSummary | undefined) => job !== undefined && FINISHED_JOB_STATES.includes(job.state);

export interface UseJobOptions {
  /** How often to read the summary while the job is unfinished, as a fallback for missed events. */
  pollMs?: number;
}

/** The key a query without a job yet sits under: no job has id 0, and it is never fetched. */
const NO_JOB = 0;

/**
 * One job's summary, followed live (null: no job yet). A missing job is not retried: it will not
 * start existing on the next try.
 */
export function useJob(jobId: number | null, { pollMs = UNFINISHED_REFRESH_MS }: UseJobOptions = {}) {
  useFollowJob(jobId);
  return useQuery({
    queryKey: jobKeys.summary(jobId ?? NO_JOB),
    queryFn: jobId === null ? skipToken : () => window.tessera.jobs.get({ id: jobId }),
    retry: (failures, error) => codeOf(error) !== 'NOT_FOUND' && failures < 2,
    refetchInterval: (query) => (query.state.data && !isFinished(query.state.data) ? pollMs : false),
  });
}

/** Writes a job the engine just answered with (jobs.start, jobs.rerun) into its one cache entry, so its screen opens at once. */
export function seedJob(queryClient: QueryClient, job: JobSummary): void {
  queryClient.setQueryData(jobKeys.summary(job.id), job);
}

/** Reads all of a job's data again (after an action on it). */
export function invalidateJob(queryClient: QueryClient, jobId: number): void {
  for (const key of [jobKeys.summary(jobId), jobKeys.allItems(jobId), jobKeys.allIssues(jobId), jobKeys.allEvents(jobId)])
    void queryClient.invalidateQueries({ queryKey: key });
}

export interface ListOptions {
  enabled?: boolean;
  /** Rows per request. */
  pageSize?: number;
  /** Reads the loaded pages again this often (false: only when followJob or an action says so). */
  pollMs?: number | false;
}

/** A job's items, a page per cursor. */
export function useJobItems(jobId: number | null, { enabled = true, pageSize = ITEM_PAGE, pollMs = false }: ListOptions = {}) {
  return useInfiniteQuery({
    queryKey: jobKeys.items(jobId ?? NO_JOB, pageSize),
    queryFn:
      jobId === null
        ? skipToken
        : ({ pageParam }) => window.tessera.jobs.items({ id: jobId, limit: pageSize, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
    refetchInterval: pollMs,
  });
}

/** A job's tile issues, a page per cursor. */
export function useTileIssues(jobId: number, { enabled = true, pageSize = ISSUE_PAGE }: ListOptions = {}) {
  return useInfiniteQuery({
    queryKey: jobKeys.issues(jobId, pageSize),
    queryFn: ({ pageParam }) => window.tessera.jobs.tileIssues({ id: jobId, limit: pageSize, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

/** A job's event log, oldest first, a page after the last id seen; followJob appends live entries. */
export function useJobEvents(jobId: number, { enabled = true, pageSize = EVENT_PAGE, pollMs = false }: ListOptions = {}) {
  return useInfiniteQuery({
    queryKey: jobKeys.events(jobId, pageSize),
    queryFn: async ({ pageParam }): Promise<EventPage> => {
      const rows = await window.tessera.jobs.events({ id: jobId, afterId: pageParam, limit: pageSize });
      return { rows, more: rows.length === pageSize };
    },
    initialPageParam: 0,
    getNextPageParam: (last) => (last.more ? last.rows[last.rows.length - 1]?.id : undefined),
    enabled,
    refetchInterval: pollMs,
  });
}
