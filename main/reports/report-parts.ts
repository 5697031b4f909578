/**
 * What the printable job reports (HTML and PDF) share, so the two only lay out: the extent of what
 * a job produced and its items' footprints, the report's content as display strings, and the
 * formatting of times, durations and bytes. Everything here is pure except `extentOf`, which reads
 * the job's tile cache. The map itself is report-map.ts.
 */
import { shownItemStates } from '../../shared/item-parts.js';
import { isUploadParam, uploadNames } from '../../shared/param-labels.js';
import { parseBounds } from '../tile-cache/cache-summary.js';
import { formatBytes, formatDuration, formatUnitRate } from '../../shared/format.js';
import { type ItemState, type JobState, unitOf } from '../../shared/contract.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import type { TileCacheReader } from '../tile-cache/tile-cache.js';
import { type Footprint, type JobOutputs, jobOutputs } from './job-outputs.js';
import { assertNever } from '../../shared/assert-never.js';
import type { Bounds } from './report-map.js';
import type { ReportData } from './report.js';

export { type Bounds, formatBounds, thumbnail, type Thumbnail } from './report-map.js';
export { formatBytes };

/** The area a job's output covers, or why it is not known, and where each item's work lies. */
export interface JobExtent {
  bounds: Bounds | null;
  /** Where the bounds come from ("declared by the output (mbtiles metadata)"), or why there are none. */
  note: string;
  /** Each item's footprint (WGS84), in item order. */
  footprints: Footprint[];
  /** What the job produced, in words ("the tile cache /a/b.mbtiles"). */
  produced: string;
}

/** Tiles a cache without declared bounds may be scanned for them: one zoom level, at most this many. */
const SCAN_LIMIT = 20_000;

/**
 * The extent of what a job produced (job-outputs.ts says what that is, per kind). A tile cache's
 * extent is the bounds it declares (MBTiles metadata, PMTiles header), else the tiles of its
 * deepest zoom level small enough to scan, else its items' footprints together; datasets' extent
 * is the catalogue's bounds of them. Never throws: an output that is gone or unreadable makes the
 * extent unknown (or the items' footprints), with the reason.
 */
export async function extentOf(data: Pick<ReportData, 'job' | 'items' | 'datasets'>): Promise<JobExtent> {
  const outputs = jobOutputs(data.job, data.items, data.datasets);
  const { footprints, produced } = outputs;
  if (outputs.cache === null) {
    return { bounds: outputs.bounds, note: outputs.bounds ? 'of the datasets it made' : outputs.unknownBecause, footprints, produced };
  }
  const found = await cacheExtent(outputs.cache);
  if (found.bounds === null && footprints.length > 0) {
    return { bounds: unionOf(footprints), note: `from its items' footprints (${found.note})`, footprints, produced };
  }
  return { ...found, footprints, produced };
}

async function cacheExtent(cache: NonNullable<JobOutputs['cache']>): Promise<Pick<JobExtent, 'bounds' | 'note'>> {
  let reader: TileCacheReader;
  try {
    reader = await openTileCache(cache.path);
  } catch (error) {
    return { bounds: null, note: `the ${cache.role} cannot be opened: ${messageOf(error)}` };
  }
  try {
    const declared = parseBounds(reader.metadata.bounds);
    if (declared) return { bounds: declared, note: `declared by the ${cache.role} (${reader.kind} ${reader.kind === 'pmtiles' ? 'header' : 'metadata'})` };
    return await scanTiles(reader, cache.role);
  } catch (error) {
    return { bounds: null, note: `the ${cache.role} cannot be read: ${messageOf(error)}` };
  } finally {
    await reader.close().catch(() => {});
  }
}

function unionOf(footprints: readonly Footprint[]): Bounds {
  const b = footprints.map((f) => f.bounds);
  return [Math.min(...b.map((v) => v[0])), Math.min(...b.map((v) => v[1])), Math.max(...b.map((v) => v[2])), Math.max(...b.map((v) => v[3]))];
}

