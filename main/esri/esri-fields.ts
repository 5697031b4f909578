/**
 * Esri field definitions to GeoPackage columns, and Esri JSON attribute values to what GDAL
 * stores, without losing anything: dates (epoch milliseconds) keep their milliseconds, coded
 * domain values stay codes (the domain itself is kept beside the table as GeoPackage data-column
 * constraints), 64-bit integers stay 64-bit, aliases are kept as GeoPackage data-column titles.
 *
 * Pure: no GDAL here; the writer turns `OgrFieldType` into GDAL's constants.
 */
import { TesseraError } from '../../shared/errors.js';

export type OgrFieldType = 'Integer' | 'Integer64' | 'Real' | 'String' | 'Date' | 'Time' | 'DateTime' | 'Binary';

/** A coded-value or range domain as the layer JSON gives it. */
export type EsriDomain =
  | { type: 'codedValue'; name: string; codedValues: { name: string; code: string | number }[] }
  | { type: 'range'; name: string; range: [number, number] };

export interface EsriField {
  name: string;
  type: string;
  alias?: string | null;
  length?: number | null;
  domain?: EsriDomain | null;
}

/** How one Esri field becomes one column. */
export interface ColumnPlan {
  /** The Esri field name (key in `attributes`). */
  source: string;
  /** The column name in the GeoPackage (the same, unless it collides with the id or geometry column). */
  name: string;
  ogrType: OgrFieldType;
  esriType: string;
  width: number;
  alias: string | null;
  domain: EsriDomain | null;
}

/** Field types that carry no attribute value in a query result. */
const SKIPPED_TYPES = new Set(['esriFieldTypeGeometry', 'esriFieldTypeRaster']);

const TYPE_MAP: Record<string, OgrFieldType> = {
  esriFieldTypeSmallInteger: 'Integer',
  esriFieldTypeInteger: 'Integer',
  esriFieldTypeBigInteger: 'Integer64',
  esriFieldTypeOID: 'Integer64',
  esriFieldTypeSingle: 'Real',
  esriFieldTypeDouble: 'Real',
  esriFieldTypeString: 'String',
  esriFieldTypeGUID: 'String',
  esriFieldTypeGlobalID: 'String',
  esriFieldTypeXML: 'String',
  esriFieldTypeDate: 'DateTime',
  esriFieldTypeDateOnly: 'Date',
  esriFieldTypeTimeOnly: 'Time',
  esriFieldTypeTimestampOffset: 'DateTime',
  esriFieldTypeBlob: 'Binary',
};

/**
 * The columns for a layer's fields: every field but the object id (it becomes the GeoPackage's
 * primary key, named after it), geometry and raster fields. Names that would clash with the id
 * or geometry column get a suffix.
 */
export function planColumns(fields: readonly EsriField[], idField: string, geometryColumn: string): ColumnPlan[] {
  const taken = new Set([idField.toLowerCase(), geometryColumn.toLowerCase()]);
  const columns: ColumnPlan[] = [];
  for (const f of fields) {
    if (f.name === idField || SKIPPED_TYPES.has(f.type)) continue;
    const ogrType = TYPE_MAP[f.type];
    if (ogrType === undefined) throw new TesseraError('DATASET_UNREADABLE', `field ${f.name}: unknown Esri field type ${f.type}`);
    let name = f.name;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${f.name}_${k}`;
    taken.add(name.toLowerCase());
    const alias = typeof f.alias === 'string' && f.alias !== '' && f.alias !== f.name ? f.alias : null;
    columns.push({
      source: f.name,
      name,
      ogrType,
      esriType: f.type,
      width: ogrType === 'String' && typeof f.length === 'number' && f.length > 0 ? f.length : 0,
      alias,
      domain: normalizeDomain(f.domain),
    });
  }
  return columns;
}

function normalizeDomain(domain: EsriDomain | null | undefined): EsriDomain | null {
  if (!domain || typeof domain !== 'object') return null;
  if (domain.type === 'codedValue' && Array.isArray(domain.codedValues)) return domain;
  if (domain.type === 'range' && Array.isArray(domain.range) && domain.range.length === 2) return domain;
  return null;
}

/** A value as GDAL's field setter takes it; null for a null attribute. */
export type StoredValue = number | string | null;

/**
 * One attribute value, converted for its column. Dates arrive as epoch milliseconds and are
 * stored as ISO instants with milliseconds (GDAL parses those into DateTime exactly).
 */
export function convertValue(value: unknown, column: ColumnPlan): StoredValue {
  if (value === null || value === undefined) return null;
  switch (column.ogrType) {
    case 'Integer':
    case 'Integer64':
    case 'Real':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw badValue(column, value);
    case 'DateTime':
      if (typeof value === 'number') return epochToIso(value);
      // TimestampOffset (and some servers' dates) come as ISO strings: kept with their offset.
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw badValue(column, value);
    case 'Date':
    case 'Time':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && column.ogrType === 'Date') return epochToIso(value).slice(0, 10);
      throw badValue(column, value);
    case 'String':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'Binary':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Epoch milliseconds to `YYYY-MM-DDTHH:MM:SS.sssZ` (years outside 0–9999 included). */
export function epochToIso(ms: number): string {
  if (!Number.isFinite(ms)) throw new TesseraError('DATASET_UNREADABLE', `a date of ${ms} ms is not a number of milliseconds`);
  return new Date(ms).toISOString();
}

function badValue(column: ColumnPlan, value: unknown): TesseraError {
  return new TesseraError('DATASET_UNREADABLE', `field ${column.source} (${column.esriType}): cannot store ${JSON.stringify(value).slice(0, 80)}`);
}
