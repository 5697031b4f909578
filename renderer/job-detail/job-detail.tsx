/**
 * One job in full: what it was asked to do, how far it got (live), every item, every bad tile and
 * the whole event log, with the actions an operator takes on it (retry the failed items, cancel,
 * run it again, look at its cache on the map, export a report).
 */
import { formatDuration } from '../../shared/format.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { JobState, JobSummary } from '../../shared/contract.js';
import { codeOf, invalidateJob, seedJob, useJob } from '../data/job-queries.js';
import { ExportButtons } from '../reports/export-buttons.js';
import { formatBytes } from '../storage/bytes.js';
import { useUi } from '../ui-store.js';
import { VerifyCacheButton } from '../verify/verify-cache-button.js';
import { ItemTable } from './item-table.js';
import { mapTargetOf, outputOf } from './job-output.js';
import { TileIssues } from './tile-issues.js';
import { Timeline } from './timeline.js';
import '../controls.css';
import './job-detail.css';

/** The job detail screen for `#/jobs/<id>`: loading, missing and failed states, then the job itself. */
export function JobDetail({ jobId }: { jobId: number }) {
  const job = useJob(jobId);

  if (job.isPending) {
    return (
      <section className="job-detail" aria-busy="true">
        <p className="muted">Loading job {jobId}…</p>
      </section>
    );
  }
  if (job.isError) {
    const missing = codeOf(job.error) === 'NOT_FOUND';
    return (
      <section className="job-detail">
        <div className="empty" role="alert">
          {missing ? (
            <p>Job {jobId} does not exist.</p>
          ) : (
            <p className="error">
              Could not load job {jobId}: {job.error.message}
            </p>
          )}
          <p>
            {!missing && (
              <button type="button" onClick={() => void job.refetch()}>
                Try again
              </button>
            )}{' '}
            <button type="button" onClick={() => useUi.getState().navigate({ name: 'queue' })}>
              Back to the jobs
            </button>
          </p>
        </div>
      </section>
    );
  }
  return <JobView job={job.data} />;
}

function JobView({ job }: { job: JobSummary }) {
  // Tile issues can be shown on the map wherever the job names a cache (a preseed's failed tiles
  // are framed there too, though they are missing from it).
  const output = outputOf(job);
  const cachePath = output === '' ? null : output;
  return (
    <section className="job-detail" data-testid="job-detail" data-state={job.state} aria-labelledby="job-title">
      <Header job={job} />
      <Actions job={job} />
      <div className="job-body">
        <ItemTable job={job} />
        <TileIssues jobId={job.id} cachePath={cachePath} />
        <div className="job-side">
          <Parameters job={job} />
          <Timeline jobId={job.id} />
        </div>
      </div>
    </section>
  );
}

const ACTIVE: readonly JobState[] = ['queued', 'running', 'cancelling'];

function Header({ job }: { job: JobSummary }) {
  const p = job.progress;
  const pct = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : job.state === 'succeeded' ? 100 : 0;
  const running = job.state === 'running';
  return (
    <header className="job-header">
      <div className="job-title-row">
        <h2 id="job-title">{job.name}</h2>
        <span className={`pill state-${job.state}`} data-testid="job-state">
          {job.state}
        </span>
        <span className="muted">
          #{job.id} · {job.kind}
          {job.priority !== 0 && ` · priority ${job.priority}`}
        </span>
      </div>
      <div className="job-progress">
        <div className="bar wide" role="progressbar" aria-label="Job progress" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
          <div className={`fill state-${job.state}`} style={{ width: `${pct}%` }} />
        </div>
        <span data-testid="job-progress-text">
          {p.done.toLocaleString()} / {p.total.toLocaleString()}
          {p.failed > 0 && <span className="error"> · {p.failed.toLocaleString()} bad</span>}
          {p.bytes > 0 && ` · ${formatBytes(p.bytes)}`}
          {running && p.rate > 0 && ` · ${Math.round(p.rate).toLocaleString()}/s`}
          {running && p.etaSeconds !== null && ` · ETA ${formatDuration(p.etaSeconds * 1000)}`}
        </span>
        <span className="muted small">
          items: {job.items.succeeded} succeeded
          {job.items.failed > 0 && `, ${job.items.failed} failed`}
          {job.items.running > 0 && `, ${job.items.running} running`}
          {job.items.queued > 0 && `, ${job.items.queued} queued`}
          {job.items.cancelled > 0 && `, ${job.items.cancelled} cancelled`} of {job.items.total}
        </span>
      </div>
      <dl className="job-times small">
        <dt>Created</dt>
        <dd>{when(job.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{job.startedAt ? when(job.startedAt) : '—'}</dd>
        <dt>{ACTIVE.includes(job.state) ? 'Running for' : 'Finished'}</dt>
        <dd>
          {job.finishedAt ? when(job.finishedAt) : job.startedAt ? formatDuration(Date.now() - Date.parse(job.startedAt)) : '—'}
          {job.finishedAt && job.startedAt && <span className="muted"> (took {formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))})</span>}
        </dd>
      </dl>
      {job.error && (
        <p className="job-error">
          <code>{job.error.code}</code> {job.error.message}
        </p>
      )}
    </header>
  );
}

