/**
 * Progress in the taskbar (Windows), dock (macOS) and launcher (Unity) while jobs run (issue 18):
 * the tiles, features or bytes done across every running job over their totals, as one bar, so
 * an operator who switched to another window sees the preseed move. Pure state plus a throttled
 * sink; main.ts hands it BrowserWindow.setProgressBar, so it is tested under plain Node.
 */
import type { EventName, Events, JobProgress, JobSummary, QueueState } from '../../shared/contract.js';

/** Electron's progress bar modes (BrowserWindow.setProgressBar). */
export type ProgressMode = 'none' | 'normal' | 'indeterminate' | 'error' | 'paused';

export interface TaskbarState {
  /** 0–1, or -1 to remove the bar (Electron's convention). */
  value: number;
  mode: ProgressMode;
}

/** The bar for the running jobs' progress, the queue, and whether a job failed unseen. */
export function taskbarState(running: readonly Pick<JobProgress, 'done' | 'total'>[], queue: Pick<QueueState, 'paused'>, failedUnseen: boolean): TaskbarState {
  if (running.length === 0) return failedUnseen ? { value: 1, mode: 'error' } : { value: -1, mode: 'none' };
  const total = running.reduce((n, p) => n + Math.max(0, p.total), 0);
  const done = running.reduce((n, p) => n + Math.min(Math.max(0, p.done), Math.max(0, p.total)), 0);
  // Jobs still planning have no total yet: the bar moves without claiming a fraction.
  if (total === 0) return { value: 2, mode: 'indeterminate' };
  const value = Math.min(1, done / total);
  return { value, mode: failedUnseen ? 'error' : queue.paused ? 'paused' : 'normal' };
}

export interface TaskbarProgressOptions {
  events: { onAny(listener: <E extends EventName>(name: E, payload: Events[E]) => void): () => void };
  set(state: TaskbarState): void;
  /** At most one update per this many ms (progress events come many times a second). Default 500. */
  intervalMs?: number;
}

const ACTIVE = new Set<JobSummary['state']>(['running', 'cancelling']);

/** Follows the engine's events and keeps the bar in step; `acknowledge` when the operator looks (window focus). */
export class TaskbarProgress {
  private readonly running = new Map<number, Pick<JobProgress, 'done' | 'total'>>();
  private queue: Pick<QueueState, 'paused'> = { paused: false };
  private failedUnseen = false;
  private last: TaskbarState | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly off: () => void;

  constructor(private readonly options: TaskbarProgressOptions) {
    this.off = options.events.onAny((name, payload) => this.take(name, payload));
  }

  /** The operator looked at the window: a failure shown in red is seen. */
  acknowledge(): void {
    if (!this.failedUnseen) return;
    this.failedUnseen = false;
    this.flush();
  }

  close(): void {
    this.off();
    clearTimeout(this.timer);
    this.options.set({ value: -1, mode: 'none' });
  }

  private take(name: EventName, payload: Events[EventName]): void {
    if (name === 'job.progress') {
      const p = payload as JobProgress;
      if (!this.running.has(p.jobId)) return; // a late event of a job that has ended
      this.running.set(p.jobId, { done: p.done, total: p.total });
    } else if (name === 'job.changed') {
      const job = payload as JobSummary;
      if (ACTIVE.has(job.state)) this.running.set(job.id, { done: job.progress.done, total: job.progress.total });
      else if (this.running.delete(job.id) && (job.state === 'failed' || job.state === 'partial')) this.failedUnseen = true;
    } else if (name === 'queue.changed') {
      this.queue = payload as QueueState;
    } else return;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.intervalMs ?? 500);
    this.timer.unref?.();
  }

  private flush(): void {
    const next = taskbarState([...this.running.values()], this.queue, this.failedUnseen);
    if (this.last && this.last.mode === next.mode && Math.abs(this.last.value - next.value) < 0.001) return;
    this.last = next;
    this.options.set(next);
  }
}
