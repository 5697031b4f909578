/**
 * Completing a migration's GeoPackage for the catalogue: where each table came from and when as
 * GeoPackage metadata (gpkg_metadata, referenced per table, JSON under ESRI_SOURCE_URI), the
 * fields' aliases and domains as GeoPackage data columns, a spatial index on every geometry table,
 * and no progress table. Not as a table of its own: GDAL and QGIS list any table outside
 * gpkg_contents as a layer of the user's file (a `tessera_esri_layers` table did, 4,557 features
 * counted for 4,556).
 */
import type { ColumnPlan, EsriDomain } from './esri-fields.js';
import { type SqlSession, num, text } from './gpkg-sql.js';
import { PROGRESS_TABLE, allProgress } from './migration-progress.js';

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

/** What finish() records of the copy. */
export interface MigrationSource {
  serviceUrl: string;
  copiedAt: string;
  where: string | null;
  layers: { layerId: number; layerName: string; sourceCount: number }[];
}

/** Records the sources and data columns and drops the progress in one transaction, then indexes. */
export async function finishForCatalogue(sql: SqlSession, source: MigrationSource): Promise<void> {
  const progress = await allProgress(sql);
  await sql.exec('BEGIN');
  try {
    await sql.exec(`DROP TABLE IF EXISTS ${LEGACY_SOURCE_TABLE}`);
    await ensureMetadataTables(sql);
    await sql.exec(`DELETE FROM gpkg_metadata_reference WHERE md_file_id IN (SELECT id FROM gpkg_metadata WHERE md_standard_uri = ${text(ESRI_SOURCE_URI)})`);
    await sql.exec(`DELETE FROM gpkg_metadata WHERE md_standard_uri = ${text(ESRI_SOURCE_URI)}`);
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
      await sql.exec(
        `INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', ${text(ESRI_SOURCE_URI)}, 'application/json', ${text(JSON.stringify(record))})`,
      );
      await sql.exec(
        `INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, timestamp, md_file_id) VALUES ('table', ${text(p.tableName)}, NULL, NULL, ${text(source.copiedAt)}, (SELECT max(id) FROM gpkg_metadata))`,
      );
      await writeDataColumns(sql, p.tableName, p.columns);
    }
    await sql.exec(`DROP TABLE IF EXISTS ${PROGRESS_TABLE}`);
    await sql.exec('COMMIT');
  } catch (error) {
    await sql.exec('ROLLBACK').catch(() => {});
    throw error;
  }
  for (const p of progress) {
    const geometry = await sql.select(`SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ${text(p.tableName)}`);
    if (geometry.length === 0) continue;
    const has = await sql.select(`SELECT HasSpatialIndex(${text(p.tableName)}, ${text(String(geometry[0]!.column_name))}) AS has`);
    if (!has[0] || Number(has[0].has) !== 1) await sql.select(`SELECT CreateSpatialIndex(${text(p.tableName)}, ${text(String(geometry[0]!.column_name))})`);
  }
}

/** The GeoPackage metadata extension's tables (spec 1.2.1, F.8), registered in gpkg_extensions. */
async function ensureMetadataTables(sql: SqlSession): Promise<void> {
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')`,
  );
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))`,
  );
  for (const table of ['gpkg_metadata', 'gpkg_metadata_reference']) {
    await sql.exec(
      `INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) SELECT ${text(table)}, NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec121/#extension_metadata', 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ${text(table)} AND extension_name = 'gpkg_metadata')`,
    );
  }
}

/** GeoPackage schema extension: a column's alias is its `name`, its domain a data-column constraint. */
async function writeDataColumns(sql: SqlSession, tableName: string, columns: ColumnPlan[]): Promise<void> {
  const described = columns.filter((c) => c.alias !== null || c.domain !== null);
  if (described.length === 0) return;
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, name))`,
  );
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))`,
  );
  for (const [table, column] of [
    ['gpkg_data_columns', 'null'],
    ['gpkg_data_column_constraints', 'null'],
  ] as const) {
    await sql.exec(
      `INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) SELECT ${text(table)}, ${column}, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = ${text(table)} AND extension_name = 'gpkg_schema')`,
    );
  }
  for (const c of described) {
    const constraint = c.domain ? c.domain.name : null;
    await sql.exec(
      `INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, title, description, mime_type, constraint_name) VALUES (${text(tableName)}, ${text(c.name)}, ${c.alias === null ? 'NULL' : text(c.alias)}, ${c.alias === null ? 'NULL' : text(c.alias)}, NULL, NULL, ${constraint === null ? 'NULL' : text(constraint)})`,
    );
    if (c.domain) await writeDomain(sql, c.domain);
  }
}

async function writeDomain(sql: SqlSession, domain: EsriDomain): Promise<void> {
  if (domain.type === 'codedValue') {
    for (const v of domain.codedValues) {
      await sql.exec(
        `INSERT OR IGNORE INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, description) VALUES (${text(domain.name)}, 'enum', ${text(String(v.code))}, ${text(String(v.name))})`,
      );
    }
  } else {
    await sql.exec(
      `INSERT OR IGNORE INTO gpkg_data_column_constraints (constraint_name, constraint_type, value, min, min_is_inclusive, max, max_is_inclusive) VALUES (${text(domain.name)}, 'range', NULL, ${num(domain.range[0])}, 1, ${num(domain.range[1])}, 1)`,
    );
  }
}
