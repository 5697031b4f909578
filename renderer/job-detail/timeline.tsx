/**
 * A job's event log as a timeline, oldest first, coloured by what happened: the job's state
 * changes, items failing or retrying, items finishing.
 */
import { Fragment, useLayoutEffect, useRef } from 'react';
import type { JobEvent } from '../../shared/contract.js';
import { useJobEvents } from '../data/job-queries.js';
import { ErrorDetails } from './error-details.js';
import { eventView } from './error-text.js';
import { formatDay, formatTimeOfDay, formatWhen } from '../dates.js';

export type EventTone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

/** The colour of an event-log entry, from its type (`state.partial`, `item.retry`, `planned`…). */
export function eventTone(type: string): EventTone {
  switch (type) {
    case 'state.succeeded':
    case 'item.succeeded':
      return 'ok';
    case 'state.partial':
    case 'state.failed':
    case 'item.failed':
      return 'bad';
    case 'state.cancelling':
    case 'state.cancelled':
    case 'state.interrupted':
    case 'item.cancelled':
    case 'item.retry':
    case 'ingest.duplicate':
      return 'warn';
    case 'params.changed':
    case 'state.queued':
    case 'state.running':
    case 'item.queued':
    case 'item.running':
      return 'info';
    default:
      return 'muted';
  }
}

/** The event log of one job, loaded by pages and extended live by `job.event` (see data/follow-job.ts). */
export function Timeline({ jobId }: { jobId: number }) {
  const events = useJobEvents(jobId);
  const rows = events.data?.pages.flatMap((p) => p.rows) ?? [];
  const list = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  // Follows new entries while the list is scrolled to its end, and leaves it alone otherwise.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rows.length is the trigger: each new entry scrolls
  useLayoutEffect(() => {
    const el = list.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [rows.length]);

  return (
    <section className="panel timeline" aria-labelledby="timeline-title">
      <h3 id="timeline-title">
        Timeline <span className="muted small">{rows.length > 0 && `${rows.length.toLocaleString()} event${rows.length === 1 ? '' : 's'}`}</span>
      </h3>
      {events.isPending && <p className="muted">Loading the event log…</p>}
      {events.error && (
        <p className="error" role="alert">
          Could not load the event log: {events.error.message}
        </p>
      )}
      {events.isSuccess && rows.length === 0 && <p className="muted">Nothing logged yet.</p>}
      {rows.length > 0 && (
        <ol
          ref={list}
          className="timeline-list"
          onScroll={(e) => {
            const el = e.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          }}
        >
          {rows.map((event, i) => (
            <Fragment key={event.id}>
              {(i === 0 || formatDay(rows[i - 1]!.at) !== formatDay(event.at)) && <li className="tl-day">{formatDay(event.at)}</li>}
              <TimelineEntry event={event} />
            </Fragment>
          ))}
        </ol>
      )}
      {events.hasNextPage && (
        <button type="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {events.isFetchingNextPage ? 'Loading…' : 'Load later events'}
        </button>
      )}
    </section>
  );
}

function TimelineEntry({ event }: { event: JobEvent }) {
  const view = eventView(event);
  return (
    <li className={`tl tone-${eventTone(event.type)}`} data-type={event.type} data-testid={`event-${event.id}`}>
      <time dateTime={event.at} title={formatWhen(event.at)}>
        {formatTimeOfDay(event.at)}
      </time>
      <span className="tl-type">{event.type}</span>
      <span className="tl-message">
        {view.text}
        {view.error && <ErrorDetails error={view.error} />}
      </span>
    </li>
  );
}
