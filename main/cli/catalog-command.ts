/**
 * `tessera ingest <file...> [--crs EPSG:N] [--target-crs CRS] [--quota BYTES]` and
 * `tessera catalog list|show|delete`: the options become the contract's ingest params (the same
 * zod schema the console is checked with), and datasets print as tables for people or as the
 * contract's CatalogDataset with --json (sizes included).
 */
import type { CatalogDataset, JobStartInput, Page } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';
import { liveOwner } from '../engine/data-dir.js';
import { resolveInputPath } from '../paths/gdal-path.js';
import type { ReadOnlyHandlers } from '../engine/read-only-handlers.js';
import { morePages, withReadOnly } from './command-support.js';
import { openJobEngine } from './job-engine.js';
import { parseInput, request } from './request.js';
import { UsageError } from './usage-error.js';

export class CatalogUsageError extends UsageError {}

export interface IngestOptions {
  crs?: string;
  'target-crs'?: string;
  quota?: string;
}

/** The jobs.start input for `tessera ingest <files...>`. */
export function ingestInput(files: string[], o: IngestOptions): JobStartInput {
  if (files.length === 0) throw new CatalogUsageError('ingest needs at least one file: tessera ingest <file...> [--crs EPSG:N] [--quota BYTES]');
  return {
    kind: 'ingest',
    params: {
      files: files.map((f) => resolveInputPath(f)),
      ...(o.crs !== undefined && { assignCrs: o.crs }),
      ...(o['target-crs'] !== undefined && { targetCrs: o['target-crs'] }),
      ...(o.quota !== undefined && { quotaBytes: byteCount(o.quota, '--quota') }),
    },
  };
}

/** `1048576`, `512K`, `500M`, `2G`, `1T` (powers of 1024). */
export function byteCount(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?)?$/i.exec(text.trim());
  if (!m) throw new CatalogUsageError(`${flag} must be a number of bytes, optionally with K, M, G or T (got "${text}")`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').charAt(0).toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const bytes = Math.round(Number(m[1]) * 1024 ** power);
  if (bytes < 1) throw new CatalogUsageError(`${flag} must be at least 1 byte (got "${text}")`);
  return bytes;
}

export interface CatalogCommandOptions {
  kind?: string[];
  text?: string;
  limit?: string;
  cursor?: string;
}

/** Runs `tessera catalog <sub> ...`; returns the exit code (0, or 1 when a delete failed). */
export async function catalogCommand(
  dataDir: string,
  args: string[],
  o: CatalogCommandOptions,
  out: (human: string, doc: unknown) => void,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const kind = o.kind?.[0];
      const input = await parseInput('catalog.list', { text: o.text, kind, cursor: o.cursor, limit: o.limit === undefined ? 50 : Number(o.limit) });
      const page = await readCatalog(dataDir, (handlers) =>
        handlers ? request(handlers, 'catalog.list', input) : ({ rows: [], nextCursor: null } as Page<CatalogDataset>),
      );
      out(formatCatalogTable(page.rows) + morePages(page.nextCursor), page);
      return 0;
    }
    case 'show': {
      if (rest.length !== 1) throw new CatalogUsageError('catalog show takes exactly one dataset id');
      const id = datasetId(rest[0]!);
      const dataset = await readCatalog(dataDir, (handlers) => {
        if (!handlers) throw new TesseraError('NOT_FOUND', `dataset ${id} does not exist (no catalogue in ${dataDir} yet)`, { details: { id } });
        return request(handlers, 'catalog.get', { id });
      });
      out(formatDataset(dataset, liveOwner(dataDir) !== null), dataset);
      return 0;
    }
    case 'delete': {
      if (rest.length === 0) throw new CatalogUsageError('catalog delete needs at least one dataset id');
      const ids = rest.map(datasetId);
      // An id that does not exist refuses the whole command before anything is deleted (exit 2).
      await readCatalog(dataDir, async (handlers) => {
        if (!handlers) throw new TesseraError('NOT_FOUND', `dataset ${ids[0]} does not exist (no catalogue in ${dataDir} yet)`, { details: { id: ids[0] } });
        for (const id of ids) await request(handlers, 'catalog.get', { id });
      });
      // Deleting takes the data directory's lock (or asks the console that holds it): no other
      // engine may be writing the catalogue meanwhile.
      const engine = await openJobEngine(dataDir, 'tessera catalog delete');
      try {
        const result = await request(engine.handlers, 'catalog.delete', { ids });
        out(result.ok.map((i) => `dataset ${i}: deleted`).join('\n'), result);
        for (const f of result.failed) warn(`tessera: ${f.error.code}: dataset ${f.id}: ${f.error.message}`);
        return result.failed.length ? 1 : 0;
      } finally {
        await engine.close();
      }
    }
    default:
      throw new CatalogUsageError(`unknown catalog command: ${sub ?? '(none)'}; expected list, show or delete`);
  }
}

