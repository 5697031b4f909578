/**
 * Tells the operator when a job finishes. The console cannot tell its hosts apart (by design), so
 * it does not ask which one it runs in: a desktop notification when the page already holds the
 * permission, else a toast in the page, which always works.
 */
import { create } from 'zustand';
import type { JobState, JobSummary } from '../../shared/contract.js';

/** How a note looks: finished well, finished with problems, failed, or neutral. */
export type Tone = 'ok' | 'bad' | 'warn' | 'info';

/** A note shown in the page. */
export interface Toast {
  id: number;
  title: string;
  body: string;
  tone: Tone;
  /** The job the toast is about: it offers to open it. */
  jobId?: number;
}

/** How long a toast stays: failures longest, since they need reading (the row keeps the error anyway). */
const TOAST_MS: Record<Tone, number> = { ok: 6000, info: 6000, warn: 10_000, bad: 20_000 };
/** Toasts shown at once; older ones make room (they sit over the page, so few). */
const MAX_TOASTS = 3;

interface ToastState {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): number;
  dismiss(id: number): void;
}

let nextToastId = 1;

/** The notes on screen; each dismisses itself after its tone's time. */
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push: (toast) => {
    const id = nextToastId++;
    // A job's newer note replaces its older one (a retried job that finishes again).
    const others = (t: Toast) => toast.jobId === undefined || t.jobId !== toast.jobId;
    set((s) => ({ toasts: [...s.toasts.filter(others), { ...toast, id }].slice(-MAX_TOASTS) }));
    const ms = TOAST_MS[toast.tone];
    setTimeout(() => get().dismiss(id), ms);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

/** The finishing states worth a notification (interrupted comes from a restart, not from a run). */
const NOTIFY: Partial<Record<JobState, Tone>> = { succeeded: 'ok', partial: 'warn', failed: 'bad', cancelled: 'info' };

/**
 * Remembers which finishes it has announced. job.changed also fires when only counters move, and
 * the same job can finish again after a retry: a finish is its id, state and finishedAt.
 */
export class FinishWatcher {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 2000) {}

  /** The notice for `job` if this event is a finish not yet announced, else null. */
  check(job: JobSummary): Omit<Toast, 'id'> | null {
    const tone = NOTIFY[job.state];
    if (tone === undefined || job.finishedAt === null) return null;
    const key = `${job.id}:${job.state}:${job.finishedAt}`;
    if (this.seen.has(key)) return null;
    this.seen.add(key);
    // Oldest first out: a Set iterates in insertion order.
    if (this.seen.size > this.limit) this.seen.delete(this.seen.values().next().value!);
    return noticeFor(job, tone);
  }
}

function noticeFor(job: JobSummary, tone: Tone): Omit<Toast, 'id'> {
  const { done, total, failed } = job.progress;
  const counts = total > 0 ? `${done.toLocaleString()} of ${total.toLocaleString()} done${failed > 0 ? `, ${failed.toLocaleString()} bad` : ''}` : '';
  const body = [job.name, job.error ? `${job.error.code}: ${job.error.message}` : counts].filter(Boolean).join(' — ');
  return { title: `Job #${job.id} ${job.state}`, body, tone, jobId: job.id };
}

/** Whether desktop notifications can be shown without asking (they never ask on their own). */
export function desktopNotificationsGranted(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/**
 * Shows a notice: a desktop notification when permitted (clicking it brings the console to the
 * job), else a toast.
 */
export function announce(notice: Omit<Toast, 'id'>, openJob: (jobId: number) => void): void {
  if (desktopNotificationsGranted()) {
    try {
      const n = new Notification(notice.title, { body: notice.body, tag: notice.jobId === undefined ? undefined : `tessera-job-${notice.jobId}` });
      n.onclick = () => {
        window.focus();
        if (notice.jobId !== undefined) openJob(notice.jobId);
        n.close();
      };
      return;
    } catch {
      // Some hosts expose the constructor but refuse it (Chrome on Android wants a service worker): toast instead.
    }
  }
  useToasts.getState().push(notice);
}
