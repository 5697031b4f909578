/**
 * What the Esri migration wizard shows, as pure functions of the contract's data: which layers to
 * preselect, the jobs.start input, each layer's progress and check from the job's items, and the
 * state of the source's circuit breaker from the job's events (`esri.unavailable` opens it with a
 * time of the next probe, `esri.available` closes it).
 */
import { type EsriService, type JobEvent, type JobItem, JobStartInput, requests } from '../../shared/contract.js';
import { type FieldErrors, errorsFromIssues, fieldOf } from '../forms/field-errors.js';

export type CredentialChoice = 'none' | 'token' | 'password';

/** The layer id a pasted URL points at (`…/FeatureServer/3`, `…/MapServer/3/query`), if any. */
export function layerIdInUrl(url: string): number | null {
  const m = /\/(?:FeatureServer|MapServer)\/(\d+)(?:\/|\?|#|$)/i.exec(url);
  return m ? Number(m[1]) : null;
}

/** Preselected layers: the one the URL names, else every layer the server could describe. */
export function defaultSelection(service: EsriService, pastedUrl: string): number[] {
  const named = layerIdInUrl(pastedUrl);
  if (named !== null && service.layers.some((l) => l.id === named)) return [named];
  return service.layers.filter((l) => l.error === null).map((l) => l.id);
}

/** A dataset name from the service's name (`Hydro/Rivers` → `Rivers`). */
export function defaultName(service: EsriService): string {
  return service.name.split('/').pop() || 'esri';
}

export function totalFeatures(service: EsriService, selected: readonly number[]): number | null {
  let sum = 0;
  for (const l of service.layers) {
    if (!selected.includes(l.id)) continue;
    if (l.count === null) return null;
    sum += l.count;
  }
  return sum;
}

/** The job to start. Every layer selected is the same as none given, but explicit is clearer. */
export function migrateStartInput(form: {
  service: EsriService;
  selected: readonly number[];
  name: string;
  where: string;
  credentialId: string | null;
}): JobStartInput {
  const layers = [...form.selected].sort((a, b) => a - b);
  return {
    kind: 'migrate-esri',
    params: {
      url: form.service.url,
      name: form.name.trim(),
      ...(layers.length > 0 && { layers }),
      ...(form.where.trim() !== '' && { where: form.where.trim() }),
      ...(form.credentialId !== null && { credentialId: form.credentialId }),
    },
  };
}

export interface BreakerView {
  state: 'closed' | 'open';
  host: string | null;
  /** When the next probe is due (ISO), while open. */
  retryAt: string | null;
  message: string | null;
}

/** The breaker's state after the job's events so far (newest wins). */
export function breakerFromEvents(events: readonly JobEvent[]): BreakerView {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'esri.unavailable') return { state: 'open', host: stringOr(e.data?.host), retryAt: stringOr(e.data?.retryAt), message: e.message };
    if (e.type === 'esri.available') return { state: 'closed', host: stringOr(e.data?.host), retryAt: null, message: e.message };
  }
  return { state: 'closed', host: null, retryAt: null, message: null };
}

export interface LayerRow {
  label: string;
  state: JobItem['state'];
  done: number;
  total: number;
  /** The kind's result, once the layer finished. */
  sourceCount: number | null;
  written: number | null;
  idsChecked: boolean | null;
  mode: string | null;
  pages: number | null;
  retries: number | null;
  breakerOpenings: number | null;
  error: string | null;
}

export function layerRows(items: readonly JobItem[]): LayerRow[] {
  return items.map((i) => {
    const r = i.result ?? {};
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return {
      label: i.label,
      state: i.state,
      done: i.done,
      total: i.total,
      sourceCount: num(r.sourceCount),
      written: num(r.written),
      idsChecked: typeof r.idsChecked === 'boolean' ? r.idsChecked : null,
      mode: typeof r.mode === 'string' ? r.mode : null,
      pages: num(r.pages),
      retries: num(r.retries),
      breakerOpenings: num(r.breakerOpenings),
      error: i.error ? `${i.error.code}: ${i.error.message}` : null,
    };
  });
}

/** "1,234 of 4,556" (or "1,234" while the total is unknown). */
export function doneOf(done: number, total: number): string {
  return total > 0 ? `${done.toLocaleString('en')} of ${total.toLocaleString('en')}` : done.toLocaleString('en');
}

function stringOr(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

type Issue = { code: string; path: readonly PropertyKey[]; message: string };

/** An issue of the contract's in the wizard's words; the schema's own message, capitalised, for the rest. */
function sayIssue(issue: Issue): string {
  if (issue.code === 'invalid_format') return 'Enter the server’s http or https address';
  if (issue.code === 'too_small') return 'Required';
  return issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
}

/** The contract's verdict on a typed service URL (esri.discover's), by field; nothing while it is empty. */
export function serviceUrlErrors(url: string): FieldErrors {
  if (url.trim() === '') return {};
  const result = requests['esri.discover'].input.safeParse({ url: url.trim() });
  return result.success ? {} : errorsFromIssues(result.error.issues, (issue) => ({ field: fieldOf(issue.path), message: sayIssue(issue) }));
}

/** The contract's verdict on the migration to start (jobs.start's), by field ("params.name", "params.where"). */
export function startErrors(input: JobStartInput): FieldErrors {
  const result = JobStartInput.safeParse(input);
  return result.success ? {} : errorsFromIssues(result.error.issues, (issue) => ({ field: fieldOf(issue.path), message: sayIssue(issue) }));
}
