/**
 * The GeoPackage a migration writes: one table per Esri layer (layer-table.ts), the copy's
 * progress beside them while it runs (migration-progress.ts), and once finished, where each table
 * came from with the fields' aliases and domains as GeoPackage metadata (migration-finish.ts).
 *
 * Every page is written in ONE transaction together with the layer's progress (next offset, last
 * object id, count written), so after a retry, a restart or a crash the file and its progress
 * always agree: resuming never loses a page and never writes one twice.
 *
 * GDAL rule (docs/gdal-threading.md): this runs on the engine's main thread with gdal-async's
 * async API; all calls on the dataset go through one queue, so no sync call ever runs on the
 * handle while an async one is in flight, however many layers download at once.
 */
import { existsSync } from 'node:fs';
import gdal from 'gdal-async';
import { TesseraError } from '../../shared/errors.js';
import { type GeoPackageQueue, type SqlSession, quote, text } from './gpkg-sql.js';
import { LayerTable, type TableSpec, createLayerTable, uniqueTableName } from './layer-table.js';
import { type MigrationSource, finishForCatalogue } from './migration-finish.js';
import {
  type LayerProgress,
  allProgress,
  createProgressTable,
  forgetProgress,
  layerProgress,
  progressTableNames,
  startProgress,
} from './migration-progress.js';

export { ESRI_SOURCES_SQL } from './migration-finish.js';
export type { TableSpec } from './layer-table.js';

export class MigrationGeoPackage implements GeoPackageQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly sql: SqlSession = { exec: (sql) => this.exec(sql), select: (sql) => this.select(sql) };

  private constructor(
    readonly path: string,
    private readonly ds: gdal.Dataset,
  ) {}

  /** Opens the file to resume it, or creates it. */
  static async open(path: string): Promise<MigrationGeoPackage> {
    const ds = existsSync(path) ? await gdal.openAsync(path, 'r+') : await gdal.drivers.get('GPKG').createAsync(path, 0, 0, 0, gdal.GDT_Unknown);
    const file = new MigrationGeoPackage(path, ds);
    await file.serial(() => createProgressTable(file.sql));
    return file;
  }

  /** Runs `work` after every earlier call on this file has finished: one caller on the handle at a time. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TesseraError('INTERNAL', `${this.path} is closed`));
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Runs a statement that returns no rows. gdal-async reports "no result set" as an error without a message. */
  private async exec(sql: string): Promise<void> {
    try {
      await this.ds.executeSQLAsync(sql);
    } catch (error) {
      if ((error as Error).message === '') return;
      throw new TesseraError('WRITE_FAILED', `${this.path}: ${(error as Error).message} (in: ${sql.slice(0, 120)})`, { transient: false });
    }
  }

  /** Runs a query and returns its rows as plain objects. */
  private async select(sql: string): Promise<Record<string, unknown>[]> {
    let layer: gdal.Layer;
    try {
      layer = await this.ds.executeSQLAsync(sql);
    } catch (error) {
      if ((error as Error).message === '') return [];
      throw new TesseraError('WRITE_FAILED', `${this.path}: ${(error as Error).message} (in: ${sql.slice(0, 120)})`, { transient: false });
    }
    const rows: Record<string, unknown>[] = [];
    for await (const f of layer.features) rows.push({ fid: f.fid, ...f.fields.toObject() });
    return rows;
  }

  /** The progress of every layer this file holds. */
  async allProgress(): Promise<LayerProgress[]> {
    return this.serial(() => allProgress(this.sql));
  }

  async progress(layerId: number): Promise<LayerProgress | null> {
    return this.serial(() => layerProgress(this.sql, layerId));
  }

  /**
   * The table for a layer: reopened with its progress when the copy began earlier with the same
   * columns, (re)created empty otherwise.
   */
  async table(spec: TableSpec): Promise<{ table: LayerTable; progress: LayerProgress; restarted: string | null }> {
    return this.serial(async () => {
      const existing = await layerProgress(this.sql, spec.layerId);
      let restarted: string | null = null;
      if (existing) {
        const same = JSON.stringify(existing.columns) === JSON.stringify(spec.columns);
        if (same && this.hasLayer(existing.tableName)) return { table: new LayerTable(this, existing.tableName, spec), progress: existing, restarted };
        restarted = same ? `table ${existing.tableName} is missing` : `the layer's fields changed since the copy began`;
        if (this.hasLayer(existing.tableName)) await this.exec(`DROP TABLE ${quote(existing.tableName)}`);
        await forgetProgress(this.sql, spec.layerId);
        await this.exec(`DELETE FROM gpkg_contents WHERE table_name = ${text(existing.tableName)}`);
        await this.exec(`DELETE FROM gpkg_geometry_columns WHERE table_name = ${text(existing.tableName)}`);
      }
      const tableName = uniqueTableName(spec.layerName, spec.layerId, await progressTableNames(this.sql));
      await createLayerTable(this.ds, tableName, spec);
      const progress = await startProgress(this.sql, spec.layerId, tableName, spec.columns);
      return { table: new LayerTable(this, tableName, spec), progress, restarted };
    });
  }

  private hasLayer(name: string): boolean {
    try {
      return this.ds.layers.get(name) !== null;
    } catch {
      return false;
    }
  }

  /** Internal to LayerTable: everything on the handle goes through the queue. */
  run<T>(work: (ds: gdal.Dataset, sql: SqlSession) => Promise<T>): Promise<T> {
    return this.serial(() => work(this.ds, this.sql));
  }

  /**
   * Completes the file for the catalogue: aliases and domains as GeoPackage data columns, a
   * spatial index on every geometry table, the source of each table, and no progress table.
   */
  async finish(source: MigrationSource): Promise<void> {
    await this.serial(() => finishForCatalogue(this.sql, source));
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      this.ds.close();
    });
    this.closed = true;
  }
}
