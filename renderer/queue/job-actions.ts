/**
 * Cancel and retry, for one row or many: both take ids and answer per id (BulkResult), so a
 * refused id (a job that finished meanwhile, one that cannot be retried) is reported, never lost.
 * The rows themselves change through the engine's job.changed events, not through a refetch.
 */
import { useMutation } from '@tanstack/react-query';
import type { BulkResult, JobState } from '../../shared/contract.js';
import { useToasts } from '../shell/notifications.js';

/** The two actions the queue applies to many jobs at once. */
export type BulkAction = 'cancel' | 'retry';

/** States the engine accepts a cancel in (an interrupted job can be dropped instead of resumed). */
export function canCancel(state: JobState): boolean {
  return state === 'running' || state === 'queued' || state === 'interrupted';
}

/** States the engine re-queues from: what did not succeed runs again. */
export function canRetry(state: JobState): boolean {
  return state === 'partial' || state === 'failed' || state === 'cancelled' || state === 'interrupted';
}

/** A bulk action and the engine's per-id answer. */
export interface BulkOutcome {
  action: BulkAction;
  result: BulkResult;
}

/** A mutation for `jobs.cancel` / `jobs.retry` over the ids given to `mutate`. */
export function useBulkAction(onDone?: (outcome: BulkOutcome) => void) {
  return useMutation({
    mutationFn: async ({ action, ids }: { action: BulkAction; ids: number[] }): Promise<BulkOutcome> => {
      const result = action === 'cancel' ? await window.tessera.jobs.cancel({ ids }) : await window.tessera.jobs.retry({ ids });
      return { action, result };
    },
    onSuccess: (outcome) => onDone?.(outcome),
    onError: (error, { action }) => {
      useToasts.getState().push({ tone: 'bad', title: `Could not ${action}`, body: (error as Error).message });
    },
  });
}

/** For a single row: the one failure as a toast (the row stays as the engine says it is). */
export function useRowAction() {
  return useBulkAction(({ action, result }) => {
    for (const f of result.failed)
      useToasts.getState().push({ tone: 'bad', title: `Job #${f.id}: ${action} refused`, body: `${f.error.code}: ${f.error.message}`, jobId: f.id });
  });
}
