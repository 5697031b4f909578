/**
 * What the printable job reports (HTML and PDF) share, so the two only lay out: the extent a job
 * covers, the thumbnail map of it projected into a box, the report's content as display strings,
 * and the formatting of times, durations and bytes. Everything here is pure except `extentOf`,
 * which reads the job's tile cache.
 */
import type { ItemState, JobState } from '../../preload/contract.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import type { TileCacheReader } from '../tile-cache/tile-cache.js';
import { assertNever } from './job-states.js';
import type { ReportData } from './report.js';
import { LAND_RINGS_E2 } from './world-land.js';

/** West, south, east, north in degrees (WGS84); east < west crosses the antimeridian. */
export type Bounds = [west: number, south: number, east: number, north: number];

/** The area a job covers, or why it is not known. */
export interface JobExtent {
  bounds: Bounds | null;
  /** Where the bounds come from ("declared by the cache"), or why there are none. */
  note: string;
}

/** Tiles a cache without declared bounds may be scanned for them: one zoom level, at most this many. */
const SCAN_LIMIT = 20_000;

/**
 * The extent of a job's tile cache (`params.cache`): the bounds the cache declares (MBTiles
 * metadata, PMTiles header), else the tiles of its deepest zoom level small enough to scan.
 * Never throws: a cache that is gone or unreadable makes the extent unknown, with the reason.
 */
export async function extentOf(data: Pick<ReportData, 'job'>): Promise<JobExtent> {
  const cache = (data.job.params as Record<string, unknown>).cache;
  if (typeof cache !== 'string' || cache === '') return { bounds: null, note: 'the job names no tile cache' };
  let reader: TileCacheReader;
  try {
    reader = await openTileCache(cache);
  } catch (error) {
    return { bounds: null, note: `the cache cannot be opened: ${messageOf(error)}` };
  }
  try {
    const declared = parseBounds(reader.metadata.bounds);
    if (declared) return { bounds: declared, note: `declared by the cache (${reader.kind} ${reader.kind === 'pmtiles' ? 'header' : 'metadata'})` };
    return await scanTiles(reader);
  } catch (error) {
    return { bounds: null, note: `the cache cannot be read: ${messageOf(error)}` };
  } finally {
    await reader.close().catch(() => {});
  }
}

/** Bounds from the min and max column and row of the deepest zoom level with at most SCAN_LIMIT tiles. */
async function scanTiles(reader: TileCacheReader): Promise<JobExtent> {
  const level = [...(await reader.zoomLevels())].reverse().find((l) => l.count > 0 && l.count <= SCAN_LIMIT);
  if (!level) return { bounds: null, note: 'the cache declares no bounds and has no zoom level small enough to scan' };
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
  if (minX === Infinity) return { bounds: null, note: 'the cache declares no bounds and its tiles lie outside the grid' };
  return { bounds: tileRangeBounds(level.z, minX, minY, maxX, maxY), note: `derived from the tiles at z${level.z}` };
}

/** Bounds of an MBTiles-style "w,s,e,n" string; null when absent, malformed or empty. */
export function parseBounds(text: string | undefined): Bounds | null {
  if (text === undefined) return null;
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p))) return null;
  const [w, s, e, n] = parts as [number, number, number, number];
  if (Math.abs(w) > 180 || Math.abs(e) > 180 || s < -90 || n > 90 || s >= n || w === e) return null;
  return [w, s, e, n];
}

/** WGS84 bounds of XYZ tiles minX..maxX, minY..maxY at zoom z (Web Mercator grid). */
export function tileRangeBounds(z: number, minX: number, minY: number, maxX: number, maxY: number): Bounds {
  const size = 2 ** z;
  const lon = (x: number) => (x / size) * 360 - 180;
  const lat = (y: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / size))) * 180) / Math.PI;
  return [lon(minX), lat(maxY + 1), lon(maxX + 1), lat(minY)];
}

// ---------------------------------------------------------------------------------------------
// The thumbnail map

export interface Thumbnail {
  width: number;
  height: number;
  /** The part of the world the box shows. */
  view: Bounds;
  /** Land in box coordinates (x right, y down), each ring flat [x0, y0, x1, y1, …], clipped to the box; fill even-odd. */
  land: number[][];
  /** Graticule: vertical lines at x (meridians) and horizontal lines at y (parallels), with labels. */
  meridians: { x: number; label: string }[];
  parallels: { y: number; label: string }[];
  /** The extent's rectangle in box coordinates. */
  extent: { x: number; y: number; width: number; height: number };
  /** A ring around the extent when its rectangle is too small to see; null otherwise. */
  marker: { x: number; y: number; r: number } | null;
}

