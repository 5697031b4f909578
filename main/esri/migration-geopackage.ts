/**
 * The GeoPackage a migration writes: one table per Esri layer, the layer's object ids as the
 * primary key (so a feature can never be written twice), its fields as columns with their
 * aliases and domains kept in GeoPackage data-column tables, an R-tree spatial index, and where
 * each table came from and when as GeoPackage metadata (gpkg_metadata, referenced per table, JSON
 * under ESRI_SOURCE_URI). Not as a table of its own: GDAL and QGIS list any table outside
 * gpkg_contents as a layer of the user's file (a `tessera_esri_layers` table did, 4,557 features
 * counted for 4,556).
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
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import type { ColumnPlan, EsriDomain, OgrFieldType, StoredValue } from './esri-fields.js';
import { WKB_BASE_TYPE, type EsriGeometryType } from './esri-geometry.js';
import type { EsriSpatialReference } from './esri-layer.js';

const PROGRESS_TABLE = 'tessera_esri_progress';
/**
 * Explicit columns, the integer ones cast: GDAL's SQL layer takes an INTEGER PRIMARY KEY (or a
 * bare integer column it guesses is one) as the result's FID and drops it from the fields.
 */
const PROGRESS_SELECT = `SELECT CAST(layer_id AS INTEGER) AS layer_id_value, table_name, mode, CAST(next_offset AS INTEGER) AS next_offset_value, CAST(last_object_id AS INTEGER) AS last_object_id_value, CAST(written AS INTEGER) AS written_value, CAST(verified AS INTEGER) AS verified_value, columns_json, check_json FROM ${PROGRESS_TABLE}`;
/** Where earlier versions kept the sources: removed from a file being finished. */
const LEGACY_SOURCE_TABLE = 'tessera_esri_layers';
/** The md_standard_uri of a table's source record in gpkg_metadata. */
export const ESRI_SOURCE_URI = 'urn:tessera:esri-source:1';

/** A table's source record (gpkg_metadata JSON). */
export interface EsriTableSource {
  table_name: string;
  layer_id: number;
  layer_name: string;
  service_url: string;
  where_clause: string | null;
  feature_count: number;
  copied_at: string;
}

/** SQLite reading every table's source record of a finished copy (one JSON `metadata` per row). */
export const ESRI_SOURCES_SQL = `SELECT r.table_name AS table_name, m.metadata AS metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id WHERE m.md_standard_uri = '${ESRI_SOURCE_URI}' AND r.reference_scope = 'table' ORDER BY r.table_name`;
export const GEOMETRY_COLUMN = 'geom';

export type DownloadMode = 'offset' | 'ids';

/** A layer's progress, as committed with its features. */
export interface LayerProgress {
  layerId: number;
  tableName: string;
  mode: DownloadMode | null;
  /** Offset mode: the resultOffset of the next page. */
  nextOffset: number;
  /** The greatest object id written so far (null before the first page). */
  lastObjectId: number | null;
  written: number;
  /** The final check passed: the table holds exactly the source's features. */
  verified: boolean;
  /** The columns the table was made with (the layer's fields when the copy began). */
  columns: ColumnPlan[];
  /** What the final check found, once verified. */
  check: Record<string, unknown> | null;
}

/** One feature ready to store. */
export interface FeatureRow {
  id: number;
  values: StoredValue[];
  wkb: Buffer | null;
}

export interface TableSpec {
  layerId: number;
  layerName: string;
  /** Null for a table without geometry. */
  geometryType: EsriGeometryType | null;
  hasZ: boolean;
  hasM: boolean;
  spatialReference: EsriSpatialReference | null;
  /** The Esri object-id field: the GeoPackage's primary-key column gets its name. */
  objectIdField: string;
  columns: ColumnPlan[];
}

const OGR_TYPES: Record<OgrFieldType, string> = {
  Integer: gdal.OFTInteger,
  Integer64: gdal.OFTInteger64,
  Real: gdal.OFTReal,
  String: gdal.OFTString,
  Date: gdal.OFTDate,
  Time: gdal.OFTTime,
  DateTime: gdal.OFTDateTime,
  Binary: gdal.OFTBinary,
};

