/**
 * The settings form's model: the engine's Settings as the text of form fields, and back as a
 * patch of only what changed, checked with the contract's own schema for settings.update, so the
 * form refuses exactly what the engine would, with each message next to its field.
 */
import type { z } from 'zod';
import { JOB_KINDS, type JobKind, type Settings, requests } from '../../shared/contract.js';
import { type FieldErrors, errorsFromIssues, fieldOf } from '../forms/field-errors.js';
import { BYTE_UNITS, type ByteUnit, bytesToInput, unitFor } from '../storage/bytes.js';

/** What settings.update takes. */
export type SettingsPatch = z.input<(typeof requests)['settings.update']['input']>;

/** The form's fields as typed: text for numbers, so a half-typed value is kept as it is. */
export interface SettingsForm {
  maxRunningJobs: string;
  /** Empty: no limit of its own for the kind (the overall limit applies). */
  perKind: Record<JobKind, string>;
  quotaOn: boolean;
  quota: string;
  quotaUnit: ByteUnit;
  floor: string;
  floorUnit: ByteUnit;
  /** A per-job ingest quota (ingestJobQuotaBytes) or none. */
  ingestQuotaOn: boolean;
  ingestQuota: string;
  ingestQuotaUnit: ByteUnit;
  retentionOn: boolean;
  retentionDays: string;
  metricsEnabled: boolean;
  /** Extra data roots, one absolute folder per line (the data directory is always one). */
  dataRoots: string;
  allowGdalVirtualPaths: boolean;
  /** Plan sources kept reconciled (folders or git URLs), one per line. */
  planSources: string;
  /** The task queue's URL (scale-out); empty: the engine's own threads. */
  queue: string;
}

const DEFAULT_QUOTA_GIB = '100';
const DEFAULT_INGEST_QUOTA_GIB = '10';
const DEFAULT_RETENTION_DAYS = '90';

/** The form showing `s`, each size in the unit it reads best in. */
export function formFromSettings(s: Settings): SettingsForm {
  const quotaUnit = s.cacheQuotaBytes === null ? 'GiB' : unitFor(s.cacheQuotaBytes);
  const floorUnit = unitFor(s.freeSpaceFloorBytes);
  const ingestQuotaUnit = s.ingestJobQuotaBytes === null ? 'GiB' : unitFor(s.ingestJobQuotaBytes);
  return {
    maxRunningJobs: String(s.maxRunningJobs),
    perKind: Object.fromEntries(JOB_KINDS.map((k) => [k, s.maxRunningPerKind[k] === undefined ? '' : String(s.maxRunningPerKind[k])])) as Record<
      JobKind,
      string
    >,
    quotaOn: s.cacheQuotaBytes !== null,
    quota: s.cacheQuotaBytes === null ? DEFAULT_QUOTA_GIB : bytesToInput(s.cacheQuotaBytes, quotaUnit),
    quotaUnit,
    floor: bytesToInput(s.freeSpaceFloorBytes, floorUnit),
    floorUnit,
    ingestQuotaOn: s.ingestJobQuotaBytes !== null,
    ingestQuota: s.ingestJobQuotaBytes === null ? DEFAULT_INGEST_QUOTA_GIB : bytesToInput(s.ingestJobQuotaBytes, ingestQuotaUnit),
    ingestQuotaUnit,
    retentionOn: s.retentionDays !== null,
    retentionDays: s.retentionDays === null ? DEFAULT_RETENTION_DAYS : String(s.retentionDays),
    metricsEnabled: s.metricsEnabled,
    dataRoots: (s.dataRoots ?? []).join('\n'),
    allowGdalVirtualPaths: s.allowGdalVirtualPaths ?? false,
    planSources: (s.planSources ?? []).join('\n'),
    queue: s.queue ?? '',
  };
}

/** The data roots (or plan sources) typed in the form: one per line, blank lines and surrounding spaces dropped. */
export function rootsOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A field's text as a number: NaN when it is empty or not a number, which the schema then refuses. */
function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function bytes(text: string, unit: ByteUnit): number {
  return Math.round(num(text) * BYTE_UNITS[unit]);
}