export interface ThumbnailOptions {
  /** Room around the extent on each side, as a fraction of its size (0.6: the extent is about 45% of the box). */
  margin?: number;
  /** The least height shown, in degrees of latitude, so a small extent still has recognisable land around it (6). */
  minSpan?: number;
}

/**
 * Projects the land and an extent into a width × height box: equirectangular, true to scale at
 * the extent's middle latitude, centred on the extent with a margin (moved off a pole rather than
 * show beyond it); land across the antimeridian is drawn on whichever side the view reaches.
 */
export function thumbnail(bounds: Bounds, width: number, height: number, options: ThumbnailOptions = {}): Thumbnail {
  const margin = options.margin ?? 0.6;
  const minSpan = options.minSpan ?? 6;
  const [w, s, rawEast, n] = bounds;
  const e = rawEast < w ? rawEast + 360 : rawEast; // across the antimeridian: unwrap east of 180°
  // x = lon · k, y = lat: true to scale at the extent's middle latitude.
  const kTrue = Math.max(0.05, Math.cos((((s + n) / 2) * Math.PI) / 180));
  const latNeeded = Math.min(180, Math.max((n - s) * (1 + 2 * margin), minSpan));
  let k = kTrue;
  let lonSpan = (e - w) * (1 + 2 * margin);
  let latSpan = latNeeded;
  if ((lonSpan * k) / latSpan < width / height) lonSpan = (latSpan * width) / height / k;
  else latSpan = (lonSpan * k * height) / width;
  if (lonSpan > 360) {
    // All the way round (a world or polar extent): 360° across the box, squeezed from true
    // scale only as much as the latitudes needed take; beyond a pole is left empty.
    lonSpan = 360;
    k = Math.max(kTrue, (latNeeded * width) / (360 * height));
    latSpan = (360 * k * height) / width;
  }
  const scale = width / (lonSpan * k);
  const halfLon = lonSpan / 2;
  const halfLat = latSpan / 2;
  const cx = (w + e) / 2;
  const cy = halfLat >= 90 ? 0 : Math.min(90 - halfLat, Math.max(-90 + halfLat, (s + n) / 2));
  const px = (lon: number) => round1(width / 2 + (lon - cx) * k * scale);
  const py = (lat: number) => round1(height / 2 - (lat - cy) * scale);
  const view: Bounds = [cx - halfLon, cy - halfLat, cx + halfLon, cy + halfLat];

  const land: number[][] = [];
  for (const ring of landRings()) {
    // Land east of 180° is drawn again, shifted, when the view reaches past the antimeridian.
    for (const shift of [0, 360, -360]) {
      if (ring.e + shift < view[0] || ring.w + shift > view[2] || ring.n < view[1] || ring.s > view[3]) continue;
      const projected = new Array<number>(ring.coords.length);
      for (let i = 0; i < ring.coords.length; i += 2) {
        projected[i] = px(ring.coords[i]! + shift);
        projected[i + 1] = py(ring.coords[i + 1]!);
      }
      const clipped = decimate(clipRing(projected, -2, -2, width + 2, height + 2), 0.5);
      if (clipped.length >= 6) land.push(clipped);
    }
  }

  const meridians: Thumbnail['meridians'] = [];
  const lonStep = graticuleStep(lonSpan, 6);
  // Counted in whole steps, so 0.1° steps do not drift by float error.
  for (let i = Math.ceil(view[0] / lonStep); i * lonStep <= view[2]; i++) {
    const x = px(i * lonStep);
    if (x > 0.5 && x < width - 0.5) meridians.push({ x, label: lonLabel(i * lonStep) });
  }
  const parallels: Thumbnail['parallels'] = [];
  const latStep = graticuleStep(Math.min(latSpan, 180), 5);
  for (let i = Math.ceil(Math.max(-90, view[1]) / latStep); i * latStep <= Math.min(90, view[3]); i++) {
    const y = py(i * latStep);
    if (y > 0.5 && y < height - 0.5) parallels.push({ y, label: latLabel(i * latStep) });
  }

  const extent = { x: px(w), y: py(n), width: round1((e - w) * k * scale), height: round1((n - s) * scale) };
  const small = extent.width < 6 || extent.height < 6;
  const marker = small ? { x: round1(extent.x + extent.width / 2), y: round1(extent.y + extent.height / 2), r: 9 } : null;
  return { width, height, view, land, meridians, parallels, extent, marker };
}

