/**
 * Every legal state transition of jobs and items, and nothing else.
 *
 * The store asks this module before it writes a state; an illegal transition is an error
 * (ILLEGAL_TRANSITION), never a silent overwrite. That is what keeps a cancelled queued job
 * from being picked up and run anyway, the defect of the reviewed server.
 */
import { assertNever } from '../../shared/assert-never.js';
import { TesseraError } from '../../shared/errors.js';
import type { ItemState, JobState } from '../../shared/contract.js';

const JOB_TRANSITIONS: Record<JobState, readonly JobState[]> = {
  // A queued job starts, or is cancelled before it ever runs.
  queued: ['running', 'cancelled'],
  // A running job ends by itself, is asked to cancel, or is found running after a crash.
  running: ['succeeded', 'partial', 'failed', 'cancelling', 'interrupted'],
  // Cancelling ends as cancelled; a crash while cancelling leaves it interrupted.
  cancelling: ['cancelled', 'interrupted'],
  succeeded: [],
  // Retrying a partial, failed, cancelled or interrupted job re-queues what did not succeed.
  partial: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
  interrupted: ['queued', 'cancelled'],
};

const ITEM_TRANSITIONS: Record<ItemState, readonly ItemState[]> = {
  // queued → interrupted: its job was interrupted before it ran (a crash, a shutdown).
  queued: ['running', 'cancelled', 'interrupted'],
  // running → queued: an attempt whose outcome could not be recorded runs again; running →
  // interrupted: its job was interrupted under it (recovery after a crash, or a shutdown).
  running: ['succeeded', 'failed', 'cancelled', 'queued', 'interrupted'],
  succeeded: [],
  failed: ['queued'],
  cancelled: ['queued'],
  // The job's resume queues it again (from its checkpoint); cancelling the job cancels it.
  interrupted: ['queued', 'cancelled'],
};

export function canTransitionJob(from: JobState, to: JobState): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export function canTransitionItem(from: ItemState, to: ItemState): boolean {
  return ITEM_TRANSITIONS[from].includes(to);
}

/** Throws ILLEGAL_TRANSITION unless `from → to` is a legal job transition. */
export function assertJobTransition(jobId: number, from: JobState, to: JobState): void {
  if (!canTransitionJob(from, to)) {
    throw new TesseraError('ILLEGAL_TRANSITION', `job ${jobId} cannot go from ${from} to ${to}`, { details: { jobId, from, to } });
  }
}

/** Throws ILLEGAL_TRANSITION unless `from → to` is a legal item transition. */
export function assertItemTransition(itemId: number, from: ItemState, to: ItemState): void {
  if (!canTransitionItem(from, to)) {
    throw new TesseraError('ILLEGAL_TRANSITION', `item ${itemId} cannot go from ${from} to ${to}`, { details: { itemId, from, to } });
  }
}

/** The states a job may be retried from. */
export function isRetryable(state: JobState): boolean {
  return canTransitionJob(state, 'queued');
}

/** The states from which a job can be cancelled (queued at once; running through cancelling). */
export function cancelTarget(state: JobState): JobState | null {
  switch (state) {
    case 'queued':
    case 'interrupted':
      return 'cancelled';
    case 'running':
      return 'cancelling';
    case 'cancelling':
    case 'succeeded':
    case 'partial':
    case 'failed':
    case 'cancelled':
      return null;
    default:
      return assertNever(state);
  }
}

/**
 * How a job ends from its items' outcome: partial when some items failed and some succeeded,
 * failed when none succeeded, never "succeeded" with a failure hidden inside.
 */
export function finalJobState(counts: { succeeded: number; failed: number; cancelled: number }, aborted: boolean): JobState {
  if (aborted) return 'cancelled';
  if (counts.failed > 0) return counts.succeeded > 0 ? 'partial' : 'failed';
  if (counts.cancelled > 0) return 'cancelled';
  return 'succeeded';
}

export const JOB_TRANSITION_TABLE = JOB_TRANSITIONS;
export const ITEM_TRANSITION_TABLE = ITEM_TRANSITIONS;
