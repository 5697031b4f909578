/**
 * One job in full: what it was asked to do, how far it got (live), every item, every bad tile and
 * the whole event log, with the actions an operator takes on it (retry the failed items, cancel,
 * run it again, look at its cache on the map, export a report).
 */
import { engineDown, useEngineStatus } from '../shell/engine-status.js';
import { formatAmount, formatDuration, formatSkipped, formatUnitRate } from '../../shared/format.js';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { type JobState, type JobSummary, unitOf } from '../../shared/contract.js';
import { codeOf, invalidateJob, seedJob, useJob, useJobItems } from '../data/job-queries.js';
import { ExportButtons } from '../reports/export-buttons.js';
import { useUi } from '../ui-store.js';
import { ErrorDetails } from './error-details.js';
import { VerifyCacheButton } from '../verify/verify-cache-button.js';
import { ItemTable } from './item-table.js';
import { mapTargetOf, outputOf } from './job-output.js';
import { Parameters } from './parameters.js';
import { RetryWithCrs, canRetryWithCrs, itemsWithoutCrs } from './retry-crs.js';
import { RunAgainPanel, openPrefilledForm } from './run-again.js';
import { SaveAsPlanPanel } from '../plans/save-as-plan.js';
import { RevealButton } from '../forms/browse-button.js';
import { TileIssues } from './tile-issues.js';
import { Timeline } from './timeline.js';
import { JobWorkers } from './job-workers.js';
import '../controls.css';
import './job-detail.css';
import { formatWhen } from '../dates.js';

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

/** Which panel the actions opened under them, if any. */
type Panel = 'crs' | 'run-again' | 'plan' | null;