/** OGR's geometry type for a layer: Z through the 2.5D bit, M and ZM through the ISO codes. */
export function ogrGeometryType(type: EsriGeometryType, hasZ: boolean, hasM: boolean): number {
  const base = WKB_BASE_TYPE[type];
  if (hasM) return base + (hasZ ? 3000 : 2000);
  return hasZ ? base | gdal.wkb25DBit : base;
}

export class MigrationGeoPackage {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly ds: gdal.Dataset,
  ) {}

  /** Opens the file to resume it, or creates it. */
  static async open(path: string): Promise<MigrationGeoPackage> {
    const ds = existsSync(path) ? await gdal.openAsync(path, 'r+') : await gdal.drivers.get('GPKG').createAsync(path, 0, 0, 0, gdal.GDT_Unknown);
    const file = new MigrationGeoPackage(path, ds);
    await file.serial(async () => {
      await file.exec(
        `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (layer_id INTEGER PRIMARY KEY, table_name TEXT NOT NULL UNIQUE, mode TEXT, next_offset INTEGER NOT NULL DEFAULT 0, last_object_id INTEGER, written INTEGER NOT NULL DEFAULT 0, verified INTEGER NOT NULL DEFAULT 0, columns_json TEXT NOT NULL, check_json TEXT, updated_at TEXT NOT NULL)`,
      );
    });
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
    return this.serial(async () => (await this.select(`${PROGRESS_SELECT} ORDER BY layer_id`)).map(progressFromRow));
  }

  async progress(layerId: number): Promise<LayerProgress | null> {
    return this.serial(async () => {
      const rows = await this.select(`${PROGRESS_SELECT} WHERE layer_id = ${int(layerId)}`);
      return rows[0] ? progressFromRow(rows[0]) : null;
    });
  }

  /**
   * The table for a layer: reopened with its progress when the copy began earlier with the same
   * columns, (re)created empty otherwise.
   */
  async table(spec: TableSpec): Promise<{ table: LayerTable; progress: LayerProgress; restarted: string | null }> {
    return this.serial(async () => {
      const rows = await this.select(`${PROGRESS_SELECT} WHERE layer_id = ${int(spec.layerId)}`);
      const existing = rows[0] ? progressFromRow(rows[0]) : null;
      let restarted: string | null = null;
      if (existing) {
        const same = JSON.stringify(existing.columns) === JSON.stringify(spec.columns);
        if (same && this.hasLayer(existing.tableName)) return { table: new LayerTable(this, existing.tableName, spec), progress: existing, restarted };
        restarted = same ? `table ${existing.tableName} is missing` : `the layer's fields changed since the copy began`;
        if (this.hasLayer(existing.tableName)) await this.exec(`DROP TABLE ${quote(existing.tableName)}`);
        await this.exec(`DELETE FROM ${PROGRESS_TABLE} WHERE layer_id = ${int(spec.layerId)}`);
        await this.exec(`DELETE FROM gpkg_contents WHERE table_name = ${text(existing.tableName)}`);
        await this.exec(`DELETE FROM gpkg_geometry_columns WHERE table_name = ${text(existing.tableName)}`);
      }
      const taken = new Set((await this.select(`SELECT table_name FROM ${PROGRESS_TABLE}`)).map((r) => String(r.table_name).toLowerCase()));
      const tableName = uniqueTableName(spec.layerName, spec.layerId, taken);
      await this.createLayer(tableName, spec);
      const progress: LayerProgress = {
        layerId: spec.layerId,
        tableName,
        mode: null,
        nextOffset: 0,
        lastObjectId: null,
        written: 0,
        verified: false,
        columns: spec.columns,
        check: null,
      };
      await this.exec(
        `INSERT INTO ${PROGRESS_TABLE} (layer_id, table_name, columns_json, updated_at) VALUES (${int(spec.layerId)}, ${text(tableName)}, ${text(JSON.stringify(spec.columns))}, ${text(new Date().toISOString())})`,
      );
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

  private async createLayer(tableName: string, spec: TableSpec): Promise<void> {
    const srs = spec.geometryType ? await spatialReferenceFor(spec.spatialReference) : null;
    const geometryType = spec.geometryType ? ogrGeometryType(spec.geometryType, spec.hasZ, spec.hasM) : gdal.wkbNone;
    const options = [
      `FID=${spec.objectIdField}`,
      ...(spec.geometryType ? [`GEOMETRY_NAME=${GEOMETRY_COLUMN}`, 'SPATIAL_INDEX=YES'] : []),
      `IDENTIFIER=${spec.layerName}`,
    ];
    const layer = await this.ds.layers.createAsync(tableName, srs, geometryType, options);
    for (const c of spec.columns) {
      const def = new gdal.FieldDefn(c.name, OGR_TYPES[c.ogrType]);
      if (c.width > 0) def.width = c.width;
      layer.fields.add(def);
    }
  }

  /** Internal to LayerTable: everything on the handle goes through the queue. */
  run<T>(
    work: (ds: gdal.Dataset, file: { exec: (sql: string) => Promise<void>; select: (sql: string) => Promise<Record<string, unknown>[]> }) => Promise<T>,
  ): Promise<T> {
    return this.serial(() => work(this.ds, { exec: (sql) => this.exec(sql), select: (sql) => this.select(sql) }));
  }

  /**
   * Completes the file for the catalogue: aliases and domains as GeoPackage data columns, a
   * spatial index on every geometry table, the source of each table, and no progress table.
   */
  async finish(source: {
    serviceUrl: string;
    copiedAt: string;
    where: string | null;
    layers: { layerId: number; layerName: string; sourceCount: number }[];
  }): Promise<void> {
    await this.serial(async () => {
      const progress = (await this.select(PROGRESS_SELECT)).map(progressFromRow);
      await this.exec('BEGIN');
      try {
        await this.exec(`DROP TABLE IF EXISTS ${LEGACY_SOURCE_TABLE}`);
        await this.ensureMetadataTables();
        await this.exec(
          `DELETE FROM gpkg_metadata_reference WHERE md_file_id IN (SELECT id FROM gpkg_metadata WHERE md_standard_uri = ${text(ESRI_SOURCE_URI)})`,
        );
        await this.exec(`DELETE FROM gpkg_metadata WHERE md_standard_uri = ${text(ESRI_SOURCE_URI)}`);
        for (const layer of source.layers) {
          const p = progress.find((r) => r.layerId === layer.layerId);
          if (!p) continue;
          const record: EsriTableSource = {
            table_name: p.tableName,
            layer_id: layer.layerId,
            layer_name: layer.layerName,
            service_url: source.serviceUrl,
            where_clause: source.where,
            feature_count: layer.sourceCount,
            copied_at: source.copiedAt,
          };
          await this.exec(
            `INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', ${text(ESRI_SOURCE_URI)}, 'application/json', ${text(JSON.stringify(record))})`,
          );
          await this.exec(
            `INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id) VALUES ('table', ${text(p.tableName)}, NULL, NULL, ${text(source.copiedAt)}, (SELECT max(id) FROM gpkg_metadata))`,
          );
          await this.writeDataColumns(p.tableName, p.columns);
        }
        await this.exec(`DROP TABLE IF EXISTS ${PROGRESS_TABLE}`);
        await this.exec('COMMIT');
      } catch (error) {
        await this.exec('ROLLBACK').catch(() => {});
        throw error;
      }
      for (const p of progress) {
        const geometry = await this.select(`SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ${text(p.tableName)}`);
        if (geometry.length === 0) continue;
        const has = await this.select(`SELECT HasSpatialIndex(${text(p.tableName)}, ${text(String(geometry[0]!.column_name))}) AS has`);
        if (!has[0] || Number(has[0].has) !== 1)
          await this.select(`SELECT CreateSpatialIndex(${text(p.tableName)}, ${text(String(geometry[0]!.column_name))})`);
      }
    });
  }

  /** The GeoPackage metadata extension's tables (spec 1.2.1, F.8), registered in gpkg_extensions. */
  private async ensureMetadataTables(): Promise<void> {
    await this.exec(
      `CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')`,
    );
    await this.exec(
      `CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))`,
    );
    for (const table of ['gpkg_metadata', 'gpkg_metadata_reference']) {
      await this.exec(
        `INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) SELECT ${text(table)}, NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec121/#extension_metadata', 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ${text(table)} AND extension_name = 'gpkg_metadata')`,
      );
    }
  }

  /** GeoPackage schema extension: a column's alias is its `name`, its domain a data-column constraint. */
  private async writeDataColumns(tableName: string, columns: ColumnPlan[]): Promise<void> {
    const described = columns.filter((c) => c.alias !== null || c.domain !== null);
    if (described.length === 0) return;
    await this.exec(
      `CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
    );
    await this.exec(
      `CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))`,
    );
    for (const [table, column] of [
      ['gpkg_data_columns', 'null'],
      ['gpkg_data_column_constraints', 'null'],
    ] as const) {
      await this.exec(
        `INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) SELECT ${text(table)}, ${column}, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ${text(table)} AND extension_name = 'gpkg_schema')`,
      );
    }
    for (const c of described) {
      const constraint = c.domain ? c.domain.name : null;
      await this.exec(
        `INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, description, mime_type, constraint_name) VALUES (${text(tableName)}, ${text(c.name)}, ${c.alias === null ? 'NULL' : text(c.alias)}, ${c.alias === null ? 'NULL' : text(c.alias)}, NULL, NULL, ${constraint === null ? 'NULL' : text(constraint)})`,
      );
      if (c.domain) await this.writeDomain(c.domain);
    }
  }

  private async writeDomain(domain: EsriDomain): Promise<void> {
    if (domain.type === 'codedValue') {
      for (const v of domain.codedValues) {
        await this.exec(
          `INSERT OR IGNORE INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, description) VALUES (${text(domain.name)}, 'enum', ${text(String(v.code))}, ${text(String(v.name))})`,
        );
      }
    } else {
      await this.exec(
        `INSERT OR IGNORE INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, min, min_is_inclusive, max, max_is_inclusive) VALUES (${text(domain.name)}, 'range', NULL, ${num(domain.range[0])}, 1, ${num(domain.range[1])}, 1)`,
      );
    }
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      this.ds.close();
    });
    this.closed = true;
  }
}

/** Writes and reads one layer's table. */
export class LayerTable {
  constructor(
    private readonly file: MigrationGeoPackage,
    readonly tableName: string,
    readonly spec: TableSpec,
  ) {}

  /**
   * Writes a page and the progress after it in one transaction: either both are in the file, or
   * neither is.
   */
  async writePage(rows: readonly FeatureRow[], after: { mode: DownloadMode; nextOffset: number; lastObjectId: number | null; written: number }): Promise<void> {
    await this.file.run(async (ds, sql) => {
      const layer = ds.layers.get(this.tableName);
      await sql.exec('BEGIN');
      try {
        for (const row of rows) {
          const feature = new gdal.Feature(layer);
          feature.fid = row.id;
          this.spec.columns.forEach((c, i) => {
            const v = row.values[i];
            if (v !== null && v !== undefined) feature.fields.set(c.name, v);
          });
          if (row.wkb) feature.setGeometry(gdal.Geometry.fromWKB(row.wkb));
          await layer.features.addAsync(feature);
        }
        await sql.exec(
          `UPDATE ${PROGRESS_TABLE} SET mode = ${text(after.mode)}, next_offset = ${int(after.nextOffset)}, last_object_id = ${after.lastObjectId === null ? 'NULL' : int(after.lastObjectId)}, written = ${int(after.written)}, updated_at = ${text(new Date().toISOString())} WHERE layer_id = ${int(this.spec.layerId)}`,
        );
        await sql.exec('COMMIT');
      } catch (error) {
        await sql.exec('ROLLBACK').catch(() => {});
        const e = toTesseraError(error);
        throw new TesseraError('WRITE_FAILED', `${this.tableName}: writing a page of ${rows.length} feature(s) failed: ${e.message}`, {
          transient: e.transient,
        });
      }
    });
  }

  /** Every object id in the table, ascending. */
  async ids(): Promise<number[]> {
    return this.file.run(async (_ds, sql) =>
      (await sql.select(`SELECT CAST(${quote(this.spec.objectIdField)} AS INTEGER) AS object_id FROM ${quote(this.tableName)} ORDER BY 1`)).map((r) =>
        Number(r.object_id),
      ),
    );
  }

  /** Empties the table and its progress (a failed final check starts the layer again on retry). */
  async reset(): Promise<void> {
    await this.file.run(async (_ds, sql) => {
      await sql.exec('BEGIN');
      await sql.exec(`DELETE FROM ${quote(this.tableName)}`);
      await sql.exec(
        `UPDATE ${PROGRESS_TABLE} SET mode = NULL, next_offset = 0, last_object_id = NULL, written = 0, verified = 0, check_json = NULL WHERE layer_id = ${int(this.spec.layerId)}`,
      );
      await sql.exec('COMMIT');
    });
  }

  async markVerified(check: Record<string, unknown>): Promise<void> {
    await this.file.run(async (_ds, sql) => {
      await sql.exec(
        `UPDATE ${PROGRESS_TABLE} SET verified = 1, check_json = ${text(JSON.stringify(check))}, updated_at = ${text(new Date().toISOString())} WHERE layer_id = ${int(this.spec.layerId)}`,
      );
    });
  }
}

/** The layer's spatial reference for GDAL: latestWkid, then wkid (EPSG, else ESRI), then WKT. */
export async function spatialReferenceFor(sr: EsriSpatialReference | null): Promise<gdal.SpatialReference | null> {
  if (!sr) return null;
  const tries: string[] = [];
  for (const code of [sr.latestWkid, sr.wkid]) if (code !== undefined) tries.push(`EPSG:${code}`, `ESRI:${code}`);
  for (const input of tries) {
    try {
      return await gdal.SpatialReference.fromUserInputAsync(input);
    } catch {
      // next candidate
    }
  }
  if (sr.wkt) {
    try {
      return gdal.SpatialReference.fromESRI([sr.wkt]);
    } catch {
      return gdal.SpatialReference.fromWKT(sr.wkt);
    }
  }
  return null;
}

function progressFromRow(r: Record<string, unknown>): LayerProgress {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    layerId: n(r.layer_id_value)!,
    tableName: String(r.table_name),
    mode: r.mode === 'offset' || r.mode === 'ids' ? r.mode : null,
    nextOffset: n(r.next_offset_value) ?? 0,
    lastObjectId: n(r.last_object_id_value),
    written: n(r.written_value) ?? 0,
    verified: n(r.verified_value) === 1,
    columns: JSON.parse(String(r.columns_json)) as ColumnPlan[],
    check: typeof r.check_json === 'string' ? (JSON.parse(r.check_json) as Record<string, unknown>) : null,
  };
}

/** A readable table name from the layer's name, unique in the file. */
export function uniqueTableName(layerName: string, layerId: number, taken: ReadonlySet<string>): string {
  let base = layerName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (base === '' || /^\d/.test(base) || base.startsWith('gpkg_') || base.startsWith('rtree_') || base.startsWith('tessera_') || base.startsWith('sqlite_'))
    base = `layer_${base || layerId}`;
  let name = base;
  for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}_${layerId}${k > 2 ? `_${k}` : ''}`;
  return name;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function text(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TesseraError('INTERNAL', `not an integer: ${value}`);
  return String(value);
}

function num(value: number): string {
  if (!Number.isFinite(value)) throw new TesseraError('INTERNAL', `not a number: ${value}`);
  return String(value);
}
