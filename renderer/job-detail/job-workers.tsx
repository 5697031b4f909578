/**
 * A job's tasks per `tessera worker` (scale-out, `jobs.workers`): shown only when the job's tasks
 * went through a task queue; a job that ran in the engine's own threads shows nothing here. Read
 * every 2 s while the job runs (the workers' heartbeat period) and once more at each state change,
 * which catches the counts the engine keeps when the run ends.
 */
import { useQuery } from '@tanstack/react-query';
import type { JobSummary } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { formatTimeOfDay } from '../dates.js';

const REFRESH_MS = 2000;

export function JobWorkers({ job }: { job: JobSummary }) {
  const running = job.state === 'running' || job.state === 'cancelling';
  const workers = useQuery({
    // The state in the key: a run that ends (or a resume) reads the counts again.
    queryKey: [...queryKey('jobs.workers', { id: job.id }), job.state],
    queryFn: () => window.tessera.jobs.workers({ id: job.id }),
    refetchInterval: running ? REFRESH_MS : false,
  });
  const rows = workers.data ?? [];
  if (rows.length === 0) return null;
  const tasks = rows.reduce((n, w) => n + w.tasksDone, 0);
  return (
    <section className="panel job-workers" aria-labelledby="job-workers-title" data-testid="job-workers">
      <div className="panel-head">
        <h3 id="job-workers-title">Workers</h3>
        <span className="muted small">
          {tasks.toLocaleString('en-US')} {tasks === 1 ? 'task' : 'tasks'} through the task queue
        </span>
      </div>
      <table className="job-workers-table">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Tasks</th>
            <th scope="col">Tiles</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <tr key={w.worker}>
              <th scope="row">{w.worker}</th>
              <td>
                {w.tasksDone.toLocaleString('en-US')}
                {tasks > 0 && <span className="muted"> ({Math.round((100 * w.tasksDone) / tasks)} %)</span>}
                {w.tasksFailed > 0 && <span className="error"> · {w.tasksFailed.toLocaleString('en-US')} failed</span>}
              </td>
              <td>{w.tiles.toLocaleString('en-US')}</td>
              <td>{formatTimeOfDay(Date.parse(w.lastSeenAt))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