/** Whether two typed sizes are the same bytes (500 GiB and 512000 MiB are: a unit switch alone changes nothing). */
function sameSize(a: string, aUnit: ByteUnit, b: string, bUnit: ByteUnit): boolean {
  if (a === b && aUnit === bUnit) return true;
  const x = bytes(a, aUnit);
  if (Number.isNaN(x)) return false;
  // The loaded size shown rounded in another unit (500 MiB as 0.488 GiB) is still that size.
  return x === bytes(b, bUnit) || (a.trim() !== '' && bytesToInput(bytes(b, bUnit), aUnit) === String(Number(a)));
}

/**
 * The patch for settings.update: only the settings whose fields differ from `base` (the form as
 * loaded), so a save never overwrites what nobody touched.
 */
export function patchFromForm(form: SettingsForm, base: SettingsForm): SettingsPatch {
  const patch: SettingsPatch = {};
  if (form.maxRunningJobs !== base.maxRunningJobs) patch.maxRunningJobs = num(form.maxRunningJobs);
  if (JOB_KINDS.some((k) => form.perKind[k].trim() !== base.perKind[k].trim())) {
    const perKind: Partial<Record<JobKind, number>> = {};
    for (const k of JOB_KINDS) if (form.perKind[k].trim() !== '') perKind[k] = num(form.perKind[k]);
    patch.maxRunningPerKind = perKind;
  }
  if (form.quotaOn !== base.quotaOn || (form.quotaOn && !sameSize(form.quota, form.quotaUnit, base.quota, base.quotaUnit))) {
    patch.cacheQuotaBytes = form.quotaOn ? bytes(form.quota, form.quotaUnit) : null;
  }
  if (!sameSize(form.floor, form.floorUnit, base.floor, base.floorUnit)) patch.freeSpaceFloorBytes = bytes(form.floor, form.floorUnit);
  if (
    form.ingestQuotaOn !== base.ingestQuotaOn ||
    (form.ingestQuotaOn && !sameSize(form.ingestQuota, form.ingestQuotaUnit, base.ingestQuota, base.ingestQuotaUnit))
  ) {
    patch.ingestJobQuotaBytes = form.ingestQuotaOn ? bytes(form.ingestQuota, form.ingestQuotaUnit) : null;
  }
  if (form.retentionOn !== base.retentionOn || (form.retentionOn && form.retentionDays !== base.retentionDays)) {
    patch.retentionDays = form.retentionOn ? num(form.retentionDays) : null;
  }
  if (form.metricsEnabled !== base.metricsEnabled) patch.metricsEnabled = form.metricsEnabled;
  const roots = rootsOf(form.dataRoots);
  if (roots.join('\n') !== rootsOf(base.dataRoots).join('\n')) patch.dataRoots = roots;
  if (form.allowGdalVirtualPaths !== base.allowGdalVirtualPaths) patch.allowGdalVirtualPaths = form.allowGdalVirtualPaths;
  const sources = rootsOf(form.planSources);
  if (sources.join('\n') !== rootsOf(base.planSources).join('\n')) patch.planSources = sources;
  if (form.queue.trim() !== base.queue.trim()) patch.queue = form.queue.trim() || null;
  return patch;
}

type Issue = z.core.$ZodIssue;

/** The schema's issue in an operator's words; the schema's own message for anything else. */
function sayIssue(issue: Issue, field: string): string {
  const isBytes = field === 'cacheQuotaBytes' || field === 'freeSpaceFloorBytes' || field === 'ingestJobQuotaBytes';
  switch (issue.code) {
    case 'too_small':
      if (isBytes) return issue.inclusive ? 'Must not be negative' : 'Must be more than 0';
      return issue.inclusive ? `Must be at least ${issue.minimum}` : `Must be more than ${issue.minimum}`;
    case 'too_big':
      if (isBytes) return 'Too large';
      return issue.inclusive ? `Must be at most ${issue.maximum}` : `Must be less than ${issue.maximum}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'Must be a whole number' : issue.expected === 'number' ? 'Enter a number' : issue.message;
    default:
      return issue.message;
  }
}

/** Checks `patch` with the contract's settings.update schema; the errors by field, empty when it passes. */
export function validatePatch(patch: SettingsPatch): FieldErrors {
  const result = requests['settings.update'].input.safeParse(patch);
  if (result.success) return {};
  return errorsFromIssues(result.error.issues, (issue) => {
    const field = fieldOf(issue.path);
    return { field, message: sayIssue(issue, field) };
  });
}