/** Bounds from the min and max column and row of the deepest zoom level with at most SCAN_LIMIT tiles. */
async function scanTiles(reader: TileCacheReader, role: string): Promise<Pick<JobExtent, 'bounds' | 'note'>> {
  const level = [...(await reader.zoomLevels())].reverse().find((l) => l.count > 0 && l.count <= SCAN_LIMIT);
  if (!level) return { bounds: null, note: `the ${role} declares no bounds and has no zoom level small enough to scan` };
  const size = 2 ** level.z;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let after: { x: number; y: number } | null = null; ; ) {
    const batch = await reader.readBatch(level.z, after, 1000);
    const last = batch[batch.length - 1];
    if (!last) break;
    for (const t of batch) {
      if (t.x < 0 || t.y < 0 || t.x >= size || t.y >= size) continue; // outside the grid: no place on a map
      minX = Math.min(minX, t.x);
      maxX = Math.max(maxX, t.x);
      minY = Math.min(minY, t.y);
      maxY = Math.max(maxY, t.y);
    }
    after = { x: last.x, y: last.y };
  }
  if (minX === Infinity) return { bounds: null, note: `the ${role} declares no bounds and its tiles lie outside the grid` };
  return { bounds: tileRangeBounds(level.z, minX, minY, maxX, maxY), note: `derived from the tiles at z${level.z}` };
}

/** WGS84 bounds of XYZ tiles minX..maxX, minY..maxY at zoom z (Web Mercator grid). */
export function tileRangeBounds(z: number, minX: number, minY: number, maxX: number, maxY: number): Bounds {
  const size = 2 ** z;
  const lon = (x: number) => (x / size) * 360 - 180;
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / size))) * 180) / Math.PI;
  return [lon(minX), lat(maxY + 1), lon(maxX + 1), lat(minY)];
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** "2026-01-02 10:11:12" in UTC (the reports say so once); "—" when there is no time. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toISOString().slice(0, 19).replace('T', ' ');
}

/** Milliseconds from one ISO time to another; null when either is missing. */
export function durationMs(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

export { formatDuration };

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Nested params as dotted keys and display values: { a: { b: 1 } } → [["a.b", "1"]]. An upload
 * reference shows as the file's own name when `names` knows it (uploadNames, as the console does).
 */
export function flattenParams(value: unknown, prefix = '', names: ReadonlyMap<string, string> = new Map()): [key: string, value: string][] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix, '[]']];
    return value.flatMap((v, i) => flattenParams(v, `${prefix}[${i}]`, names));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return prefix === '' ? [] : [[prefix, '{}']];
    return entries.flatMap(([k, v]) => flattenParams(v, prefix === '' ? k : `${prefix}.${k}`, names));
  }
  if (typeof value === 'string') return [[prefix, isUploadParam(value) ? (names.get(value) ?? value) : value]];
  return [[prefix, JSON.stringify(value) ?? String(value)]];
}

/** The colour a state is shown in: the console's palette (green done, red failed, blue moving, amber interrupted). */
export function stateColour(state: JobState | ItemState): string {
  switch (state) {
    case 'succeeded':
      return '#2e7d32';
    case 'partial':
    case 'failed':
      return '#b3261e';
    case 'running':
    case 'cancelling':
      return '#2f6fb0';
    case 'interrupted':
      return '#a86b00';
    case 'queued':
    case 'cancelled':
      return '#6b7580';
    default:
      return assertNever(state);
  }
}

// ---------------------------------------------------------------------------------------------
// The content, as the reports show it

export interface ReportLimits {
  /** Tile issues listed (the rest are counted, and all are in the JSON report). */
  issues: number;
  /** Events listed from the start and from the end of the log; those between are counted. */
  eventsHead: number;
  eventsTail: number;
}

export interface TimelineRow {
  time: string;
  type: string;
  message: string;
}

/** Everything the printable reports show, as display strings; each report only lays it out. */
export interface ReportModel {
  jobId: number;
  name: string;
  kind: string;
  state: JobState;
  generatedAt: string;
  /** The job's own error (a failed plan, say), apart from its items' errors. */
  jobError: { code: string; message: string } | null;
  summary: [label: string, value: string][];
  params: [key: string, value: string][];
  /** What the job's progress counts, as a column heading ("Tiles", "Features", "Bytes"). */
  unitLabel: string;
  /** `state` as the item table shows it: a staged file whose layers failed is failed or partial (shared/item-parts.ts). */
  items: { label: string; state: ItemState | 'partial'; started: string; finished: string; duration: string; attempts: string; amount: string }[];
  itemErrors: { label: string; code: string; message: string }[];
  /** "3 corrupt, 1 empty", or "none". */
  issueCounts: string;
  issues: { tile: string; issue: string; item: string; detail: string }[];
  issuesLeftOut: number;
  timeline: { head: TimelineRow[]; leftOut: number; tail: TimelineRow[] };
  extent: JobExtent;
}

