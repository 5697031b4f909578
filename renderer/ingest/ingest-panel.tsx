/**
 * The ingest panel: one card per drop, with each file's progress and, when it was refused, why;
 * gauges for the drop's quota, the data directory's quota and the free space left above the floor,
 * which move with the bytes as they are sent (and as the job stages them); then the job that
 * ingests them, with what became of each file.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FINISHED_JOB_STATES, type JobItem } from '../../shared/contract.js';
import { useJob, useJobItems } from '../data/job-queries.js';
import { queryKey } from '../data/query-keys.js';
import { useLiveProgress } from '../live-progress.js';
import { formatBytes } from '../storage/bytes.js';
import { type DropRow, type DropSession, useIngest } from './ingest-store.js';
import { MeterTrack, percentOf } from '../storage/gauge.js';

export function IngestPanel() {
  const sessions = useIngest((s) => s.sessions);
  if (sessions.length === 0) return null;
  return (
    <aside className="ingest-panel" aria-label="Ingest" data-testid="ingest-panel">
      {[...sessions].reverse().map((session) => (
        <DropCard key={session.id} session={session} />
      ))}
    </aside>
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
  // What the job has written (staged copies of local files, imports) moves the gauges on from there.
  const written = live?.bytes ?? job.data?.progress.bytes ?? 0;
  const moved = sent + written;
  const finished = job.data ? FINISHED_JOB_STATES.includes(job.data.state) : session.state === 'nothing' || session.state === 'failed';
  const { limits } = session;
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
          <FileRow key={row.name} row={row} items={itemRows?.filter((i) => i.label === row.name || i.label.startsWith(`${row.name} ›`)) ?? []} />
        ))}
      </ul>
      <div className="ingest-gauges">
        {limits.jobQuota !== null && (
          <Meter label="This drop’s quota" used={moved} total={limits.jobQuota} text={`${formatBytes(moved)} of ${formatBytes(limits.jobQuota)}`} />
        )}
        {limits.dataDirQuota !== null && limits.dataDirUsed !== null && (
          <Meter
            label="Data directory quota"
            used={limits.dataDirUsed + moved}
            total={limits.dataDirQuota}
            text={`${formatBytes(limits.dataDirUsed + moved)} of ${formatBytes(limits.dataDirQuota)}`}
          />
        )}
        {limits.free !== null && (
          <Meter
            label="Free space above the floor"
            used={moved}
            total={Math.max(1, limits.free - limits.floor)}
            text={`${formatBytes(Math.max(0, limits.free - moved))} free, ${formatBytes(limits.floor)} must stay free`}
          />
        )}
      </div>
      {session.message && (
        <p className={session.state === 'failed' || session.state === 'nothing' ? 'error small' : 'small'} role="alert">
          {session.message}
        </p>
      )}
      {jobId !== null && (
        <p className="small">
          <a href={`#/jobs/${jobId}`}>Job #{jobId}</a>
          {job.data &&
            ` · ${job.data.state} · ${job.data.items.succeeded} of ${job.data.items.total} item(s) done${job.data.items.failed ? `, ${job.data.items.failed} failed` : ''}`}
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

function FileRow({ row, items }: { row: DropRow; items: JobItem[] }) {
  const failed = items.find((i) => i.state === 'failed');
  const done = items.filter((i) => i.state === 'succeeded').length;
  const pct = row.size > 0 ? Math.min(100, Math.round((100 * row.sent) / row.size)) : 0;
  const status =
    row.state === 'refused' || row.state === 'failed'
      ? 'refused'
      : items.length > 0
        ? failed
          ? `${done} of ${items.length} done, ${items.filter((i) => i.state === 'failed').length} failed`
          : `${done} of ${items.length} done`
        : row.state === 'sending'
          ? `${pct}%`
          : row.state === 'sent'
            ? 'sent'
            : 'waiting';
  return (
    <li className={`ingest-row state-${row.state}`} data-testid="ingest-row" data-name={row.name}>
      <div className="ingest-row-head">
        <span className="ingest-name" title={row.name}>
          {row.name}
        </span>
        <span className="small muted">{formatBytes(row.size)}</span>
        <span className="small ingest-status">{status}</span>
      </div>
      {(row.state === 'sending' || row.state === 'waiting') && (
        <div className="ingest-bar" role="progressbar" aria-label={`${row.name} sent`} aria-valuemin={0} aria-valuemax={row.size} aria-valuenow={row.sent}>
          <div style={{ width: `${pct}%` }} />
        </div>
      )}
      {row.message && (
        <p className="error small" role="alert">
          {row.message}
        </p>
      )}
      {failed?.error && (
        <p className="error small" data-testid="item-error">
          {failed.error.message.startsWith(failed.label) ? failed.error.message : `${failed.label}: ${failed.error.message}`}
        </p>
      )}
    </li>
  );
}

function Meter({ label, used, total, text }: { label: string; used: number; total: number; text: string }) {
  const pct = percentOf(used, total);
  const tone = pct >= 100 ? 'bad' : pct >= 90 ? 'warn' : 'ok';
  return (
    <div className={`ingest-meter tone-${tone}`}>
      <span className="small">{label}</span>
      <MeterTrack className="ingest-bar" label={label} used={used} total={total} valueText={text} />
      <span className="small muted">{text}</span>
    </div>
  );
}
