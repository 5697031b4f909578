/**
 * A migration's bookkeeping while it copies: one row per Esri layer in `tessera_esri_progress`
 * (its table, download mode, next offset, last object id, count written, the final check), always
 * written in the same transaction as the features it describes (layer-table.ts). finish() drops
 * the table: a finished file holds only what the catalogue reads.
 */
import type { ColumnPlan } from './esri-fields.js';
import { type SqlSession, int, text } from './gpkg-sql.js';

export const PROGRESS_TABLE = 'tessera_esri_progress';
/**
 * Explicit columns, the integer ones cast: GDAL's SQL layer takes an INTEGER PRIMARY KEY (or a
 * bare integer column it guesses is one) as the result's FID and drops it from the fields.
 */
const PROGRESS_SELECT = `SELECT CAST(layer_id AS INTEGER) AS layer_id_value, table_name, mode, CAST(next_offset AS INTEGER) AS next_offset_value, CAST(last_object_id AS INTEGER) AS last_object_id_value, CAST(written AS INTEGER) AS written_value, CAST(verified AS INTEGER) AS verified_value, columns_json, check_json FROM ${PROGRESS_TABLE}`;

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

/** Where a layer's download stands after a page. */
export interface PageProgress {
  mode: DownloadMode;
  nextOffset: number;
  lastObjectId: number | null;
  written: number;
}

export async function createProgressTable(sql: SqlSession): Promise<void> {
  await sql.exec(
    `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (layer_id INTEGER PRIMARY KEY, table_name TEXT NOT NULL UNIQUE, mode TEXT, next_offset INTEGER NOT NULL DEFAULT 0, last_object_id INTEGER, written INTEGER NOT NULL DEFAULT 0, verified INTEGER NOT NULL DEFAULT 0, columns_json TEXT NOT NULL, check_json TEXT, updated_at TEXT NOT NULL)`,
  );
}

/** Every layer's progress, by layer id. */
export async function allProgress(sql: SqlSession): Promise<LayerProgress[]> {
  return (await sql.select(`${PROGRESS_SELECT} ORDER BY layer_id`)).map(progressFromRow);
}

export async function layerProgress(sql: SqlSession, layerId: number): Promise<LayerProgress | null> {
  const rows = await sql.select(`${PROGRESS_SELECT} WHERE layer_id = ${int(layerId)}`);
  return rows[0] ? progressFromRow(rows[0]) : null;
}

/** The table names of every layer with progress, lower-case. */
export async function progressTableNames(sql: SqlSession): Promise<Set<string>> {
  return new Set((await sql.select(`SELECT table_name FROM ${PROGRESS_TABLE}`)).map((r) => String(r.table_name).toLowerCase()));
}

/** A new layer's progress: nothing written yet into `tableName`, made with `columns`. */
export async function startProgress(sql: SqlSession, layerId: number, tableName: string, columns: ColumnPlan[]): Promise<LayerProgress> {
  await sql.exec(
    `INSERT INTO ${PROGRESS_TABLE} (layer_id, table_name, columns_json, updated_at) VALUES (${int(layerId)}, ${text(tableName)}, ${text(JSON.stringify(columns))}, ${text(new Date().toISOString())})`,
  );
  return { layerId, tableName, mode: null, nextOffset: 0, lastObjectId: null, written: 0, verified: false, columns, check: null };
}

export async function forgetProgress(sql: SqlSession, layerId: number): Promise<void> {
  await sql.exec(`DELETE FROM ${PROGRESS_TABLE} WHERE layer_id = ${int(layerId)}`);
}

/** The progress after a page, inside the page's transaction. */
export async function recordPage(sql: SqlSession, layerId: number, after: PageProgress): Promise<void> {
  await sql.exec(
    `UPDATE ${PROGRESS_TABLE} SET mode = ${text(after.mode)}, next_offset = ${int(after.nextOffset)}, last_object_id = ${after.lastObjectId === null ? 'NULL' : int(after.lastObjectId)}, written = ${int(after.written)}, updated_at = ${text(new Date().toISOString())} WHERE layer_id = ${int(layerId)}`,
  );
}

/** Back to nothing written, inside the transaction that empties the table. */
export async function resetProgress(sql: SqlSession, layerId: number): Promise<void> {
  await sql.exec(
    `UPDATE ${PROGRESS_TABLE} SET mode = NULL, next_offset = 0, last_object_id = NULL, written = 0, verified = 0, check_json = NULL WHERE layer_id = ${int(layerId)}`,
  );
}

export async function recordVerified(sql: SqlSession, layerId: number, check: Record<string, unknown>): Promise<void> {
  await sql.exec(
    `UPDATE ${PROGRESS_TABLE} SET verified = 1, check_json = ${text(JSON.stringify(check))}, updated_at = ${text(new Date().toISOString())} WHERE layer_id = ${int(layerId)}`,
  );
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
