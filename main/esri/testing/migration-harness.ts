/**
 * What the migration tests and benchmarks share (not shipped logic): the Koop fixture, an engine
 * on a fresh data directory, and checks of a finished copy against the fixture's source files.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CatalogDataset, JobItem, JobSummary } from '../../../shared/contract.js';
import { Engine } from '../../engine/engine.js';
import { createLogger, type LogEntry } from '../../logging/logger.js';
import { fixtureGeojsonPath } from './koop-fixture.js';
import { geojsonDigest, gpkgDigest, type LayerDigest } from './layer-digest.js';
import type { FixtureLayer } from './natural-earth-services.js';
import { ESRI_SOURCES_SQL, type EsriTableSource } from '../migration-finish.js';

/** A migrated dataset as the catalogue recorded it. */
export interface CataloguedCopy {
  id: number;
  path: string;
  source: Extract<CatalogDataset['source'], { type: 'esri' }>;
}

/**
 * The newest catalogue entry named `name` in a data directory, read from the store file (for tests
 * whose engine runs in another process); throws when there is none or it is not an Esri copy.
 */
export function cataloguedCopy(dataDir: string, name: string): CataloguedCopy {
  const db = new Database(join(dataDir, 'jobs.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT id, path, source FROM catalog_datasets WHERE name = ? ORDER BY id DESC').get(name) as
      | { id: number; path: string; source: string }
      | undefined;
    if (!row) throw new Error(`no dataset named "${name}" in the catalogue of ${dataDir}`);
    const source = JSON.parse(row.source) as CatalogDataset['source'];
    if (source.type !== 'esri') throw new Error(`dataset "${name}" in ${dataDir} is not an Esri copy: ${row.source}`);
    return { id: row.id, path: row.path, source };
  } finally {
    db.close();
  }
}

/** An engine with every log line kept (to search them for secrets). */
export async function openTestEngine(root: string, name: string): Promise<{ engine: Engine; dataDir: string; logs: LogEntry[] }> {
  const dataDir = mkdtempSync(join(root, `${name}-`));
  const logs: LogEntry[] = [];
  const engine = await Engine.open({
    dataDir,
    host: 'headless',
    threads: 1,
    logger: createLogger('debug', (entry) => logs.push(entry)),
    backoff: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  return { engine, dataDir, logs };
}

export function testRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Table name per layer name, from the copy's own record of its sources. */
export function copiedTables(gpkg: string): Map<string, { table: string; layerId: number; count: number; serviceUrl: string; copiedAt: string }> {
  const db = new Database(gpkg, { readonly: true });
  try {
    const rows = (db.prepare(ESRI_SOURCES_SQL).all() as { metadata: string }[]).map((r) => JSON.parse(r.metadata) as EsriTableSource);
    return new Map(
      rows.map((r) => [r.layer_name, { table: r.table_name, layerId: r.layer_id, count: r.feature_count, serviceUrl: r.service_url, copiedAt: r.copied_at }]),
    );
  } finally {
    db.close();
  }
}

export interface LayerComparison {
  layer: string;
  source: LayerDigest;
  copy: LayerDigest;
  /** Ids whose feature differs (attributes or geometry), missing or extra. */
  differing: number[];
}

/** Compares every listed fixture layer with its table in the copy: count, id set, checksum. */
export function compareWithSource(fixtureDir: string, gpkg: string, layers: readonly FixtureLayer[]): LayerComparison[] {
  const tables = copiedTables(gpkg);
  return layers.map((layer) => {
    const fields = layer.fields.map((f) => f.name).filter((n) => n !== 'OBJECTID');
    const dates = layer.fields.filter((f) => f.type === 'Date').map((f) => f.name);
    const source = geojsonDigest(fixtureGeojsonPath(fixtureDir, layer), fields, dates);
    const table = tables.get(layer.name);
    if (!table) throw new Error(`${gpkg} has no table for layer "${layer.name}" (it has: ${[...tables.keys()].join(', ')})`);
    const copy = gpkgDigest(gpkg, table.table, fields, dates);
    const ids = new Set([...source.ids, ...copy.ids]);
    const differing = [...ids].filter((id) => source.features.get(id) !== copy.features.get(id));
    return { layer: layer.name, source, copy, differing };
  });
}

/** Items with their results, and the job's events, for assertions and printed reports. */
export function jobDetail(engine: Engine, job: JobSummary): { items: JobItem[]; events: ReturnType<Engine['store']['events']> } {
  return { items: engine.store.listItems(job.id, { limit: 1000 }).rows, events: engine.store.events(job.id, 0, 1000) };
}
