/**
 * The engine's memory of plans (table plan_records, migration 6): per source and plan name, the
 * definition last applied, the job that apply started, and whether the plan has left its source.
 */
import type { JobKind } from '../../shared/contract.js';
import type { Db } from './database.js';

export interface PlanRecord {
  source: string;
  name: string;
  file: string;
  kind: JobKind;
  /** Canonical JSON of what the plan asks for (main/plans/plan-definition.ts). */
  definition: string;
  jobId: number | null;
  appliedAt: string;
  removedAt: string | null;
  /** The last instant the plan's schedule was handled (a run started, or skipped); null before its first. */
  scheduledAt: string | null;
  /** Due runs skipped because the plan's previous job was still active. */
  skippedRuns: number;
}

interface Row {
  source: string;
  name: string;
  file: string;
  kind: string;
  definition: string;
  job_id: number | null;
  applied_at: string;
  removed_at: string | null;
  scheduled_at: string | null;
  skipped_runs: number;
}

const fromRow = (r: Row): PlanRecord => ({
  source: r.source,
  name: r.name,
  file: r.file,
  kind: r.kind as JobKind,
  definition: r.definition,
  jobId: r.job_id,
  appliedAt: r.applied_at,
  removedAt: r.removed_at,
  scheduledAt: r.scheduled_at,
  skippedRuns: r.skipped_runs,
});

export class PlanRecords {
  constructor(private readonly db: Db) {}

  /** Every record of a source, removed plans included, by name. */
  list(source: string): PlanRecord[] {
    return (this.db.prepare('SELECT * FROM plan_records WHERE source = ? ORDER BY name').all(source) as Row[]).map(fromRow);
  }

  /** Records that a plan was applied: its definition now, the job started for it (if any). */
  applied(record: Omit<PlanRecord, 'removedAt' | 'scheduledAt' | 'skippedRuns'>): void {
    this.db
      .prepare(
        // An apply is a run: the schedule counts its next slot from it.
        `INSERT INTO plan_records (source, name, file, kind, definition, job_id, applied_at, removed_at, scheduled_at)
         VALUES (@source, @name, @file, @kind, @definition, @jobId, @appliedAt, NULL, @appliedAt)
         ON CONFLICT (source, name) DO UPDATE SET file = excluded.file, kind = excluded.kind, definition = excluded.definition,
           job_id = excluded.job_id, applied_at = excluded.applied_at, removed_at = NULL, scheduled_at = excluded.scheduled_at`,
      )
      .run(record);
  }

  /** Records that the schedule was handled at `at`: a run started (with its job), or skipped. */
  scheduled(source: string, name: string, at: string, outcome: { jobId: number } | 'skipped'): void {
    if (outcome === 'skipped')
      this.db.prepare('UPDATE plan_records SET scheduled_at = ?, skipped_runs = skipped_runs + 1 WHERE source = ? AND name = ?').run(at, source, name);
    else this.db.prepare('UPDATE plan_records SET scheduled_at = ?, job_id = ? WHERE source = ? AND name = ?').run(at, outcome.jobId, source, name);
  }

  /** Records that a plan left its source (its outputs are kept; nothing is deleted). */
  removed(source: string, name: string, at: string): void {
    this.db.prepare('UPDATE plan_records SET removed_at = ? WHERE source = ? AND name = ? AND removed_at IS NULL').run(at, source, name);
  }
}
