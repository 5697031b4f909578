/**
 * One plan file (YAML, or JSON, which YAML reads too) to a validated plan, or to errors that name
 * the file, line, column and field. The params are validated by the kind's own contract schema,
 * unchanged, so a plan accepts exactly what jobs.start accepts; relative paths are resolved
 * against the plan's folder, as a reader of the file expects.
 */
import { isAbsolute, resolve } from 'node:path';
import { Cron } from 'croner';
import { LineCounter, isMap, isNode, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { JOB_KINDS, type JobKind, type JobParams, pathsOf } from '../../shared/contract.js';
import { KIND_CONTRACTS } from '../../shared/kinds/index.js';
import type { PlanFileError } from '../../shared/plan-shapes.js';
import { PLAN_NAME, PLAN_NAME_RULE } from '../../shared/plan-name.js';

/** A plan as the reconciler uses it: params parsed by the kind's schema, paths absolute. */
export interface Plan {
  name: string;
  /** Relative to the source folder. */
  file: string;
  kind: JobKind;
  params: JobParams;
  priority: number;
  /** A cron expression (an "every …" form is turned into one), or null. */
  schedule: string | null;
  /** The IANA time zone the schedule is read in. */
  timezone: string;
  /** Tiles older than this many milliseconds are made again when the plan runs (preseed kinds only). */
  refreshOlderThanMs: number | null;
}

const UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** "7d", "12h", "30m", "2w" to milliseconds; null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,5})\s*([mhdw])\s*$/.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  return amount > 0 ? amount * UNITS_MS[match[2] as keyof typeof UNITS_MS] : null;
}

/**
 * "every 6h" (also m, d) as the cron expression that fires at exactly those instants of each day;
 * an interval that does not divide the day evenly is refused rather than drifting at midnight.
 * Anything else is taken to be cron and checked by croner.
 */
export function scheduleToCron(text: string): { cron: string } | { error: string } {
  const every = /^\s*every\s+(\d{1,3})\s*([mhd])\s*$/i.exec(text);
  if (every) {
    const n = Number(every[1]);
    const unit = every[2]!.toLowerCase();
    if (unit === 'd') return n === 1 ? { cron: '0 0 * * *' } : { error: 'every Nd: only "every 1d" divides the calendar evenly; use a cron expression' };
    const span = unit === 'h' ? 24 : 60;
    if (n < 1 || span % n !== 0) return { error: `every ${n}${unit} does not divide ${unit === 'h' ? 'a day' : 'an hour'} evenly; use a cron expression` };
    if (n === span) return { cron: unit === 'h' ? '0 0 * * *' : '0 * * * *' };
    return { cron: unit === 'h' ? `0 */${n} * * *` : `*/${n} * * * *` };
  }
  try {
    new Cron(text.trim(), { paused: true });
    return { cron: text.trim() };
  } catch (error) {
    return { error: `not a cron expression or "every N(m|h|d)": ${error instanceof Error ? error.message : String(error)}` };
  }
}

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const PlanShape = z
  .object({
    name: z.string().trim().regex(PLAN_NAME, PLAN_NAME_RULE),
    kind: z.enum(JOB_KINDS),
    params: z.record(z.string(), z.unknown()),
    priority: z.number().int().min(-10).max(10).default(0),
    schedule: z.string().trim().min(1).optional(),
    timezone: z.string().trim().refine(validTimezone, 'not an IANA time zone (e.g. UTC, Europe/Zurich)').default('UTC'),
    refresh: z
      .object({ olderThan: z.string().refine((t) => parseDuration(t) !== null, 'a duration such as 30m, 12h, 7d or 2w') })
      .strict()
      .optional(),
  })
  .strict();

type Issue = { path: (string | number)[]; message: string };

/** A zod issue as placed issues: an unknown key is reported at the key itself, one issue per key. */
function issuesOf(issue: z.core.$ZodIssue): Issue[] {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
  // zod says "expected number, received undefined" for a field that is not there.
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) return [{ path, message: `required, and missing (a ${issue.expected})` }];
  return [{ path, message: issue.message }];
}