interface LandRing {
  coords: Float64Array;
  w: number;
  s: number;
  e: number;
  n: number;
}

let decodedLand: LandRing[] | undefined;

/** The land rings in degrees, decoded from world-land.ts once and kept. */
function landRings(): LandRing[] {
  if (decodedLand) return decodedLand;
  decodedLand = LAND_RINGS_E2.map((encoded) => {
    const coords = new Float64Array(encoded.length);
    let x = 0;
    let y = 0;
    let w = Infinity;
    let s = Infinity;
    let e = -Infinity;
    let n = -Infinity;
    for (let i = 0; i < encoded.length; i += 2) {
      x += encoded[i]!;
      y += encoded[i + 1]!;
      const lon = x / 100;
      const lat = y / 100;
      coords[i] = lon;
      coords[i + 1] = lat;
      w = Math.min(w, lon);
      e = Math.max(e, lon);
      s = Math.min(s, lat);
      n = Math.max(n, lat);
    }
    return { coords, w, s, e, n };
  });
  return decodedLand;
}

/** Sutherland–Hodgman: a flat ring clipped to a rectangle (edges along it stay outside the visible box). */
function clipRing(ring: number[], x0: number, y0: number, x1: number, y1: number): number[] {
  const edges: [inside: (x: number, y: number) => boolean, cut: (ax: number, ay: number, bx: number, by: number) => [number, number]][] = [
    [(x) => x >= x0, (ax, ay, bx, by) => [x0, ay + ((by - ay) * (x0 - ax)) / (bx - ax)]],
    [(x) => x <= x1, (ax, ay, bx, by) => [x1, ay + ((by - ay) * (x1 - ax)) / (bx - ax)]],
    [(_, y) => y >= y0, (ax, ay, bx, by) => [ax + ((bx - ax) * (y0 - ay)) / (by - ay), y0]],
    [(_, y) => y <= y1, (ax, ay, bx, by) => [ax + ((bx - ax) * (y1 - ay)) / (by - ay), y1]],
  ];
  let points = ring;
  for (const [inside, cut] of edges) {
    if (points.length === 0) break;
    const out: number[] = [];
    let ax = points[points.length - 2]!;
    let ay = points[points.length - 1]!;
    let aIn = inside(ax, ay);
    for (let i = 0; i < points.length; i += 2) {
      const bx = points[i]!;
      const by = points[i + 1]!;
      const bIn = inside(bx, by);
      if (bIn !== aIn) out.push(...cut(ax, ay, bx, by).map(round1));
      if (bIn) out.push(bx, by);
      ax = bx;
      ay = by;
      aIn = bIn;
    }
    points = out;
  }
  return points;
}

/** Drops points closer than `tolerance` box units to the last one kept: detail finer than the output can show. */
function decimate(ring: number[], tolerance: number): number[] {
  if (ring.length < 6) return ring;
  const out = [ring[0]!, ring[1]!];
  for (let i = 2; i < ring.length; i += 2) {
    const x = ring[i]!;
    const y = ring[i + 1]!;
    if (Math.abs(x - out[out.length - 2]!) >= tolerance || Math.abs(y - out[out.length - 1]!) >= tolerance) out.push(x, y);
  }
  return out;
}

/** The smallest round graticule interval giving at most `lines` lines across `span` degrees. */
function graticuleStep(span: number, lines: number): number {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 45, 60];
  return steps.find((step) => span / step <= lines) ?? 90;
}

function lonLabel(lon: number): string {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  const v = Math.abs(roundTo(wrapped, 4));
  return v === 0 || v === 180 ? `${v}°` : `${v}°${wrapped < 0 ? 'W' : 'E'}`;
}

function latLabel(lat: number): string {
  const v = Math.abs(roundTo(lat, 4));
  return v === 0 ? '0°' : `${v}°${lat < 0 ? 'S' : 'N'}`;
}

