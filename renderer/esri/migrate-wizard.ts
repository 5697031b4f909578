/**
 * What the Esri migration wizard shows, as pure functions of the contract's data: which layers to
 * preselect, the jobs.start input, each layer's progress and check from the job's items, and the
 * state of the source's circuit breaker from the job's events (`esri.unavailable` opens it with a
 * time of the next probe, `esri.available` closes it).
 */
import type { EsriService, JobEvent, JobItem, JobStartInput } from '../../shared/contract.js';

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
export function migrateStartInput(form: { service: EsriService; selected: readonly number[]; name: string; where: string; credentialId: string | null }): JobStartInput {
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
