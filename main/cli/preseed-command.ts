/**
 * `tessera preseed raster|vector`: turns command-line options into the contract's preseed params
 * (the same zod schemas the console's form is checked with), and prints a dry run as a table.
 */
import { resolve } from 'node:path';
import { resolveInputPath } from '../paths/gdal-path.js';
import type { JobEstimate, JobStartInput } from '../../shared/contract.js';
import { formatAbout, formatBytes, formatNativeZoom, formatSecondsShort, formatTileBound, formatUpsampling } from '../../shared/format.js';
import { UsageError } from './usage-error.js';

export class PreseedUsageError extends UsageError {}

export interface PreseedOptions {
  zoom?: string;
  bbox?: string;
  coverage?: string;
  'tile-size'?: string;
  format?: string;
  quality?: string;
  'png-palette'?: boolean;
  'png-compression'?: string;
  'png-filter'?: string;
  resampling?: string;
  scale?: string;
  mode?: string;
  'older-than'?: string;
  layer?: string[];
  attributes?: string;
  'max-tile-bytes'?: string;
  thin?: boolean;
  crs?: string;
  title?: string;
  output?: string;
}

/** The jobs.start input for `tessera preseed <kind> <inputs...>`; zod checks the values themselves. */
export function preseedInput(kind: string | undefined, inputs: string[], o: PreseedOptions): JobStartInput {
  if (kind !== 'raster' && kind !== 'vector')
    throw new PreseedUsageError('preseed needs a kind: tessera preseed raster|vector <input...> --zoom MIN-MAX -o OUT');
  if (inputs.length === 0) throw new PreseedUsageError(`preseed ${kind} needs at least one ${kind === 'raster' ? 'dataset' : 'source'}`);
  if (!o.zoom) throw new PreseedUsageError('--zoom MIN-MAX is required (e.g. --zoom 0-8)');
  if (!o.output) throw new PreseedUsageError('-o OUT is required (OUT.mbtiles, OUT.pmtiles, or a tile directory)');
  const [minZoom, maxZoom] = zoomRange(o.zoom, '--zoom');
  const common = {
    minZoom,
    maxZoom,
    output: resolve(o.output),
    ...(o.bbox !== undefined && { bbox: numbers(o.bbox, '--bbox', 4) as [number, number, number, number] }),
    ...(o.coverage !== undefined && { coverage: resolveInputPath(o.coverage) }),
    ...(o.mode !== undefined && { mode: o.mode as 'resume' }),
    ...(o['older-than'] !== undefined && { olderThan: isoInstant(o['older-than']) }),
    ...(o.title !== undefined && { title: o.title }),
  };
  if (kind === 'raster') {
    refuseFlags(o, ['layer', 'attributes', 'thin', 'max-tile-bytes', 'crs'], 'vector');
    return {
      kind: 'preseed-raster',
      params: {
        ...common,
        datasets: inputs.map((p) => resolveInputPath(p)),
        ...(o['tile-size'] !== undefined && { tileSize: integer(o['tile-size'], '--tile-size') as 256 }),
        ...(o.format !== undefined && { format: (o.format === 'jpg' ? 'jpeg' : o.format) as 'png' }),
        ...(o.quality !== undefined && { quality: integer(o.quality, '--quality') }),
        ...(o['png-palette'] && { pngPalette: true }),
        ...(o['png-compression'] !== undefined && { pngCompression: integer(o['png-compression'], '--png-compression') }),
        ...(o['png-filter'] !== undefined && { pngAdaptiveFiltering: pngFilter(o['png-filter']) }),
        ...(o.resampling !== undefined && { resampling: o.resampling as 'average' }),
        ...(o.scale !== undefined && { scale: o.scale === 'auto' ? 'auto' : (numbers(o.scale, '--scale', 2) as [number, number]) }),
      },
    };
  }
  refuseFlags(o, ['tile-size', 'format', 'quality', 'png-palette', 'png-compression', 'png-filter', 'resampling', 'scale'], 'raster');
  return {
    kind: 'preseed-vector',
    params: {
      ...common,
      sources: inputs.map((p) => resolveInputPath(p)),
      ...(o.layer && { layers: o.layer.map(layerChoice) }),
      ...(o.attributes !== undefined && {
        attributes: o.attributes
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      }),
      ...(o['max-tile-bytes'] !== undefined && { maxTileBytes: integer(o['max-tile-bytes'], '--max-tile-bytes') }),
      ...(o.thin && { thin: true }),
      ...(o.crs !== undefined && { assignCrs: o.crs }),
    },
  };
}

/** Refuses the options of the other kind of preseed. */
function refuseFlags(o: PreseedOptions, flags: readonly (keyof PreseedOptions)[], kind: 'raster' | 'vector'): void {
  for (const flag of flags) if (o[flag] !== undefined && o[flag] !== false) throw new PreseedUsageError(`--${flag} is for ${kind} preseeds`);
}

