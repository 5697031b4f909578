/**
 * The Workers screen (`#/workers`): the task queue the engine sends raster, vector-partition and verify tasks to
 * (scale-out), how many wait in it, and every `tessera worker` with a live heartbeat: name, host,
 * pid, concurrency, tasks done, their rate since the screen last read them, last heartbeat and
 * what it runs now (with the job, linked). Read every 2 s, the workers' heartbeat period.
 */
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import type { WorkerInfo, WorkersStatus } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { formatTimeOfDay } from '../dates.js';
import { LoadError } from '../shell/load-error.js';
import '../controls.css';
import './workers-view.css';

export const workersKey = queryKey('workers.list');
const REFRESH_MS = 2000;

/** Tasks a second per worker, from two reads of its tasks-done counter. */
export function taskRates(previous: Map<string, { done: number; at: number }>, status: WorkersStatus, now: number): Map<string, number | null> {
  const rates = new Map<string, number | null>();
  for (const w of status.workers) {
    const before = previous.get(w.name);
    rates.set(w.name, before && now > before.at && w.tasksDone >= before.done ? ((w.tasksDone - before.done) * 1000) / (now - before.at) : null);
  }
  return rates;
}

export function WorkersView() {
  const workers = useQuery({ queryKey: workersKey, queryFn: () => window.tessera.workers.list({}), refetchInterval: REFRESH_MS });
  const seen = useRef(new Map<string, { done: number; at: number }>());
  const rates = useRef(new Map<string, number | null>());
  const read = useRef(0);
  if (workers.data && workers.dataUpdatedAt !== read.current) {
    read.current = workers.dataUpdatedAt;
    rates.current = taskRates(seen.current, workers.data, workers.dataUpdatedAt);
    seen.current = new Map(workers.data.workers.map((w) => [w.name, { done: w.tasksDone, at: workers.dataUpdatedAt }]));
  }
  const status = workers.data;
  return (
    <section className="workers-view" aria-labelledby="workers-title">
      <div className="view-head">
        <h2 id="workers-title">Workers</h2>
        <span className="muted small">{workers.dataUpdatedAt > 0 && `checked ${formatTimeOfDay(workers.dataUpdatedAt)} · every ${REFRESH_MS / 1000} s`}</span>
      </div>
      {workers.isPending && <p className="muted">Reading the task queue…</p>}
      {workers.error && <LoadError what="read the workers" error={workers.error} retry={() => void workers.refetch()} />}
      {status && status.queue === null && (
        <p>
          Tasks run in this machine's own threads. To spread raster, vector-partition and verify tasks over other machines, set Settings › Task queue (or start
          with <code>tessera serve --queue redis://HOST:PORT/DB</code>) and run <code>tessera worker --queue …</code> on each.
        </p>
      )}
      {status?.queue && (
        <>
          <p>
            Queue <code>{status.queue}</code>
            {status.source === 'option' ? ' (set by --queue at start)' : ' (Settings › Task queue)'} ·{' '}
            {status.state === 'waiting' ? <strong role="status">unreachable: jobs wait for it</strong> : 'connected'} · {status.depth.toLocaleString('en-US')}{' '}
            {status.depth === 1 ? 'task' : 'tasks'} waiting
          </p>
          {status.workers.length === 0 ? (
            <p className="muted">No worker has a live heartbeat: tasks wait in the queue until one starts.</p>
          ) : (
            <table className="workers-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Host</th>
                  <th scope="col">PID</th>
                  <th scope="col">Concurrency</th>
                  <th scope="col">Tasks done</th>
                  <th scope="col">Rate</th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col">Now</th>
                </tr>
              </thead>
              <tbody>
                {status.workers.map((w) => (
                  <WorkerRow key={w.name} worker={w} rate={rates.current.get(w.name) ?? null} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function WorkerRow({ worker, rate }: { worker: WorkerInfo; rate: number | null }) {
  const jobs = [...new Set(worker.current.flatMap((c) => (c.job === null ? [] : [c.job])))];
  return (
    <tr>
      <th scope="row">{worker.name}</th>
      <td>{worker.host}</td>
      <td>{worker.pid}</td>
      <td>{worker.concurrency}</td>
      <td>
        {worker.tasksDone.toLocaleString('en-US')}
        {worker.tasksFailed > 0 && <span className="muted"> · {worker.tasksFailed} failed</span>}
      </td>
      <td>{rate === null ? '—' : `${rate.toFixed(1)}/s`}</td>
      <td>{formatTimeOfDay(Date.parse(worker.lastBeatAt))}</td>
      <td>
        {worker.stopping && 'stopping · '}
        {worker.current.length === 0 ? 'idle' : `${worker.current.length} ${worker.current.length === 1 ? 'task' : 'tasks'}${jobs.length > 0 ? ' of ' : ''}`}
        {jobs.map((id, i) => (
          <span key={id}>
            {i > 0 && ', '}
            <a href={`#/jobs/${id}`}>job {id}</a>
          </span>
        ))}
      </td>
    </tr>
  );
}