/** "11.00°E – 12.00°E, 57.00°N – 58.00°N": an extent as words, for captions. */
export function formatBounds([w, s, e, n]: Bounds): string {
  const lon = (v: number) => `${Math.abs(v).toFixed(2)}°${v < 0 ? 'W' : 'E'}`;
  const lat = (v: number) => `${Math.abs(v).toFixed(2)}°${v < 0 ? 'S' : 'N'}`;
  return `${lon(w)} – ${lon(e)}, ${lat(s)} – ${lat(n)}`;
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

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 04 h"; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const pad = (v: number) => String(v).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86_400)} d ${pad(Math.floor((s % 86_400) / 3600))} h`;
}

/** "512 B", "1.5 KB", "23.4 MB" (powers of 1024, as the settings count them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Nested params as dotted keys and display values: { a: { b: 1 } } → [["a.b", "1"]]. */
export function flattenParams(value: unknown, prefix = ''): [key: string, value: string][] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [[prefix, '[]']];
    return value.flatMap((v, i) => flattenParams(v, `${prefix}[${i}]`));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return prefix === '' ? [] : [[prefix, '{}']];
    return entries.flatMap(([k, v]) => flattenParams(v, prefix === '' ? k : `${prefix}.${k}`));
  }
  return [[prefix, typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)]];
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
  items: { label: string; state: ItemState; started: string; finished: string; duration: string; attempts: string; tiles: string }[];
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
  const end = job.finishedAt ?? (job.startedAt !== null ? data.generatedAt : null);
  const elapsed = durationMs(job.startedAt, end);
  const itemCounts = [
    `${formatCount(job.items.succeeded)} succeeded`,
    `${formatCount(job.items.failed)} failed`,
    `${formatCount(job.items.cancelled)} cancelled`,
    ...(job.items.running > 0 ? [`${formatCount(job.items.running)} running`] : []),
    ...(job.items.queued > 0 ? [`${formatCount(job.items.queued)} queued`] : []),
  ];
  const summary: [string, string][] = [
    ['Kind', job.kind],
    ['Created', formatTime(job.createdAt)],
    ['Started', formatTime(job.startedAt)],
    ['Finished', formatTime(job.finishedAt)],
    ['Duration', job.finishedAt === null && elapsed !== null ? `${formatDuration(elapsed)} so far` : formatDuration(elapsed)],
    ['Items', `${itemCounts.join(', ')} (of ${formatCount(job.items.total)})`],
    ['Tiles', `${formatCount(p.done)} of ${formatCount(p.total)} done, ${formatCount(p.failed)} bad`],
    ['Data', formatBytes(p.bytes)],
    ...(elapsed !== null && elapsed > 0 && p.done > 0 ? ([['Throughput', `${formatCount(Math.round(p.done / (elapsed / 1000)))} tiles/s`]] as [string, string][]) : []),
    ['Tile issues', issueCounts(tileIssues)],
    ['Priority', String(job.priority)],
  ];
  const labels = new Map(items.map((i) => [i.id, i.label]));
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
    params: flattenParams(job.params),
    items: items.map((i) => ({
      label: i.label,
      state: i.state,
      started: formatTime(i.startedAt),
      finished: formatTime(i.finishedAt),
      duration: formatDuration(durationMs(i.startedAt, i.finishedAt)),
      attempts: String(i.attempts),
      tiles: `${formatCount(i.done)} / ${formatCount(i.total)}${i.failed > 0 ? ` (${formatCount(i.failed)} bad)` : ''}`,
    })),
    itemErrors: items.filter((i) => i.error !== null).map((i) => ({ label: i.label, code: i.error!.code, message: i.error!.message })),
    issueCounts: issueCounts(tileIssues),
    issues: tileIssues.slice(0, limits.issues).map((t) => ({ tile: `${t.z}/${t.x}/${t.y}`, issue: t.issue, item: labels.get(t.itemId) ?? `#${t.itemId}`, detail: t.detail })),
    issuesLeftOut: Math.max(0, tileIssues.length - limits.issues),
    timeline: cut
      ? { head: events.slice(0, limits.eventsHead).map(toRow), leftOut: events.length - limits.eventsHead - limits.eventsTail, tail: events.slice(events.length - limits.eventsTail).map(toRow) }
      : { head: events.map(toRow), leftOut: 0, tail: [] },
    extent,
  };
}

function issueCounts(issues: ReportData['tileIssues']): string {
  if (issues.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const t of issues) counts.set(t.issue, (counts.get(t.issue) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([issue, n]) => `${formatCount(n)} ${issue}`).join(', ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function roundTo(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
