/**
 * Sizes and durations as people read them, for every process: the console, the reports and the
 * CLI print the same value the same way.
 *
 * Byte sizes use binary units (1 GiB = 1024³ bytes), labelled as such, because the engine counts and warns in
 * them (its default free-space floor is exactly 512 MiB): a decimal "GB" would disagree with the
 * engine's own messages.
 */

const LADDER = [
  ['PiB', 1024 ** 5],
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
] as const;

/** "1.5 GiB", "512 MiB", "740 B": one decimal at most, none when it is .0. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of LADDER) {
    if (Math.abs(bytes) >= size) return `${trim(bytes / size)} ${unit}`;
  }
  return `${bytes} B`;
}

function trim(n: number): string {
  const fixed = n.toFixed(1);
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min", "3 d 04 h"; "—" when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86_400)} d ${pad(Math.floor((s % 86_400) / 3600))} h`;
}

/** Seconds for a table cell: "45s", "3m 20s", "2h 05m", "3d 4h"; unknown (null, negative) as "—". */
export function formatSecondsShort(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Seconds as a clock for a progress line's ETA: "3:07", "1:02:03". */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function pad(v: number): string {
  return String(v).padStart(2, '0');
}

/** What a job's progress counts: tiles (preseeds, verify), features (migrations) or bytes (ingest). */
export type ProgressUnit = 'tiles' | 'features' | 'bytes';

/** "1,234 tiles", "240 features", "12.5 MiB": an amount of a job's unit. */
export function formatAmount(n: number, unit: ProgressUnit): string {
  return unit === 'bytes' ? formatBytes(n) : `${n.toLocaleString('en-US')} ${unit}`;
}

/** "1,234 tiles/s", "3.1 MiB/s": a rate of a job's unit. */
export function formatUnitRate(perSecond: number, unit: ProgressUnit): string {
  return unit === 'bytes' ? `${formatBytes(Math.round(perSecond))}/s` : `${Math.round(perSecond).toLocaleString('en-US')} ${unit}/s`;
}

/** "skipped 9,757 empty": planned units a job found it need not make (JobProgress.skipped). */
export function formatSkipped(skipped: number): string {
  return `skipped ${skipped.toLocaleString('en-US')} empty`;
}

/** "about 22s (14s–35s)": an estimate with the range its sample allows (JobEstimate.range). */
export function formatAbout(value: number, range: readonly [number, number] | null, format: (n: number) => string): string {
  return range ? `about ${format(value)} (${format(range[0])}–${format(range[1])})` : `about ${format(value)}`;
}

/**
 * What a dry run's tile count is, when it is only an upper bound (JobEstimate.tilesUpperBound):
 * "at most; likely 9,000–13,000 made (empty ones are skipped)". Empty when the count is exact.
 */
export function formatTileBound(upperBound: boolean, likely: readonly [number, number] | null): string {
  if (!upperBound) return '';
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  // A range whose ends round to one number is that number ("likely 988 made", not "988–988").
  const span = likely === null ? '' : n(likely[0]) === n(likely[1]) ? n(likely[0]) : `${n(likely[0])}–${n(likely[1])}`;
  return `at most${span ? `; likely ${span} made` : ''} (empty ones are skipped)`;
}

/** "≈z3.4": a raster's native zoom (JobEstimate.datasets[].nativeZoom), to one decimal. */
export function formatNativeZoom(nativeZoom: number): string {
  return `≈z${nativeZoom.toFixed(1)}`;
}

/**
 * "z6 is 2.6 levels past the source's native ≈z3.4: tiles there are upsampled", or null when
 * `maxZoom` does not go past the native zoom by a tenth of a level (what the text can show): the
 * operator then chooses whether deeper tiles are worth their bytes.
 */
export function formatUpsampling(maxZoom: number, nativeZoom: number | null | undefined): string | null {
  if (nativeZoom === null || nativeZoom === undefined) return null;
  const past = Math.round((maxZoom - nativeZoom) * 10) / 10;
  if (past < 0.1) return null;
  const levels = Number.isInteger(past) ? `${past} level${past === 1 ? '' : 's'}` : `${past.toFixed(1)} levels`;
  return `z${maxZoom} is ${levels} past the source's native ${formatNativeZoom(nativeZoom)}: tiles there are upsampled`;
}
