/**
 * The queue's filters as the operator sets them, and how they become `jobs.list` filters: one for
 * the active section (running, cancelling, queued) and one for the history (everything else).
 * Pure functions, tested directly; queue-store.ts holds the values.
 */
import { JOB_KINDS, JOB_STATES, type JobFilter, type JobKind, type JobState, type JobSummary } from '../../shared/contract.js';

/** What the filter bar holds. Dates are the inputs' own `YYYY-MM-DD` in the operator's time zone. */
export interface QueueFilters {
  states: JobState[];
  kinds: JobKind[];
  text: string;
  createdFrom: string;
  createdTo: string;
}

/** Every field blank: all jobs. */
export const NO_FILTERS: QueueFilters = { states: [], kinds: [], text: '', createdFrom: '', createdTo: '' };

/** States shown in the active section, on top; every other state is history. */
export const ACTIVE_STATES: readonly JobState[] = ['running', 'cancelling', 'queued'];

/** Whether a job in `state` belongs on top (running, cancelling, queued). */
export function isActive(state: JobState): boolean {
  return ACTIVE_STATES.includes(state);
}

/** Whether any field narrows the list (the empty states differ). */
export function hasFilters(f: QueueFilters): boolean {
  return f.states.length > 0 || f.kinds.length > 0 || f.text.trim() !== '' || f.createdFrom !== '' || f.createdTo !== '';
}

/** A local calendar day's first (or last) millisecond, as the contract's ISO timestamp; null when blank or invalid. */
export function dayBoundary(day: string, end: 'start' | 'end'): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = end === 'start' ? new Date(y, m, d) : new Date(new Date(y, m, d + 1).getTime() - 1);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The contract filter for the whole list; empty fields are left out, so "no filter" is `{}`. */
export function toJobFilter(f: QueueFilters): JobFilter {
  const filter: JobFilter = {};
  if (f.states.length > 0) filter.states = [...f.states].sort();
  if (f.kinds.length > 0) filter.kinds = [...f.kinds].sort();
  const text = f.text.trim();
  if (text !== '') filter.text = text;
  const from = dayBoundary(f.createdFrom, 'start');
  const to = dayBoundary(f.createdTo, 'end');
  if (from !== null) filter.createdFrom = from;
  if (to !== null) filter.createdTo = to;
  return filter;
}

/**
 * The filter of each section: the states asked for, split into active and finished ones. A
 * section none of whose states is asked for gets null (it is not fetched at all).
 *
 * With no state asked for, the history's filter names no states either, and the history leaves
 * out the active rows itself (they are few; see `isActive`). Naming all five finished states would
 * make the store read them through its state index and sort them for every page: at 100,000 jobs
 * that is ~20 ms a page against ~1 ms walking the primary key (bench/renderer-bench.ts).
 */
export function splitFilter(filter: JobFilter): { active: JobFilter | null; history: JobFilter | null } {
  const asked = filter.states;
  if (asked === undefined) return { active: { ...filter, states: [...ACTIVE_STATES] }, history: filter };
  const part = (states: JobState[]): JobFilter | null => (states.length === 0 ? null : { ...filter, states });
  return { active: part(asked.filter(isActive)), history: part(asked.filter((s) => !isActive(s))) };
}

/**
 * Whether a job belongs in a list fetched with `filter`, judged in the console for live updates.
 * The engine's text search also covers item labels and item errors, which a summary does not carry:
 * a job that only matches through those is not added live (it appears on the next fetch).
 */
export function matchesFilter(job: JobSummary, filter: JobFilter): boolean {
  if (filter.states && !filter.states.includes(job.state)) return false;
  if (filter.kinds && !filter.kinds.includes(job.kind)) return false;
  if (filter.createdFrom && job.createdAt < new Date(filter.createdFrom).toISOString()) return false;
  if (filter.createdTo && job.createdAt > new Date(filter.createdTo).toISOString()) return false;
  if (filter.text) {
    const haystack = `${job.name} ${JSON.stringify(job.params)} ${job.error?.message ?? ''}`.toLowerCase();
    if (!haystack.includes(filter.text.toLowerCase())) return false;
  }
  return true;
}

/**
 * The filters as the query of the queue's address (`state=failed,partial&kind=verify&q=states&from=…&to=…`),
 * blank fields left out, so a reload keeps them and a link shares them.
 */
export function filtersToQuery(f: QueueFilters): string {
  const q = new URLSearchParams();
  if (f.states.length > 0) q.set('state', f.states.join(','));
  if (f.kinds.length > 0) q.set('kind', f.kinds.join(','));
  if (f.text !== '') q.set('q', f.text);
  if (f.createdFrom !== '') q.set('from', f.createdFrom);
  if (f.createdTo !== '') q.set('to', f.createdTo);
  return q.toString();
}

/** The filters an address's query names; unknown states, kinds and malformed days are dropped. */
export function filtersFromQuery(q: URLSearchParams): QueueFilters {
  const list = (name: string) => (q.get(name) ?? '').split(',').filter((v) => v !== '');
  const day = (name: string) => {
    const v = q.get(name) ?? '';
    return dayBoundary(v, 'start') === null ? '' : v;
  };
  return {
    states: list('state').filter((s): s is JobState => (JOB_STATES as readonly string[]).includes(s)),
    kinds: list('kind').filter((k): k is JobKind => (JOB_KINDS as readonly string[]).includes(k)),
    text: q.get('q') ?? '',
    createdFrom: day('from'),
    createdTo: day('to'),
  };
}