/** The line and column (1-based) of the node at `path`, or of its nearest ancestor present in the file. */
function place(doc: Document, lines: LineCounter, path: (string | number)[]): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

/** A path given relative to the plan's folder, made absolute; GDAL virtual paths and URLs stay as written. */
function resolvePlanPath(path: string, folder: string): string {
  if (isAbsolute(path) || path.startsWith('/vsi') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  return resolve(folder, path);
}

/** Sets `value` at a dotted field (`params.datasets.1`) inside `root`. */
function setField(root: Record<string, unknown>, field: string, value: unknown): void {
  const keys = field.split('.');
  let at: unknown = root;
  for (const key of keys.slice(0, -1)) at = (at as Record<string, unknown>)[key];
  (at as Record<string, unknown>)[keys.at(-1)!] = value;
}

/**
 * Reads one plan file. `file` is its path relative to the source (for messages), `folder` the
 * folder it lies in (relative paths resolve there).
 */
export function parsePlanFile(text: string, file: string, folder: string): { plan: Plan } | { errors: PlanFileError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      errors: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { file, line: at.line, column: at.col, field: '', message: e.message.split('\n')[0]! };
      }),
    };
  }
  const placed = (issues: Issue[]): { errors: PlanFileError[] } => ({
    errors: issues.map((i) => ({ file, ...place(doc, lines, i.path), field: i.path.join('.'), message: i.message })),
  });
  if (!isMap(doc.contents) && !isSeq(doc.contents))
    return { errors: [{ file, line: 0, column: 0, field: '', message: 'the file holds no plan (a mapping with name, kind and params)' }] };
  const js = doc.toJS() as Record<string, unknown>;
  const shape = PlanShape.safeParse(js);
  // The params are checked by the kind's schema whenever the kind is known, so one reading of the
  // file reports every problem in it, not the first layer's only.
  const kind = (JOB_KINDS as readonly unknown[]).includes(js.kind) ? (js.kind as JobKind) : null;
  const kindParams = kind && js.params && typeof js.params === 'object' ? KIND_CONTRACTS[kind].params.safeParse(js.params) : null;
  const shapeIssues: Issue[] = shape.success ? [] : shape.error.issues.flatMap(issuesOf);
  const paramIssues: Issue[] =
    kindParams && !kindParams.success ? kindParams.error.issues.flatMap(issuesOf).map((i) => ({ ...i, path: ['params', ...i.path] })) : [];
  if (!shape.success || !kindParams?.success) return placed([...shapeIssues, ...paramIssues]);
  const raw = shape.data;

  const issues: Issue[] = [];
  let schedule: string | null = null;
  if (raw.schedule !== undefined) {
    const cron = scheduleToCron(raw.schedule);
    if ('error' in cron) issues.push({ path: ['schedule'], message: cron.error });
    else schedule = cron.cron;
  }
  const preseed = raw.kind === 'preseed-raster' || raw.kind === 'preseed-vector';
  if (raw.refresh && !preseed) issues.push({ path: ['refresh'], message: `refresh applies to preseed plans; a ${raw.kind} plan runs whole each time` });
  if (raw.refresh && preseed && (raw.params as { mode?: string }).mode !== undefined)
    issues.push({ path: ['params', 'mode'], message: 'a plan with refresh sets the mode itself (refresh, older than the given age): leave params.mode out' });
  if (issues.length) return placed(issues);

  // Relative paths, made absolute against the plan's folder, field by field as the kind names them.
  const params = structuredClone(kindParams.data) as JobParams;
  const holder = { params } as Record<string, unknown>;
  for (const use of pathsOf({ kind: raw.kind, params } as Parameters<typeof pathsOf>[0])) setField(holder, use.field, resolvePlanPath(use.path, folder));
  return {
    plan: {
      name: raw.name,
      file,
      kind: raw.kind,
      params,
      priority: raw.priority,
      schedule,
      timezone: raw.timezone,
      refreshOlderThanMs: raw.refresh ? parseDuration(raw.refresh.olderThan) : null,
    },
  };
}
