/**
 * The top of the queue: what runs now and what waits, with live bars, rate and ETA. Running jobs
 * come first, then the queued ones in the order the scheduler will start them.
 */
import type { JobState, JobSummary, QueueState } from '../../shared/contract.js';
import { JobRow } from './job-row.js';
import { ColumnWidths, TableHead } from './job-table.js';

const RANK: Partial<Record<JobState, number>> = { running: 0, cancelling: 1, queued: 2 };

/** Running, then cancelling, then queued by priority and age (the scheduler's order). */
export function activeOrder(a: JobSummary, b: JobSummary): number {
  const rank = (RANK[a.state] ?? 3) - (RANK[b.state] ?? 3);
  if (rank !== 0) return rank;
  if (a.state === 'queued') return b.priority - a.priority || a.id - b.id;
  return a.id - b.id;
}

interface ActiveJobsProps {
  jobs: readonly JobSummary[];
  queue: QueueState | undefined;
  /** Jobs that exist but were not listed (the list is capped). */
  unlisted: number;
  selected: ReadonlySet<number>;
  onSelect(ids: number[], on: boolean): void;
}

/** The running and queued jobs, in scheduler order, or a line saying there are none. */
export function ActiveJobs({ jobs, queue, unlisted, selected, onSelect }: ActiveJobsProps) {
  if (jobs.length === 0) {
    return <p className="none">{queue?.paused ? 'Nothing running. The queue is paused.' : 'Nothing running or waiting.'}</p>;
  }
  const sorted = [...jobs].sort(activeOrder);
  return (
    <div className="active-scroll">
      <table className="jobs active">
        <ColumnWidths variant="active" />
        <TableHead variant="active" rows={sorted} selected={selected} onSelect={onSelect} label="running and queued jobs" />
        <tbody>
          {sorted.map((job) => (
            <JobRow key={job.id} job={job} variant="active" selected={selected.has(job.id)} onSelect={onSelect} />
          ))}
        </tbody>
      </table>
      {unlisted > 0 && <p className="small muted more">and {unlisted.toLocaleString('en')} more queued</p>}
    </div>
  );
}
