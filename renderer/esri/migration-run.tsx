/**
 * A running (then finished) Esri migration: each layer's features done of total, the source's
 * circuit breaker ("source unavailable, retrying at …"), and at the end each layer's counts and
 * checks against the source.
 */
import { useEffect } from 'react';
import { FINISHED_JOB_STATES, type JobSummary } from '../../shared/contract.js';
import { useJob, useJobEvents, useJobItems } from '../data/job-queries.js';
import { breakerFromEvents, doneOf, layerRows } from './migrate-wizard.js';
import { formatTimeOfDay } from '../dates.js';

/** How often a running migration's layers are read: their features move without a job.changed. */
const RUN_POLL_MS = 1000;

/** The running (then finished) migration: per-layer progress, the breaker, the checks. */
export function MigrationRun({ job: started, onAnother }: { job: JobSummary; onAnother: () => void }) {
  // The job is followed by its events like everywhere else; a layer's features move without a
  // job.changed, so its rows (and the breaker's log) are also read every second while it runs.
  const job = useJob(started.id, { pollMs: RUN_POLL_MS });
  const current = job.data ?? started;
  const running = !FINISHED_JOB_STATES.includes(current.state);
  const items = useJobItems(started.id, { pageSize: 1000, pollMs: running && RUN_POLL_MS });
  const events = useJobEvents(started.id, { pageSize: 1000, pollMs: running && RUN_POLL_MS });
  // One last read when the job finishes: the items' results (counts and checks) arrive with it.
  const refetchItems = items.refetch;
  const refetchEvents = events.refetch;
  useEffect(() => {
    if (running) return;
    void refetchItems();
    void refetchEvents();
  }, [running, refetchItems, refetchEvents]);
  const breaker = breakerFromEvents(events.data?.pages.flatMap((p) => p.rows) ?? []);
  const rows = layerRows(items.data?.pages.flatMap((p) => p.rows) ?? []);
  return (
    <section className="migrate-view" aria-labelledby="migrate-run-title">
      <h2 id="migrate-run-title">
        {current.name}{' '}
        <span className={`state state-${current.state}`} data-testid="migrate-state">
          {current.state}
        </span>
      </h2>
      <p className="small">
        <a href={`#/jobs/${started.id}`}>Job #{started.id}: events, attempts and the report</a>
        {!running && (
          <>
            {' · '}
            <button type="button" className="link" onClick={onAnother}>
              Migrate another service
            </button>
          </>
        )}
      </p>
      <div className={`breaker breaker-${breaker.state}`} role="status" data-testid="breaker" data-state={breaker.state}>
        {breaker.state === 'open' ? (
          <>
            <strong>Source unavailable</strong> ({breaker.host}): waiting, retrying at {breaker.retryAt ? formatTimeOfDay(breaker.retryAt) : 'soon'}.
          </>
        ) : breaker.message ? (
          <>{breaker.message.charAt(0).toUpperCase() + breaker.message.slice(1)}.</>
        ) : (
          <>Source reachable.</>
        )}
      </div>
      {current.error && (
        <p className="field-error" role="alert">
          {current.error.code}: {current.error.message}
        </p>
      )}
      <table className="layer-table progress-table">
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">State</th>
            <th scope="col">Features</th>
            <th scope="col" className="num">
              Source count
            </th>
            <th scope="col" className="num">
              Written
            </th>
            <th scope="col">Id set checked</th>
            <th scope="col">Read by</th>
            <th scope="col" className="num">
              Pages
            </th>
            <th scope="col" className="num">
              Retries
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} data-label={r.label} data-state={r.state}>
              <th scope="row">{r.label}</th>
              <td>{r.state}</td>
              <td data-column="progress">
                <progress
                  max={Math.max(1, r.total)}
                  value={Math.min(r.done, Math.max(1, r.total))}
                  aria-label={`${r.label}: ${doneOf(r.done, r.total)} features`}
                />{' '}
                {doneOf(r.done, r.total)}
              </td>
              <td className="num">{r.sourceCount?.toLocaleString('en') ?? '—'}</td>
              <td className="num">{r.written?.toLocaleString('en') ?? '—'}</td>
              <td data-column="checked">{r.idsChecked === null ? '—' : r.idsChecked ? '✓ count and ids match' : '✗'}</td>
              <td>{r.mode === null ? '—' : r.mode === 'offset' ? 'offset pages' : 'id batches'}</td>
              <td className="num">{r.pages ?? '—'}</td>
              <td className="num" data-column="retries">
                {r.retries === null ? '—' : `${r.retries}${r.breakerOpenings ? ` (breaker opened ${r.breakerOpenings}×)` : ''}`}
              </td>
            </tr>
          ))}
          {rows
            .filter((r) => r.error)
            .map((r) => (
              <tr key={`${r.label}-error`} className="has-error">
                <td colSpan={9} className="field-error">
                  {r.label}: {r.error}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}
