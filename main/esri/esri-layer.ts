/**
 * A layer's (or table's) JSON read into what a migration needs: the object-id field, paging
 * capabilities, the page size it may ask for, dimensions, spatial reference and fields.
 */
import { TesseraError } from '../../shared/errors.js';
import type { EsriField } from './esri-fields.js';
import { isEsriGeometryType, type EsriGeometryType } from './esri-geometry.js';

export interface EsriSpatialReference {
  wkid?: number;
  latestWkid?: number;
  wkt?: string;
}

export interface EsriLayerInfo {
  id: number;
  name: string;
  type: 'layer' | 'table';
  geometryType: EsriGeometryType | null;
  objectIdField: string;
  fields: EsriField[];
  hasZ: boolean;
  hasM: boolean;
  spatialReference: EsriSpatialReference | null;
  /** The most features one query returns (the server's cap). */
  maxRecordCount: number;
  supportsPagination: boolean;
  supportsAdvancedQueries: boolean;
  supportsOrderBy: boolean;
  /** What the server reports about itself, for the copy's metadata. */
  description: string;
  copyrightText: string;
}

/** ArcGIS Server's documented default when a layer does not say. */
export const DEFAULT_MAX_RECORD_COUNT = 1000;

export function readLayerInfo(json: Record<string, unknown>, id: number, serviceJson: Record<string, unknown> | null): EsriLayerInfo {
  const name = typeof json.name === 'string' ? json.name : `layer ${id}`;
  const fields = Array.isArray(json.fields) ? (json.fields as EsriField[]).filter((f) => f && typeof f.name === 'string' && typeof f.type === 'string') : [];
  const geometryType = isEsriGeometryType(json.geometryType) ? json.geometryType : null;
  const advanced = (json.advancedQueryCapabilities ?? {}) as Record<string, unknown>;
  const oidFromField = fields.find((f) => f.type === 'esriFieldTypeOID')?.name;
  const uniqueId = (json.uniqueIdField as { name?: unknown } | undefined)?.name;
  const objectIdField = (typeof json.objectIdField === 'string' && json.objectIdField) || oidFromField || (typeof uniqueId === 'string' ? uniqueId : '');
  if (!objectIdField) throw new TesseraError('DATASET_UNREADABLE', `layer ${id} (${name}) has no object-id field: its features cannot be paged or checked`);
  const maxRecordCount = positiveInt(json.maxRecordCount) ?? positiveInt(serviceJson?.maxRecordCount) ?? DEFAULT_MAX_RECORD_COUNT;
  const sr = spatialReferenceOf(json) ?? spatialReferenceOf(serviceJson ?? {});
  return {
    id,
    name,
    type: json.type === 'Table' || geometryType === null ? 'table' : 'layer',
    geometryType,
    objectIdField,
    fields,
    hasZ: json.hasZ === true,
    hasM: json.hasM === true,
    spatialReference: geometryType === null ? null : sr,
    maxRecordCount,
    supportsPagination: (advanced.supportsPagination ?? json.supportsPagination) === true,
    supportsAdvancedQueries: json.supportsAdvancedQueries === true,
    supportsOrderBy: (advanced.supportsOrderBy ?? json.supportsAdvancedQueries) === true,
    description: typeof json.description === 'string' ? json.description : '',
    copyrightText: typeof json.copyrightText === 'string' ? json.copyrightText : '',
  };
}

function spatialReferenceOf(json: Record<string, unknown>): EsriSpatialReference | null {
  const candidates = [json.sourceSpatialReference, (json.extent as { spatialReference?: unknown } | undefined)?.spatialReference, json.spatialReference];
  for (const c of candidates) {
    if (typeof c !== 'object' || c === null) continue;
    const s = c as Record<string, unknown>;
    const out: EsriSpatialReference = {};
    if (typeof s.wkid === 'number') out.wkid = s.wkid;
    if (typeof s.latestWkid === 'number') out.latestWkid = s.latestWkid;
    if (typeof s.wkt === 'string' && s.wkt) out.wkt = s.wkt;
    if (out.wkid !== undefined || out.latestWkid !== undefined || out.wkt !== undefined) return out;
  }
  return null;
}

/** `EPSG:N` (latestWkid preferred: 102100 is EPSG:3857), `ESRI:N` for Esri-only codes, or null. */
export function crsLabel(sr: EsriSpatialReference | null): string | null {
  if (!sr) return null;
  const code = sr.latestWkid ?? sr.wkid;
  if (code === undefined) return sr.wkt ? 'WKT' : null;
  return code >= 100_000 && code < 200_000 && sr.latestWkid === undefined ? `ESRI:${code}` : `EPSG:${code}`;
}

/** The service's layers and tables as its JSON lists them. */
export function listedLayers(serviceJson: Record<string, unknown>): { id: number; name: string; type: 'layer' | 'table' }[] {
  const take = (value: unknown, type: 'layer' | 'table') =>
    Array.isArray(value)
      ? (value as { id?: unknown; name?: unknown; subLayerIds?: unknown }[])
          // Group layers of a MapServer hold no features of their own.
          .filter((l) => typeof l.id === 'number' && !(Array.isArray(l.subLayerIds) && l.subLayerIds.length > 0))
          .map((l) => ({ id: l.id as number, name: typeof l.name === 'string' ? l.name : `${type} ${String(l.id)}`, type }))
      : [];
  return [...take(serviceJson.layers, 'layer'), ...take(serviceJson.tables, 'table')];
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
