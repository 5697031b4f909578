/**
 * Preseed plans as code (issue 17): what the contract says about a folder of plan files. A plan
 * names one job with the contract's own params, an optional schedule and refresh policy; a
 * reconcile compares the plans (desired) with what the engine recorded of each (actual).
 */
import type { JobKind, JobState } from './contract.js';

/** A problem in one plan file, placed where an editor can jump to it. */
export interface PlanFileError {
  /** The file, relative to the source folder. */
  file: string;
  /** 1-based; 0 when the problem is the file as a whole (unreadable, empty). */
  line: number;
  column: number;
  /** The field, dotted from the plan's top (`params.maxZoom`), or '' for the file or its syntax. */
  field: string;
  message: string;
}

/**
 * Where a plan stands against the engine's record of it:
 * - new: never applied; changed: its job's definition differs from the one last applied;
 * - synced: applied as it is now; removed: recorded but gone from the source (its schedule stops,
 *   its outputs stay).
 */
export type PlanSyncState = 'new' | 'changed' | 'synced' | 'removed';

/** What a reconcile does for a plan: start its job, nothing, or record that it was removed. */
export type PlanAction = 'start' | 'none' | 'forget';

export interface PlanStatus {
  name: string;
  /** Relative to the source folder. */
  file: string;
  kind: JobKind;
  state: PlanSyncState;
  action: PlanAction;
  /** Why, in words: the fields whose values changed (`params.maxZoom: 8 → 10`), or why nothing happens. */
  changes: string[];
  /** Cron expression, as written (after "every 6h" is turned into one). */
  schedule: string | null;
  /** When the schedule is next due (ISO 8601), null without a schedule or for a removed plan. */
  nextRun: string | null;
  /** The job the last apply started for this plan, and its state now. */
  lastJob: { id: number; state: JobState; createdAt: string } | null;
  /** The job an apply started for it this time (plans.apply only). */
  startedJobId?: number;
}

export interface PlanReport {
  /** The source: an absolute folder, or a git repository as `URL#branch:folder`. */
  source: string;
  /** For a git source: the commit its plans were read at. */
  commit?: string;
  plans: PlanStatus[];
  /** Files that could not be read as plans: each keeps its own error; the other plans are unaffected. */
  errors: PlanFileError[];
}
