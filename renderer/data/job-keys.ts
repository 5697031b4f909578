/** The keys of one job's data, all derived from the requests that read them. */
import { pagedKey, queryKey } from './query-keys.js';

/** Items per jobs.items page. */
export const ITEM_PAGE = 500;
/** Event-log entries per jobs.events page. */
export const EVENT_PAGE = 500;
/** Tile issues per jobs.tileIssues page. */
export const ISSUE_PAGE = 500;

export const jobKeys = {
  /** The one cache entry of a job's summary, wherever it is shown. */
  summary: (id: number) => queryKey('jobs.get', { id }),
  /** Every cached read of the job's items, whatever its page size (a prefix). */
  allItems: (id: number) => queryKey('jobs.items', { id }),
  items: (id: number, limit: number = ITEM_PAGE) => pagedKey('jobs.items', { id, limit }),
  allEvents: (id: number) => queryKey('jobs.events', { id }),
  events: (id: number, limit: number = EVENT_PAGE) => pagedKey('jobs.events', { id, limit }),
  allIssues: (id: number) => queryKey('jobs.tileIssues', { id }),
  issues: (id: number, limit: number = ISSUE_PAGE) => pagedKey('jobs.tileIssues', { id, limit }),
};