export function reportModel(data: ReportData, extent: JobExtent, limits: ReportLimits): ReportModel {
  const { job, items, events, tileIssues } = data;
  const p = job.progress;
  const unit = unitOf(job.kind);
  const unitLabel = unit[0]!.toUpperCase() + unit.slice(1);
  const amount = (n: number) => (unit === 'bytes' ? formatBytes(n) : formatCount(n));
  const end = job.finishedAt ?? (job.startedAt !== null ? data.generatedAt : null);
  const elapsed = durationMs(job.startedAt, end);
  const itemCounts = [
    `${formatCount(job.items.succeeded)} succeeded`,
    ...(job.items.partial > 0 ? [`${formatCount(job.items.partial)} partial`] : []),
    `${formatCount(job.items.failed)} failed`,
    `${formatCount(job.items.cancelled)} cancelled`,
    ...(job.items.running > 0 ? [`${formatCount(job.items.running)} running`] : []),
    ...(job.items.queued > 0 ? [`${formatCount(job.items.queued)} queued`] : []),
    ...(job.items.interrupted > 0 ? [`${formatCount(job.items.interrupted)} interrupted`] : []),
  ];
  const summary: [string, string][] = [
    ['Kind', job.kind],
    ['Output', extent.produced],
    ['Created', formatTime(job.createdAt)],
    ['Started', formatTime(job.startedAt)],
    ['Finished', formatTime(job.finishedAt)],
    ['Duration', job.finishedAt === null && elapsed !== null ? `${formatDuration(elapsed)} so far` : formatDuration(elapsed)],
    ['Items', `${itemCounts.join(', ')} (of ${formatCount(job.items.total)})`],
    [unitLabel, `${amount(p.done)} of ${amount(p.total)} done${p.failed > 0 || unit === 'tiles' ? `, ${amount(p.failed)} bad` : ''}`],
    ['Data', formatBytes(p.bytes)],
    ...(elapsed !== null && elapsed > 0 && p.done > 0 ? ([['Throughput', formatUnitRate(p.done / (elapsed / 1000), unit)]] as [string, string][]) : []),
    ['Tile issues', issueCounts(tileIssues)],
    ['Priority', String(job.priority)],
  ];
  const labels = new Map(items.map((i) => [i.id, i.label]));
  const shown = shownItemStates(items);
  const toRow = (e: ReportData['events'][number]): TimelineRow => ({ time: formatTime(e.at), type: e.type, message: e.message });
  const cut = events.length > limits.eventsHead + limits.eventsTail;
  return {
    jobId: job.id,
    name: job.name,
    kind: job.kind,
    state: job.state,
    generatedAt: formatTime(data.generatedAt),
    jobError: job.error ? { code: job.error.code, message: job.error.message } : null,
    summary,
    unitLabel,
    params: flattenParams(job.params, '', uploadNames(items)),
    items: items.map((i) => ({
      label: i.label,
      state: shown.get(i)!.state,
      started: formatTime(i.startedAt),
      finished: formatTime(i.finishedAt),
      duration: formatDuration(durationMs(i.startedAt, i.finishedAt)),
      attempts: String(i.attempts),
      amount: `${amount(i.done)} / ${amount(i.total)}${i.failed > 0 ? ` (${amount(i.failed)} bad)` : ''}`,
    })),
    itemErrors: items.filter((i) => i.error !== null).map((i) => ({ label: i.label, code: i.error!.code, message: i.error!.message })),
    issueCounts: issueCounts(tileIssues),
    issues: tileIssues
      .slice(0, limits.issues)
      .map((t) => ({ tile: `${t.z}/${t.x}/${t.y}`, issue: t.issue, item: labels.get(t.itemId) ?? `#${t.itemId}`, detail: t.detail })),
    issuesLeftOut: Math.max(0, tileIssues.length - limits.issues),
    timeline: cut
      ? {
          head: events.slice(0, limits.eventsHead).map(toRow),
          leftOut: events.length - limits.eventsHead - limits.eventsTail,
          tail: events.slice(events.length - limits.eventsTail).map(toRow),
        }
      : { head: events.map(toRow), leftOut: 0, tail: [] },
    extent,
  };
}

function issueCounts(issues: ReportData['tileIssues']): string {
  if (issues.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const t of issues) counts.set(t.issue, (counts.get(t.issue) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([issue, n]) => `${formatCount(n)} ${issue}`)
    .join(', ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { parseBounds };
