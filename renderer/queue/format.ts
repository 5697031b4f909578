/**
 * How the queue shows numbers and times: rates, ETAs, durations and dates, short enough for a
 * table cell. Pure, so the edge cases (unknown ETA, sub-second runs) are tested directly.
 */

/** Units per second: "1,234/s", "0.5/s", bytes as "3.1 MiB/s"; an empty string when unknown. */
export function formatRate(rate: number, unit?: ProgressUnit): string {
  if (!(rate > 0)) return '';
  if (unit === 'bytes') return formatUnitRate(rate, unit);
  return `${rate >= 10 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1)}/s`;
}

import type { JobSummary } from '../../shared/contract.js';
import { type ProgressUnit, formatBytes, formatSecondsShort as formatSeconds, formatSkipped, formatUnitRate } from '../../shared/format.js';

export { formatSeconds };

/**
 * How long a job ran: its run time over every attempt (JobSummary.runSeconds), not the time since
 * its first start, which counts a retry's wait and an engine's downtime. Empty when it never started.
 */
export function formatRunTime(job: Pick<JobSummary, 'startedAt' | 'runSeconds'>): string {
  if (job.startedAt === null) return '';
  const ms = Math.max(0, Math.round(job.runSeconds * 1000));
  return ms < 1000 ? `${ms} ms` : formatSeconds(ms / 1000);
}

/**
 * "1,234 / 5,000" ("1.2 MiB / 4.8 MiB" when the unit is bytes), with the failed units when there
 * are some and the planned units found empty (a preseed's skipped tiles, already taken off the
 * total) so a finished job reads "11,288 / 11,288 · skipped 9,757 empty" rather than ending below its plan.
 */
export function formatCounts(done: number, total: number, failed: number, unit?: ProgressUnit, skipped = 0): string {
  const n = (v: number) => (unit === 'bytes' ? formatBytes(v) : v.toLocaleString('en'));
  const base = total > 0 ? `${n(done)} / ${n(total)}` : done > 0 ? n(done) : '';
  const bad = failed > 0 ? `${base} · ${failed.toLocaleString('en')} bad` : base;
  return skipped > 0 ? `${bad} · ${formatSkipped(skipped)}` : bad;
}

/** Percent done, 0–100; 0 when the total is not known yet. */
export function percentDone(done: number, total: number): number {
  return total > 0 ? Math.min(100, (100 * done) / total) : 0;
}

/**
 * The queue's head line, saying what the limit is: "0 running · at most 2 at once · 1 queued"
 * (not "0 running of 2", which reads as two jobs that exist).
 */
export function concurrencyText(q: { running: number; maxRunning: number; queued: number }): string {
  return `${q.running.toLocaleString('en')} running · at most ${q.maxRunning.toLocaleString('en')} at once · ${q.queued.toLocaleString('en')} queued`;
}
