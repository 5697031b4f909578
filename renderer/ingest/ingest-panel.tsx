/**
 * The ingest dock: one panel under the screen (a row of the shell's grid, so it never covers the
 * item table or the map), folded to a one-line summary ("1 of 2 files · 12.3 of 40.0 MiB") or open
 * on each drop: every file's bytes as they are sent, then what its job made of it, a failure on
 * a row of its own. Its gauges are the Storage screen's, drawn from the same storage.status query.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { FINISHED_JOB_STATES, type JobItem } from '../../shared/contract.js';
import { useJob, useJobItems } from '../data/job-queries.js';
import { queryKey } from '../data/query-keys.js';
import { useLiveProgress } from '../live-progress.js';
import { refreshStorage } from '../shell/refresh-storage.js';
import { formatBytes, formatBytesOf } from '../storage/bytes.js';
import { MeterTrack, percentOf } from '../storage/gauge.js';
import { QuotaGauge, VolumeGauge } from '../storage/storage-gauges.js';
import { dropCounts, dropJobLine, rowStatus } from './drop-status.js';
import { type DropRow, type DropSession, useIngest } from './ingest-store.js';

/** While files are being sent the gauges are read this often; otherwise at each file and finish. */
const SENDING_REFRESH_MS = 2000;

export function IngestPanel() {
  const sessions = useIngest((s) => s.sessions);
  const [open, setOpen] = useState(true);
  const queryClient = useQueryClient();
  const count = sessions.length;
  const seen = useRef(count);
  // A new drop opens the dock, so what was dropped is seen at once.
  useEffect(() => {
    if (count > seen.current) setOpen(true);
    seen.current = count;
  }, [count]);
  const counts = dropCounts(sessions.flatMap((s) => s.rows));
  const sending = sessions.some((s) => s.state === 'sending');
  // Each file that lands takes space: the gauges (and the header's disk pill) are asked again.
  useEffect(() => {
    if (counts.sentFiles > 0) refreshStorage(queryClient);
  }, [counts.sentFiles, queryClient]);
  const storage = useQuery({
    queryKey: queryKey('storage.status'),
    queryFn: () => window.tessera.storage.status({}),
    enabled: count > 0,
    refetchInterval: sending ? SENDING_REFRESH_MS : false,
  });
  if (count === 0) return null;
  const summary = `${counts.sentFiles} of ${counts.files} ${counts.files === 1 ? 'file' : 'files'} · ${formatBytesOf(counts.sentBytes, counts.bytes)}${
    counts.refused > 0 ? ` · ${counts.refused} refused` : ''
  }`;
  const dataVolume = storage.data?.volumes.find((v) => v.roles.includes('data directory'));
  const dataQuota = storage.data?.quotas.find((q) => q.jobId === null);
  const jobIds = new Set(sessions.map((s) => s.jobId));
  const jobQuotas = storage.data?.quotas.filter((q) => q.jobId !== null && jobIds.has(q.jobId)) ?? [];
  return (
    <section className={open ? 'ingest-dock open' : 'ingest-dock'} aria-label="Uploads" data-testid="ingest-panel">
      <header className="ingest-dock-head">
        <button type="button" className="ingest-dock-toggle" aria-expanded={open} aria-controls="ingest-dock-body" onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Uploads
        </button>
        <span className="small" data-testid="ingest-summary">
          {summary}
        </span>
      </header>
      {open && (
        <div className="ingest-dock-body" id="ingest-dock-body">
          <div className="ingest-cards">
            {[...sessions].reverse().map((session) => (
              <DropCard key={session.id} session={session} />
            ))}
          </div>
          {storage.data && (
            <section className="ingest-gauges gauges" aria-label="Storage">
              {dataVolume && <VolumeGauge volume={dataVolume} floor={storage.data.freeSpaceFloorBytes} />}
              {dataQuota && <QuotaGauge quota={dataQuota} />}
              {jobQuotas.map((q) => (
                <QuotaGauge key={q.jobId} quota={q} />
              ))}
            </section>
          )}
        </div>
      )}
    </section>
  );
}

