/**
 * Reconcile: the plans of a source (desired) against the engine's records of them (actual).
 * `diffPlans` is pure and says what a reconcile would do (`tessera plans diff`, like terraform
 * plan); `applyPlans` does it through the engine's own jobs.start, so a plan's job is validated,
 * path-checked and queued exactly like one started by hand.
 */
import { Cron } from 'croner';
import { FINISHED_JOB_STATES, type JobStartInput, type JobState, type JobSummary } from '../../shared/contract.js';
import { toTesseraError } from '../../shared/errors.js';
import type { PlanFileError, PlanReport, PlanStatus } from '../../shared/plan-shapes.js';
import type { PlanRecord } from '../store/plan-records.js';
import type { Plan } from './plan-file.js';
import type { PlanSnapshot } from './plan-source.js';

/**
 * What a plan asks of its job, as canonical JSON (keys sorted): kind, params, priority and refresh
 * age. The schedule is not part of it: moving a schedule does not make the job run again.
 */
export function planDefinition(plan: Plan): string {
  return canonicalJson({ kind: plan.kind, params: plan.params, priority: plan.priority, refreshOlderThanMs: plan.refreshOlderThanMs });
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Dotted path → JSON text of each leaf, for saying which fields changed. */
function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(prefix, JSON.stringify(value));
    for (const [k, v] of entries) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

/** `params.maxZoom: 8 → 10` for every field whose value differs between two definitions. */
export function definitionChanges(before: string, after: string): string[] {
  const a = leaves(JSON.parse(before));
  const b = leaves(JSON.parse(after));
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const absent = '(none)';
  return fields.filter((f) => a.get(f) !== b.get(f)).map((f) => `${f}: ${a.get(f) ?? absent} → ${b.get(f) ?? absent}`);
}

/** The schedule's next instant after `now`, in the plan's time zone; null without one. */
export function nextRun(plan: Pick<Plan, 'schedule' | 'timezone'>, now: Date): string | null {
  if (plan.schedule === null) return null;
  return new Cron(plan.schedule, { paused: true, timezone: plan.timezone }).nextRun(now)?.toISOString() ?? null;
}

/**
 * Whether a synced plan's schedule is due at `now`: a slot has passed since the schedule was last
 * handled (or the plan applied). However many slots passed while the app was closed, that is one
 * due run, not one per slot.
 */
export function scheduleDue(plan: Pick<Plan, 'schedule' | 'timezone'>, record: Pick<PlanRecord, 'scheduledAt' | 'appliedAt'>, now: Date): string | null {
  if (plan.schedule === null) return null;
  const slot = nextRun(plan, new Date(record.scheduledAt ?? record.appliedAt));
  return slot !== null && slot <= now.toISOString() ? slot : null;
}

export interface ReconcileInputs {
  snapshot: PlanSnapshot;
  records: PlanRecord[];
  /** The job a record names, or null when retention purged it. */
  job: (id: number) => JobSummary | null;
  now: Date;
}

const isActive = (state: JobState) => !(FINISHED_JOB_STATES as readonly JobState[]).includes(state);

/** What a reconcile would do for each plan of the source, and each plan that left it. */
export function diffPlans({ snapshot, records, job, now }: ReconcileInputs): PlanReport {
  const recorded = new Map(records.map((r) => [r.name, r]));
  const lastJob = (record: PlanRecord | undefined) => {
    const found = record?.jobId == null ? null : job(record.jobId);
    return found ? { id: found.id, state: found.state, createdAt: found.createdAt } : null;
  };
  const plans: PlanStatus[] = snapshot.plans.map((plan) => {
    const record = recorded.get(plan.name);
    const definition = planDefinition(plan);
    const last = lastJob(record);
    const base = { name: plan.name, file: plan.file, kind: plan.kind, schedule: plan.schedule, nextRun: nextRun(plan, now), lastJob: last };
    if (!record || record.removedAt !== null)
      return { ...base, state: 'new', action: 'start', changes: record ? ['back in the source after its removal'] : [] };
    if (record.definition === definition) return { ...base, state: 'synced', action: 'none', changes: [] };
    const changes = definitionChanges(record.definition, definition);
    // Never two jobs of one plan at once: the change waits for the running one to end.
    if (last && isActive(last.state))
      return { ...base, state: 'changed', action: 'none', changes: [...changes, `waits for job ${last.id} (${last.state}) to end`] };
    return { ...base, state: 'changed', action: 'start', changes };
  });
  const present = new Set(snapshot.plans.map((p) => p.name));
  // A plan whose file has an error is not "removed": it is still there, just unreadable now.
  const broken = new Set(snapshot.errors.map((e) => e.file));
  for (const record of records) {
    if (present.has(record.name) || record.removedAt !== null || broken.has(record.file)) continue;
    plans.push({
      name: record.name,
      file: record.file,
      kind: record.kind,
      state: 'removed',
      action: 'forget',
      changes: ['left the source: its schedule stops, its outputs stay'],
      schedule: null,
      nextRun: null,
      lastJob: lastJob(record),
    });
  }
  return {
    source: snapshot.source,
    ...(snapshot.commit !== undefined && { commit: snapshot.commit }),
    plans: plans.sort((a, b) => a.name.localeCompare(b.name)),
    errors: snapshot.errors,
  };
}

/** The jobs.start input of a plan's run at `now`: a refresh plan asks for tiles older than its age. */
export function planJob(plan: Plan, now: Date): JobStartInput {
  const params =
    plan.refreshOlderThanMs === null
      ? plan.params
      : { ...plan.params, mode: 'refresh', olderThan: new Date(now.getTime() - plan.refreshOlderThanMs).toISOString() };
  return { kind: plan.kind, params, name: plan.name, priority: plan.priority } as JobStartInput;
}

export interface ApplyEffects {
  start(input: JobStartInput): Promise<JobSummary>;
  applied(record: Omit<PlanRecord, 'removedAt' | 'scheduledAt' | 'skippedRuns'>): void;
  removed(source: string, name: string, at: string): void;
  scheduled(source: string, name: string, at: string, outcome: { jobId: number } | 'skipped'): void;
}

/**
 * Does what diffPlans says: starts the job of each new or changed plan and records it, records
 * the plans that left. A plan the engine refuses (a path outside the allowed roots, a dataset that
 * is not there) becomes an error of its file; the others go on.
 */
export async function applyPlans(inputs: ReconcileInputs, effects: ApplyEffects): Promise<PlanReport> {
  const report = diffPlans(inputs);
  const byName = new Map(inputs.snapshot.plans.map((p) => [p.name, p]));
  const errors: PlanFileError[] = [...report.errors];
  const at = inputs.now.toISOString();
  const recorded = new Map(inputs.records.map((r) => [r.name, r]));
  const source = inputs.snapshot.source;
  for (const status of report.plans) {
    if (status.action === 'forget') effects.removed(source, status.name, at);
    const plan = byName.get(status.name);
    const record = recorded.get(status.name);
    // A synced plan whose schedule is due runs now, unless its last job is still active: then the
    // slot is skipped and counted, never piled up behind it.
    const due = status.state === 'synced' && plan && record ? scheduleDue(plan, record, inputs.now) : null;
    if (due !== null) {
      if (status.lastJob && isActive(status.lastJob.state)) {
        effects.scheduled(source, status.name, at, 'skipped');
        status.changes = [...status.changes, `scheduled run of ${due} skipped: job ${status.lastJob.id} is still ${status.lastJob.state}`];
        continue;
      }
      status.action = 'start';
      status.changes = [...status.changes, `scheduled run due since ${due}`];
    }
    if (status.action !== 'start' || !plan) continue;
    try {
      const job = await effects.start(planJob(plan, inputs.now));
      if (due !== null) effects.scheduled(source, plan.name, at, { jobId: job.id });
      else effects.applied({ source, name: plan.name, file: plan.file, kind: plan.kind, definition: planDefinition(plan), jobId: job.id, appliedAt: at });
      status.startedJobId = job.id;
      status.lastJob = { id: job.id, state: job.state, createdAt: job.createdAt };
    } catch (error) {
      const e = toTesseraError(error);
      const field = (e.details as { issues?: { field: string }[]; field?: string } | undefined)?.issues?.[0]?.field ?? '';
      errors.push({ file: plan.file, line: 0, column: 0, field, message: `${e.code}: ${e.message}` });
      status.action = 'none';
      status.changes = [...status.changes, `not started: ${e.code}`];
    }
  }
  return { ...report, errors };
}
