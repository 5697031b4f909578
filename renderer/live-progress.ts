/**
 * Live progress of running jobs, fed by the engine's throttled job.progress events.
 * Kept in a zustand store (UI state) rather than the query cache so a progress tick re-renders
 * only the bar that shows it.
 */
import { create } from 'zustand';
import type { JobProgress } from '../shared/contract.js';

interface LiveProgressState {
  byJob: Record<number, JobProgress>;
  update(progress: JobProgress): void;
  /** Drops a job's ticks once it stops running: its summary then holds the final numbers. */
  forget(jobId: number): void;
}

export const useLiveProgress = create<LiveProgressState>((set) => ({
  byJob: {},
  update: (progress) => set((s) => ({ byJob: { ...s.byJob, [progress.jobId]: progress } })),
  forget: (jobId) =>
    set((s) => {
      if (!(jobId in s.byJob)) return s;
      const byJob = { ...s.byJob };
      delete byJob[jobId];
      return { byJob };
    }),
}));