function DropCard({ session }: { session: DropSession }) {
  const dismiss = useIngest((s) => s.dismiss);
  const queryClient = useQueryClient();
  const jobId = session.jobId;
  // Followed like every job (its items are read again as they move); 1000 a page, as a drop of many files is one page.
  const job = useJob(jobId);
  const items = useJobItems(jobId, { pageSize: 1000 });
  const itemRows = items.data?.pages.flatMap((p) => p.rows);
  const live = useLiveProgress((s) => (jobId === null ? undefined : s.byJob[jobId]));
  useEffect(() => {
    if (jobId === null) return;
    // What the job imported is in the catalogue once it ends.
    return window.tessera.on('job.changed', (changed) => {
      if (changed.id === jobId && FINISHED_JOB_STATES.includes(changed.state)) void queryClient.invalidateQueries({ queryKey: queryKey('catalog.list') });
    });
  }, [jobId, queryClient]);

  const sent = session.rows.reduce((n, r) => n + r.sent, 0);
  // What the job has written (staged copies of local files, imports) moves the drop's gauge on from there.
  const written = live?.bytes ?? job.data?.progress.bytes ?? 0;
  const moved = sent + written;
  const finished = job.data ? FINISHED_JOB_STATES.includes(job.data.state) : session.state === 'nothing' || session.state === 'failed';
  const { limits } = session;
  const jobState = job.data && FINISHED_JOB_STATES.includes(job.data.state) ? job.data.state : null;
  return (
    <section className="ingest-card" data-testid="ingest-card" data-state={job.data?.state ?? session.state}>
      <header>
        <strong>{session.rows.length === 1 ? session.rows[0]!.name : `${session.rows.length} files`}</strong>
        <span className="small muted">{cardStatus(session, job.data?.state)}</span>
        {finished && (
          <button type="button" className="link" onClick={() => dismiss(session.id)} aria-label="Dismiss">
            ×
          </button>
        )}
      </header>
      <ul className="ingest-rows">
        {session.rows.map((row) => (
          <FileRow
            key={row.name}
            row={row}
            items={itemRows?.filter((i) => i.label === row.name || i.label.startsWith(`${row.name} ›`)) ?? []}
            job={jobState === null ? null : { state: jobState, error: job.data?.error?.message ?? null }}
          />
        ))}
      </ul>
      {limits.jobQuota !== null && (
        <div className="ingest-meter">
          <span className="small">This drop’s quota</span>
          <MeterTrack
            className="ingest-bar"
            label="This drop’s quota"
            used={moved}
            total={limits.jobQuota}
            valueText={`${formatBytes(moved)} of ${formatBytes(limits.jobQuota)}`}
          />
          <span className="small muted">
            {formatBytes(moved)} of {formatBytes(limits.jobQuota)} ({Math.round(percentOf(moved, limits.jobQuota))}%)
          </span>
        </div>
      )}
      {session.message && (
        <p className={session.state === 'failed' || session.state === 'nothing' ? 'error small' : 'small'} role="alert">
          {session.message}
        </p>
      )}
      {jobId !== null && (
        <p className="small">
          <a href={`#/jobs/${jobId}`}>Job #{jobId}</a>
          {job.data && (
            <span data-testid="drop-job-line">
              {` · ${job.data.state}`}
              {itemRows && itemRows.length > 0 && ` · ${dropJobLine(itemRows)}`}
            </span>
          )}
          {job.data && FINISHED_JOB_STATES.includes(job.data.state) && job.data.items.succeeded > 0 && (
            <>
              {' · '}
              <a href="#/catalog">See the catalogue</a>
            </>
          )}
        </p>
      )}
    </section>
  );
}

function cardStatus(session: DropSession, jobState: string | undefined): string {
  if (jobState) return jobState === 'running' ? 'ingesting…' : jobState;
  switch (session.state) {
    case 'sending':
      return 'sending…';
    case 'starting':
      return 'starting the job…';
    case 'started':
      return 'queued';
    case 'nothing':
      return 'nothing to ingest';
    case 'failed':
      return 'failed';
  }
}

function FileRow({ row, items, job }: { row: DropRow; items: JobItem[]; job: { state: string; error: string | null } | null }) {
  const status = rowStatus(row, items, job);
  const failed = items.find((i) => i.state === 'failed');
  // The file was in the catalogue already (its staging item says so): this drop made a second copy.
  const duplicate = items.map((i) => i.result?.duplicate).find((d): d is string => typeof d === 'string') ?? null;
  const pct = Math.round(percentOf(row.sent, row.size));
  // A file the job failed on without an item of its own (the job could not plan) shows the job's error.
  const jobError = status.tone === 'bad' && !failed && !row.message ? job?.error : null;
  return (
    <li className={`ingest-row state-${row.state} tone-${status.tone}`} data-testid="ingest-row" data-name={row.name} data-status={status.word}>
      <div className="ingest-row-head">
        <span className="ingest-name" title={row.name}>
          {row.name}
        </span>
        <span className="small muted" data-testid="row-bytes">
          {row.state === 'sending' ? formatBytesOf(row.sent, row.size) : formatBytes(row.size)}
        </span>
        <span className="small ingest-status">{status.text}</span>
      </div>
      {(row.state === 'sending' || row.state === 'waiting') && (
        <div className="ingest-bar" role="progressbar" aria-label={`${row.name} sent`} aria-valuemin={0} aria-valuemax={row.size} aria-valuenow={row.sent}>
          <div style={{ width: `${pct}%` }} />
        </div>
      )}
      {row.message && (
        <p className="error small ingest-error" role="alert">
          {row.message}
        </p>
      )}
      {duplicate && (
        <p className="small ingest-warning" data-testid="item-warning">
          {duplicate}
        </p>
      )}
      {failed?.error && (
        <p className="error small ingest-error" data-testid="item-error">
          {failed.error.message.startsWith(failed.label) ? failed.error.message : `${failed.label}: ${failed.error.message}`}
        </p>
      )}
      {jobError && (
        <p className="error small ingest-error" data-testid="item-error">
          {jobError}
        </p>
      )}
    </li>
  );
}
