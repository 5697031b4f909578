/**
 * `tessera caches list` and `tessera truncate <cache> --min-zoom N --max-zoom N [--bbox W,S,E,N]`:
 * the Caches screen's list as a table (or the contract's CacheEntry[] with --json), and the
 * truncate job kind's params from the options (checked by the same zod schema as the console's).
 */
import { resolve } from 'node:path';
import type { CacheEntry, JobStartInput } from '../../shared/contract.js';
import { formatBytes } from '../../shared/format.js';
import { UsageError, withReadOnly } from './command-support.js';
import { request } from './request.js';

export interface TruncateOptions {
  'min-zoom'?: string;
  'max-zoom'?: string;
  bbox?: string;
}

/** The jobs.start input for `tessera truncate <cache>`; UsageError (exit 2) for a bad command line. */
export function truncateInput(args: readonly string[], o: TruncateOptions): JobStartInput {
  if (args.length !== 1) throw new UsageError('truncate takes exactly one cache: tessera truncate <cache> --min-zoom N --max-zoom N [--bbox W,S,E,N]');
  if (o['min-zoom'] === undefined || o['max-zoom'] === undefined)
    throw new UsageError('truncate needs --min-zoom and --max-zoom: the zoom levels whose tiles are deleted (e.g. --min-zoom 5 --max-zoom 6)');
  return {
    kind: 'truncate',
    params: {
      cache: resolve(args[0]!),
      minZoom: wholeNumber(o['min-zoom'], '--min-zoom'),
      maxZoom: wholeNumber(o['max-zoom'], '--max-zoom'),
      ...(o.bbox !== undefined && { bbox: bbox(o.bbox) }),
    },
  };
}

/**
 * `tessera caches <sub>`: only `list` for now. It reads, so it answers as jobs list does: from the
 * console while one offers its connection, else from the store and the caches' files, without an
 * engine (no GDAL, sharp or worker pool to start: 1.2 s before, issue 14).
 */
export async function cachesCommand(args: readonly string[], dataDir: string, out: (human: string, doc: unknown) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list') throw new UsageError(`unknown caches command: ${sub ?? '(none)'}; expected list`);
  if (rest.length > 0) throw new UsageError('caches list takes no arguments');
  // No job store yet: nothing has made or added a cache there.
  const caches = await withReadOnly(dataDir, { holder: 'tessera (read)' }, (handlers) => (handlers ? request(handlers, 'caches.list', {}) : []));
  out(formatCacheTable(caches), caches);
  return 0;
}

/** One line per cache: name, format, zooms, tiles, size, last job; the path under it. */
export function formatCacheTable(caches: readonly CacheEntry[]): string {
  if (caches.length === 0) return 'no tile caches yet: a preseed, verify or truncate job lists its cache here';
  const rows = caches.map((c) => [
    c.name,
    c.kind === null ? 'unreadable' : `${c.kind} ${c.format ?? ''}`.trim(),
    c.minZoom === null ? '-' : c.minZoom === c.maxZoom ? `z${c.minZoom}` : `z${c.minZoom}–${c.maxZoom}`,
    c.tileCount === null ? '-' : c.tileCount.toLocaleString('en-US'),
    c.sizeBytes === null ? '-' : formatBytes(c.sizeBytes),
    c.lastJob === null ? (c.origin === 'added' ? 'added by hand' : '-') : `job ${c.lastJob.id} ${c.lastJob.kind} ${c.lastJob.state}`,
  ]);
  const head = ['NAME', 'FORMAT', 'ZOOMS', 'TILES', 'SIZE', 'LAST JOB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 3 || i === 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const body = caches.flatMap((c, i) => [line(rows[i]!), `  ${c.path}${c.problem ? `  (${c.problem})` : ''}`]);
  return [line(head), ...body].join('\n');
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a zoom level, a whole number 0–30 (got "${text}")`);
  return Number(text);
}

function bbox(text: string): [number, number, number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n)))
    throw new UsageError(`--bbox needs 4 comma-separated numbers, west,south,east,north in degrees (got "${text}")`);
  return parts as [number, number, number, number];
}