function Actions({ job }: { job: JobSummary }) {
  const queryClient = useQueryClient();
  const refresh = () => invalidateJob(queryClient, job.id);
  const bulkFailure = (result: { failed: { error: { message: string } }[] }) => {
    if (result.failed[0]) throw new Error(result.failed[0].error.message);
  };
  const retry = useMutation({
    mutationFn: async () => bulkFailure(await window.tessera.jobs.retry({ ids: [job.id] })),
    onSettled: refresh,
  });
  const cancel = useMutation({
    mutationFn: async () => bulkFailure(await window.tessera.jobs.cancel({ ids: [job.id] })),
    onSettled: refresh,
  });
  const rerun = useMutation({
    mutationFn: () => window.tessera.jobs.rerun({ id: job.id }),
    onSuccess: (next) => {
      seedJob(queryClient, next);
      useUi.getState().navigate({ name: 'job', jobId: next.id });
    },
  });
  const failure = retry.error ?? cancel.error ?? rerun.error;
  const s = job.state;
  const mapTarget = mapTargetOf(job);

  return (
    <div className="job-actions">
      {(s === 'partial' || s === 'failed') && (
        <button
          type="button"
          className="primary"
          onClick={() => retry.mutate()}
          disabled={retry.isPending}
          title={`Queue the failed item${job.items.failed === 1 ? '' : 's'} again; succeeded items are kept`}
        >
          Retry failed items
        </button>
      )}
      {(s === 'interrupted' || s === 'cancelled') && (
        <button
          type="button"
          className="primary"
          onClick={() => retry.mutate()}
          disabled={retry.isPending}
          title="Run what did not succeed, from its checkpoints"
        >
          Resume
        </button>
      )}
      {(s === 'queued' || s === 'running' || s === 'interrupted') && (
        <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
          Cancel
        </button>
      )}
      {s === 'cancelling' && (
        <button type="button" disabled>
          Cancelling…
        </button>
      )}
      <button type="button" onClick={() => rerun.mutate()} disabled={rerun.isPending} title="Start a new job with the same kind, parameters and priority">
        Run again with these settings
      </button>
      {mapTarget !== null && (
        <button type="button" onClick={() => useUi.getState().navigate({ name: 'map', ...mapTarget })} title={mapTarget.cachePath}>
          Open on map
        </button>
      )}
      {mapTarget !== null && <VerifyCacheButton cachePath={mapTarget.cachePath} />}
      <div className="spacer" />
      <ExportButtons jobId={job.id} />
      {failure && (
        <p className="error action-error" role="alert">
          {failure.message}
        </p>
      )}
    </div>
  );
}

function Parameters({ job }: { job: JobSummary }) {
  const entries = Object.entries(job.params as Record<string, unknown>);
  return (
    <section className="panel params" aria-labelledby="params-title">
      <h3 id="params-title">Parameters</h3>
      <table className="kv">
        <tbody>
          {entries.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{paramText(key, value)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">priority</th>
            <td>{job.priority}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function paramText(key: string, value: unknown): string {
  if (typeof value === 'number' && /bytes$/i.test(key)) return `${value.toLocaleString()} (${formatBytes(value)})`;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function when(iso: string): string {
  return new Date(iso).toLocaleString();
}
