/**
 * The console's first screen: the queue (running and queued jobs with live progress), the history
 * below it, queue pause/resume, cancel and retry, and the engine's health.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { JobState, JobSummary } from '../preload/contract.js';
import { useLiveProgress } from './live-progress.js';

const api = () => window.tessera;

export function App() {
  const queryClient = useQueryClient();
  const updateProgress = useLiveProgress((s) => s.update);

  useEffect(() => {
    const offs = [
      api().on('job.changed', () => void queryClient.invalidateQueries({ queryKey: ['jobs'] })),
      api().on('queue.changed', (q) => queryClient.setQueryData(['queue'], q)),
      api().on('job.progress', updateProgress),
    ];
    return () => offs.forEach((off) => off());
  }, [queryClient, updateProgress]);

  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api().app.info({}) });
  const health = useQuery({ queryKey: ['app.health'], queryFn: () => api().app.health({}), refetchInterval: 30_000 });
  const queue = useQuery({ queryKey: ['queue'], queryFn: () => api().queue.get({}) });
  const jobs = useQuery({ queryKey: ['jobs'], queryFn: () => api().jobs.list({ limit: 200 }) });

  const toggleQueue = useMutation({
    mutationFn: () => (queue.data?.paused ? api().queue.resume({}) : api().queue.pause({})),
    onSuccess: (q) => queryClient.setQueryData(['queue'], q),
  });

  return (
    <div className="app">
      <header className="topbar">
        <h1>Tessera</h1>
        <span className="muted">{info.data ? `${info.data.host} · ${info.data.dataDir}` : ''}</span>
        <div className="spacer" />
        {health.data?.map((h) => (
          <span key={h.name} className={`pill health-${h.state}`} title={h.message}>
            {h.name}: {h.state}
          </span>
        ))}
        {queue.data && (
          <button type="button" onClick={() => toggleQueue.mutate()} data-testid="toggle-queue">
            {queue.data.paused ? 'Resume queue' : 'Pause queue'}
          </button>
        )}
      </header>
      <main>
        {jobs.isLoading && <p className="muted">Loading jobs…</p>}
        {jobs.error && <p className="error" role="alert">Could not load jobs: {(jobs.error as Error).message}</p>}
        {jobs.data && jobs.data.rows.length === 0 && <p className="empty">No jobs yet. Start one with <code>tessera verify &lt;cache&gt;</code>.</p>}
        {jobs.data && jobs.data.rows.length > 0 && <JobTable jobs={jobs.data.rows} />}
      </main>
    </div>
  );
}

const ACTIVE: JobState[] = ['running', 'cancelling', 'queued'];

function JobTable({ jobs }: { jobs: JobSummary[] }) {
  const active = jobs.filter((j) => ACTIVE.includes(j.state));
  const history = jobs.filter((j) => !ACTIVE.includes(j.state));
  return (
    <>
      <h2>Queue ({active.length})</h2>
      <Rows jobs={active} />
      <h2>History</h2>
      <Rows jobs={history} />
    </>
  );
}

function Rows({ jobs }: { jobs: JobSummary[] }) {
  if (jobs.length === 0) return <p className="muted">Nothing here.</p>;
  return (
    <table className="jobs">
      <thead>
        <tr>
          <th>#</th>
          <th>Name</th>
          <th>Kind</th>
          <th>State</th>
          <th>Progress</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <JobRow key={j.id} job={j} />
        ))}
      </tbody>
    </table>
  );
}

function JobRow({ job }: { job: JobSummary }) {
  const queryClient = useQueryClient();
  const live = useLiveProgress((s) => s.byJob[job.id]);
  const progress = job.state === 'running' && live ? live : job.progress;
  const pct = progress.total > 0 ? Math.min(100, (100 * progress.done) / progress.total) : 0;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['jobs'] });
  const cancel = useMutation({ mutationFn: () => api().jobs.cancel({ ids: [job.id] }), onSettled: refresh });
  const retry = useMutation({ mutationFn: () => api().jobs.retry({ ids: [job.id] }), onSettled: refresh });
  return (
    <tr data-testid={`job-${job.id}`} data-state={job.state}>
      <td>{job.id}</td>
      <td title={job.error ? `${job.error.code}: ${job.error.message}` : undefined}>
        {job.name}
        {job.error && <div className="error small">{job.error.message}</div>}
      </td>
      <td>{job.kind}</td>
      <td>
        <span className={`pill state-${job.state}`}>{job.state}</span>
      </td>
      <td>
        <div className="bar" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
          <div style={{ width: `${pct}%` }} />
        </div>
        <span className="small muted">
          {progress.done.toLocaleString()}/{progress.total.toLocaleString()}
          {progress.failed > 0 && ` · ${progress.failed.toLocaleString()} bad`}
          {progress.rate > 0 && ` · ${Math.round(progress.rate).toLocaleString()}/s`}
          {progress.etaSeconds !== null && job.state === 'running' && ` · ETA ${progress.etaSeconds}s`}
        </span>
      </td>
      <td className="small">{new Date(job.createdAt).toLocaleString()}</td>
      <td>
        {(job.state === 'running' || job.state === 'queued' || job.state === 'interrupted') && (
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel
          </button>
        )}
        {(job.state === 'partial' || job.state === 'failed' || job.state === 'cancelled' || job.state === 'interrupted') && (
          <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
            {job.state === 'interrupted' ? 'Resume' : 'Retry'}
          </button>
        )}
      </td>
    </tr>
  );
}