/**
 * Reads the catalogue through the read-only handlers, without taking the lock (and so without
 * marking another process's jobs interrupted). Null: no store there yet.
 */
function readCatalog<T>(dataDir: string, read: (handlers: ReadOnlyHandlers | null) => T | Promise<T>): Promise<T> {
  return withReadOnly(dataDir, { recover: false }, read);
}

function datasetId(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new CatalogUsageError(`not a dataset id: "${text}"`);
  return Number(text);
}

/** One line per dataset: id, kind, name, what is in it, its CRS, size and where it came from. */
export function formatCatalogTable(rows: readonly CatalogDataset[]): string {
  if (rows.length === 0) return 'the catalogue is empty';
  const lines = rows.map((d) =>
    [String(d.id).padStart(5), d.kind.padEnd(6), contents(d).padEnd(26), (crsOf(d) ?? '-').padEnd(11), formatBytes(d.sizeBytes).padStart(10), d.name].join(
      '  ',
    ),
  );
  return [`${'id'.padStart(5)}  ${'kind'.padEnd(6)}  ${'contents'.padEnd(26)}  ${'crs'.padEnd(11)}  ${'size'.padStart(10)}  name`, ...lines].join('\n');
}

function contents(d: CatalogDataset): string {
  if (d.raster) return `${d.raster.width}×${d.raster.height}, ${d.raster.bands} band(s) ${d.raster.dataType}`;
  const features = d.layers.reduce((n, l) => n + l.featureCount, 0);
  return `${d.layers.length} layer(s), ${features.toLocaleString('en')} features`;
}

function crsOf(d: CatalogDataset): string | null {
  if (d.raster) return d.raster.crs;
  const all = [...new Set(d.layers.map((l) => l.crs).filter((c): c is string => c !== null))];
  return all.length === 0 ? null : all.length === 1 ? all[0]! : 'mixed';
}

/**
 * A dataset in full, for `catalog show`. `engineRunning`: whether an engine holds the data
 * directory now; without one, analyses left undone (a kill cut them short) are not under way but
 * wait for the next engine to open it.
 */
export function formatDataset(d: CatalogDataset, engineRunning = true): string {
  const unchecked = engineRunning
    ? ', geometries being checked'
    : ', geometries not checked yet (they are checked when Tessera next opens this data directory: tessera serve or any job)';
  const lines = [
    `dataset ${d.id} (${d.kind}) ${d.name}`,
    `  file     ${d.path}`,
    `  size     ${formatBytes(d.sizeBytes)}`,
    `  bounds   ${d.bounds ? d.bounds.map((v) => v.toFixed(5)).join(', ') : 'unknown'} (WGS84 W, S, E, N)`,
    `  source   ${d.source.type === 'file' ? d.source.files.join(', ') : `${d.source.url} layers ${d.source.layers.join(', ')} (copied ${d.source.copiedAt})`}`,
    `  made by  ${d.jobId === null ? '-' : `job ${d.jobId}`}, ${d.createdAt}${d.updatedAt !== d.createdAt ? `, updated ${d.updatedAt}` : ''}`,
    `  preview  ${d.preview ?? 'none'}`,
  ];
  if (d.raster) lines.push(`  raster   ${d.raster.width}×${d.raster.height}, ${d.raster.bands} band(s) ${d.raster.dataType}, ${d.raster.crs ?? 'no CRS'}`);
  for (const l of d.layers) {
    lines.push(
      `  layer    ${l.name}: ${l.geometryType ?? 'table'}, ${l.featureCount.toLocaleString('en')} features, ${l.crs ?? 'no CRS'}${l.invalidGeometries === null ? unchecked : l.invalidGeometries ? `, ${l.invalidGeometries} invalid geometries` : ''}`,
    );
    lines.push(`           fields ${l.fields.map((f) => `${f.name}:${f.type}`).join(', ') || '(none)'}`);
  }
  return lines.join('\n');
}
