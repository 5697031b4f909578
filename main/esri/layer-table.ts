/**
 * One Esri layer's table in a migration's GeoPackage: made with the layer's object ids as the
 * primary key (so a feature can never be written twice), its fields as columns and an R-tree
 * spatial index; written a page at a time, each page in ONE transaction together with the layer's
 * progress, so the file and its progress always agree.
 */
import gdal from 'gdal-async';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import type { ColumnPlan, OgrFieldType, StoredValue } from './esri-fields.js';
import { WKB_BASE_TYPE, type EsriGeometryType } from './esri-geometry.js';
import type { EsriSpatialReference } from './esri-layer.js';
import { type GeoPackageQueue, quote } from './gpkg-sql.js';
import { type PageProgress, recordPage, recordVerified, resetProgress } from './migration-progress.js';

export const GEOMETRY_COLUMN = 'geom';

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

/** Makes the layer's table in the file (inside the file's queue). */
export async function createLayerTable(ds: gdal.Dataset, tableName: string, spec: TableSpec): Promise<void> {
  const srs = spec.geometryType ? await spatialReferenceFor(spec.spatialReference) : null;
  const geometryType = spec.geometryType ? ogrGeometryType(spec.geometryType, spec.hasZ, spec.hasM) : gdal.wkbNone;
  const options = [
    `FID=${spec.objectIdField}`,
    ...(spec.geometryType ? [`GEOMETRY_NAME=${GEOMETRY_COLUMN}`, 'SPATIAL_INDEX=YES'] : []),
    `IDENTIFIER=${spec.layerName}`,
  ];
  const layer = await ds.layers.createAsync(tableName, srs, geometryType, options);
  for (const c of spec.columns) {
    const def = new gdal.FieldDefn(c.name, OGR_TYPES[c.ogrType]);
    if (c.width > 0) def.width = c.width;
    layer.fields.add(def);
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

/** Writes and reads one layer's table. */
export class LayerTable {
  constructor(
    private readonly file: GeoPackageQueue,
    readonly tableName: string,
    readonly spec: TableSpec,
  ) {}

  /**
   * Writes a page and the progress after it in one transaction: either both are in the file, or
   * neither is.
   */
  async writePage(rows: readonly FeatureRow[], after: PageProgress): Promise<void> {
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
        await recordPage(sql, this.spec.layerId, after);
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
      await resetProgress(sql, this.spec.layerId);
      await sql.exec('COMMIT');
    });
  }

  async markVerified(check: Record<string, unknown>): Promise<void> {
    await this.file.run(async (_ds, sql) => {
      await recordVerified(sql, this.spec.layerId, check);
    });
  }
}
