/**
 * The shapes of jobs as the contract carries them: summaries (tagged by kind), items, events, tile
 * issues, pages, the queue, health, a dry run's estimate, reports and bulk results.
 */
import type { SerializedError } from './errors.js';
import type { ItemCounts } from './item-parts.js';
import type { Bbox } from './kinds/fields.js';
import type { JobKind, KindedParams } from './kinds/index.js';
import type { ItemState, JobState } from './job-states.js';

export interface JobProgress {
  jobId: number;
  /** Units (tiles, features, bytes of a file…) done, out of total; failed units are also done. */
  done: number;
  total: number;
  failed: number;
  bytes: number;
  /**
   * Units the plan counted that the job found it need not make (a preseed's empty or fully
   * transparent tiles): they are taken off `total` as they are found, so a finished job ends with
   * done = total, and the screens say "skipped N empty" beside it.
   */
  skipped: number;
  /** Units per second over the last few seconds; 0 when unknown. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}

interface JobSummaryFields {
  id: number;
  name: string;
  state: JobState;
  priority: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /**
   * Seconds spent running, over every attempt: a retry's wait and the time an engine was down are
   * not counted, so it is what "ran" and "took" show (startedAt is the first start).
   */
  runSeconds: number;
  /** Items by the state their rows show (shared/item-parts.ts: a staged file whose layers failed is not counted as succeeded). */
  items: ItemCounts;
  progress: JobProgress;
  error: SerializedError | null;
}

/** A job as every consumer sees it: its `kind` narrows its `params`. */
export type JobSummary = JobSummaryFields & KindedParams;

export interface JobItem {
  id: number;
  jobId: number;
  ordinal: number;
  label: string;
  state: ItemState;
  attempts: number;
  done: number;
  total: number;
  failed: number;
  bytes: number;
  /** As JobProgress.skipped, for this item. */
  skipped: number;
  error: SerializedError | null;
  /** What the kind reports about a finished item (e.g. verify's counts of empty and oversized tiles). */
  result: Record<string, unknown> | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobEvent {
  id: number;
  jobId: number;
  at: string;
  type: string;
  message: string;
  data: Record<string, unknown> | null;
}

/** A tile the job found or left wrong, kept so operators can act on the exact list. */
export interface TileIssue {
  itemId: number;
  z: number;
  x: number;
  y: number;
  issue: 'corrupt' | 'empty' | 'oversized' | 'failed';
  detail: string;
}

export interface Page<T> {
  rows: T[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface QueueState {
  paused: boolean;
  queued: number;
  running: number;
  maxRunning: number;
}

export interface HealthCheck {
  name: string;
  state: 'ok' | 'failed' | 'disabled';
  message: string;
  checkedAt: string;
}

/**
 * A dry run of a job: what it would make and need, before it starts (jobs.estimate). jobs.start
 * refuses a job whose estimate does not fit (QUOTA_EXCEEDED, DISK_FULL) with these numbers.
 */
export interface JobEstimate {
  kind: JobKind;
  /**
   * One per dataset or source: its extent and tile count, or why it cannot be used. A raster's
   * `nativeZoom` is the fractional Web Mercator zoom (at the job's tile size) whose ground
   * resolution matches its pixels at its centre: deeper zooms only upsample it. Absent for vector
   * sources; null when GDAL cannot place the centre pixel.
   */
  datasets: { path: string; bounds: Bbox | null; tiles: number; error: SerializedError | null; nativeZoom?: number | null }[];
  /** Tiles per zoom level over the real extent (datasets ∩ bbox ∩ coverage), all datasets together. */
  zooms: { z: number; tiles: number }[];
  totalTiles: number;
  /**
   * True when totalTiles counts every tile of the extent but the job may make fewer: a vector
   * preseed skips empty tiles, a raster preseed fully transparent ones (they end as `skipped`).
   */
  tilesUpperBound: boolean;
  /**
   * Measured on a sample of real tiles drawn across the zoom range and the extent; null when no
   * sample could be made. `tiles` is how many were cut or rendered, `zooms` which levels they were
   * at; bytes and seconds are per tile of the plan (empty ones included), so that a zoom's tiles
   * times bytesPerTile add up to estimatedBytes.
   */
  sample: { tiles: number; zooms: number[]; bytesPerTile: number; secondsPerTile: number } | null;
  estimatedBytes: number | null;
  estimatedSeconds: number | null;
  /**
   * What the sample allows, low to high (the spread between its parts, widened for what a sample
   * cannot see): tiles the job is likely to make, its bytes and seconds. Null without a sample.
   */
  range: { tiles: [number, number]; bytes: [number, number]; seconds: [number, number] } | null;
  storage: {
    output: string;
    freeBytes: number;
    floorBytes: number;
    quotaBytes: number | null;
    quotaUsedBytes: number;
    /** Why the job would not fit; null when it fits (or nothing is known against it). */
    problem: SerializedError | null;
  };
}

export type ReportFormat = 'json' | 'csv' | 'html' | 'pdf';

export interface ReportFile {
  fileName: string;
  mimeType: string;
  /** Text for json, csv and html; base64 for pdf. */
  encoding: 'utf8' | 'base64';
  content: string;
}

export interface BulkResult {
  ok: number[];
  failed: { id: number; error: SerializedError }[];
}