/** `NAME` or `NAME:MINZ-MAXZ`. */
function layerChoice(spec: string): { name: string; minZoom?: number; maxZoom?: number } {
  const at = spec.lastIndexOf(':');
  if (at < 0 || !/^\d+-\d+$/.test(spec.slice(at + 1))) return { name: spec };
  const [minZoom, maxZoom] = zoomRange(spec.slice(at + 1), `--layer ${spec}`);
  return { name: spec.slice(0, at), minZoom, maxZoom };
}

function zoomRange(text: string, flag: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) throw new PreseedUsageError(`${flag} must be MIN-MAX or one zoom level (got "${text}")`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function numbers(text: string, flag: string, count: number): number[] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== count || parts.some((n) => !Number.isFinite(n)))
    throw new PreseedUsageError(`${flag} needs ${count} comma-separated numbers (got "${text}")`);
  return parts;
}

function integer(text: string, flag: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new PreseedUsageError(`${flag} must be a whole number (got "${text}")`);
  return Number(text);
}

/** --png-filter: adaptive (row filters chosen per row) or none. */
function pngFilter(text: string): boolean {
  if (text === 'adaptive' || text === 'none') return text === 'adaptive';
  throw new PreseedUsageError(`--png-filter must be adaptive or none (got "${text}")`);
}

/** An ISO date or date-time; a bare date means midnight UTC. */
function isoInstant(text: string): string {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(t)) throw new PreseedUsageError(`--older-than must be a date or an ISO date-time (got "${text}")`);
  return new Date(t).toISOString();
}

/** "z3–7", "z5", "z2, z5–6": the sampled zooms. */
function zoomList(zooms: readonly number[]): string {
  if (zooms.length === 0) return 'no zoom';
  const runs: [number, number][] = [];
  for (const z of [...zooms].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && z === last[1] + 1) last[1] = z;
    else runs.push([z, z]);
  }
  return runs.map(([a, b]) => (a === b ? `z${a}` : `z${a}–${b}`)).join(', ');
}

/** The dry run as a table, for people. */
export function formatEstimate(e: JobEstimate): string {
  const lines: string[] = [];
  // The deepest zoom planned: where a raster is upsampled most past its own resolution.
  const maxZoom = e.zooms.length > 0 ? Math.max(...e.zooms.map((z) => z.z)) : null;
  for (const d of e.datasets) {
    if (d.error) {
      lines.push(`  ✗ ${d.path}: ${d.error.code}: ${d.error.message}`);
      continue;
    }
    const native = d.nativeZoom === null || d.nativeZoom === undefined ? '' : `, native ${formatNativeZoom(d.nativeZoom)}`;
    lines.push(`  ✓ ${d.path}: ${d.tiles.toLocaleString('en')} tiles${native}`);
    const upsampled = maxZoom === null ? null : formatUpsampling(maxZoom, d.nativeZoom);
    if (upsampled) lines.push(`    ! ${upsampled}`);
  }
  lines.push('', '  zoom        tiles');
  for (const z of e.zooms) lines.push(`  ${String(z.z).padStart(4)}  ${z.tiles.toLocaleString('en').padStart(11)}`);
  lines.push(`  total ${e.totalTiles.toLocaleString('en').padStart(10)}`, '');
  const bound = formatTileBound(e.tilesUpperBound, e.range?.tiles ?? null);
  lines.push(`  ${e.totalTiles.toLocaleString('en')} tiles${bound ? `, ${bound}` : ''}`);
  if (e.sample)
    lines.push(
      `  sample: ${e.sample.tiles.toLocaleString('en')} tiles at ${zoomList(e.sample.zooms)}, ${formatBytes(Math.round(e.sample.bytesPerTile))} and ${(e.sample.secondsPerTile * 1000).toFixed(1)} ms per tile`,
    );
  const size = e.estimatedBytes === null ? 'unknown' : formatAbout(e.estimatedBytes, e.range?.bytes ?? null, formatBytes);
  const time = e.estimatedSeconds === null ? 'unknown' : formatAbout(e.estimatedSeconds, e.range?.seconds ?? null, formatSecondsShort);
  lines.push(`  estimated size ${size}, time ${time}`);
  const s = e.storage;
  lines.push(
    `  output ${s.output}: ${formatBytes(s.freeBytes)} free, floor ${formatBytes(s.floorBytes)}${s.quotaBytes === null ? '' : `, quota ${formatBytes(s.quotaUsedBytes)} of ${formatBytes(s.quotaBytes)} used`}`,
  );
  if (estimateUnusable(e)) lines.push('  ✗ nothing can be made: none of the data can be used (see above); the job would fail');
  else lines.push(s.problem ? `  ✗ does not fit: ${s.problem.code}: ${s.problem.message}` : '  ✓ fits');
  return lines.join('\n');
}

/** Whether no dataset of a dry run can be used: the job would only fail, so the dry run says so (exit 2). */
export function estimateUnusable(e: JobEstimate): boolean {
  return e.datasets.length > 0 && e.datasets.every((d) => d.error !== null);
}