function JobView({ job }: { job: JobSummary }) {
  // Tile issues can be shown on the map wherever the job names a cache (a preseed's failed tiles
  // are framed there too, though they are missing from it).
  const output = outputOf(job);
  const cachePath = output === '' ? null : output;
  const [panel, setPanel] = useState<Panel>(null);
  // The item table's query (one cache entry): which failed items a CRS would fix.
  const items = useJobItems(job.id);
  const withoutCrs = useMemo(() => itemsWithoutCrs(items.data?.pages.flatMap((p) => p.rows) ?? []), [items.data]);
  const giveCrs = canRetryWithCrs(job) && withoutCrs.length > 0 ? () => setPanel('crs') : undefined;
  const close = () => setPanel(null);
  return (
    <section className="job-detail" data-testid="job-detail" data-state={job.state} aria-labelledby="job-title">
      <Header job={job} />
      <Actions job={job} onGiveCrs={giveCrs} onRunAgain={() => setPanel('run-again')} onSaveAsPlan={() => setPanel('plan')} />
      {panel === 'crs' && giveCrs && <RetryWithCrs job={job} items={withoutCrs} onClose={close} />}
      {panel === 'run-again' && <RunAgainPanel job={job} onClose={close} />}
      {panel === 'plan' && (
        <SaveAsPlanPanel
          origin={{ queryKey: ['plans.fromJob', job.id], load: () => window.tessera.plans.fromJob({ id: job.id }), what: 'starts this job again' }}
          onClose={close}
        />
      )}
      <div className="job-body">
        <ItemTable job={job} onGiveCrs={giveCrs} />
        <TileIssues jobId={job.id} cachePath={cachePath} />
        <div className="job-side">
          <JobWorkers job={job} />
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
  // While the engine process is down the job is not moving: its last rate and ETA would mislead.
  const down = useEngineStatus((s) => engineDown(s.engine));
  const live = running && !down;
  const unit = unitOf(job.kind);
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
          {progressText(job)}
          {p.failed > 0 && <span className="error"> · {p.failed.toLocaleString()} bad</span>}
          {p.skipped > 0 && ` · ${formatSkipped(p.skipped)}`}
          {p.bytes > 0 && unit !== 'bytes' && ` · ${formatAmount(p.bytes, 'bytes')}`}
          {live && p.rate > 0 && ` · ${formatUnitRate(p.rate, unit)}`}
          {live && p.etaSeconds !== null && ` · ETA ${formatDuration(p.etaSeconds * 1000)}`}
          {running && down && <span className="badge badge-warn"> paused: the engine is restarting; rate and ETA unknown</span>}
        </span>
        <span className="muted small">
          items: {job.items.succeeded} succeeded
          {job.items.partial > 0 && `, ${job.items.partial} partial`}
          {job.items.failed > 0 && `, ${job.items.failed} failed`}
          {job.items.running > 0 && `, ${job.items.running} running`}
          {job.items.queued > 0 && `, ${job.items.queued} queued`}
          {job.items.cancelled > 0 && `, ${job.items.cancelled} cancelled`}
          {job.items.interrupted > 0 && `, ${job.items.interrupted} interrupted`} of {job.items.total}
        </span>
      </div>
      <dl className="job-times small">
        <dt>Created</dt>
        <dd>{formatWhen(job.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{job.startedAt ? formatWhen(job.startedAt) : '—'}</dd>
        {/* An interrupted job has not finished: its process stopped, and it waits to be resumed. */}
        <dt>{ACTIVE.includes(job.state) ? 'Running for' : job.state === 'interrupted' ? 'Stopped' : 'Finished'}</dt>
        <dd>
          {job.finishedAt ? formatWhen(job.finishedAt) : job.startedAt ? formatDuration(Date.now() - Date.parse(job.startedAt)) : '—'}
          {job.finishedAt && job.startedAt && <span className="muted"> (ran {formatDuration(job.runSeconds * 1000)})</span>}
        </dd>
      </dl>
      {job.error && (
        <div className="job-error">
          <p>{job.error.message}</p>
          <ErrorDetails error={job.error} />
        </div>
      )}
    </header>
  );
}

function Actions({
  job,
  onGiveCrs,
  onRunAgain,
  onSaveAsPlan,
}: {
  job: JobSummary;
  onGiveCrs: (() => void) | undefined;
  onRunAgain: () => void;
  onSaveAsPlan: () => void;
}) {
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
  // A kind with a form opens it filled in; an ingest opens its panel here; a verify starts again at once.
  const rerun = useMutation({
    mutationFn: () => window.tessera.jobs.rerun({ id: job.id }),
    onSuccess: (next) => {
      seedJob(queryClient, next);
      useUi.getState().navigate({ name: 'job', jobId: next.id });
    },
  });
  const runAgain = () => {
    if (openPrefilledForm(job)) return;
    if (job.kind === 'verify') rerun.mutate();
    else onRunAgain();
  };
  const failure = retry.error ?? cancel.error ?? rerun.error;
  const s = job.state;
  const mapTarget = mapTargetOf(job);

  return (
    <div className="job-actions">
      {onGiveCrs && (
        <button type="button" className="primary" onClick={onGiveCrs} title="Pick the coordinate system of the items that have none, and retry them with it">
          Retry with CRS…
        </button>
      )}
      {(s === 'partial' || s === 'failed') && (
        <button
          type="button"
          className={onGiveCrs ? undefined : 'primary'}
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
      <button
        type="button"
        onClick={runAgain}
        disabled={rerun.isPending}
        title={job.kind === 'verify' ? 'Start a new check of the same cache at once' : 'Open these settings to edit them, then start a new job'}
      >
        {job.kind === 'verify' ? 'Run again with these settings' : 'Run again with these settings…'}
      </button>
      {mapTarget !== null && (
        <button type="button" onClick={() => useUi.getState().navigate({ name: 'map', ...mapTarget, jobId: job.id })} title={mapTarget.cachePath}>
          Open on map
        </button>
      )}
      {mapTarget !== null && <VerifyCacheButton cachePath={mapTarget.cachePath} />}
      {mapTarget !== null && <RevealButton path={mapTarget.cachePath} />}
      <button type="button" onClick={onSaveAsPlan} title="This job as a plan file (plans as code), to keep it reconciled or on a schedule">
        Save as plan…
      </button>
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

/** Done / total in the job's unit ("1.6 MiB / 3.2 MiB" for an ingest), with an ingest's files counted. */
function progressText(job: JobSummary): string {
  const { done, total } = job.progress;
  const unit = unitOf(job.kind);
  const amounts =
    unit === 'bytes' ? `${formatAmount(done, unit)} / ${formatAmount(total, unit)}` : `${done.toLocaleString()} / ${total.toLocaleString()} ${unit}`;
  if (job.kind !== 'ingest') return amounts;
  const files = job.params.files.length;
  return `${amounts} · ${files.toLocaleString()} file${files === 1 ? '' : 's'}`;
}
