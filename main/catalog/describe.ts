/**
 * What the catalogue says about a dataset file, read with GDAL's async API: its layers (geometry
 * type, feature count, fields, CRS, WGS84 bounds, invalid geometries) or its raster (size, bands,
 * type, CRS), and the WGS84 bounds of the whole.
 *
 * Used on the catalogue's own files (an imported GeoPackage or COG), so the cheap paths apply:
 * GeoPackage counts and extents come from its metadata tables, and invalid geometries are counted
 * by one SQL statement (ST_IsValid, SpatiaLite) on GDAL's thread pool rather than feature by feature.
 */
import { stat } from 'node:fs/promises';
import gdal from 'gdal-async';
import type { Bbox, CatalogDataset, CatalogLayer } from '../../shared/contract.js';
import { throwIfAborted } from '../../shared/errors.js';
import { openAll, settleAll } from './settle-all.js';
import { toLonLat } from '../tiling/crs.js';

export interface DatasetDescription {
  kind: CatalogDataset['kind'];
  layers: CatalogLayer[];
  raster: CatalogDataset['raster'];
  /** WGS84 bounds of everything in the dataset; null when nothing has a known place. */
  bounds: Bbox | null;
}

/** Describes the vector GeoPackage or raster file at `file`. */
export async function describeDataset(file: string, signal?: AbortSignal): Promise<DatasetDescription> {
  const ds = await gdal.openAsync(file);
  try {
    const layerCount = await ds.layers.countAsync();
    if (layerCount > 0) {
      const layers: CatalogLayer[] = [];
      for (let i = 0; i < layerCount; i++) {
        throwIfAborted(signal);
        layers.push(await describeLayer(ds, await ds.layers.getAsync(i)));
      }
      return { kind: 'vector', layers, raster: null, bounds: unionBounds(layers.map((l) => l.bounds)) };
    }
    const bands = await ds.bands.countAsync();
    const band = bands > 0 ? await ds.bands.getAsync(1) : null;
    const srs = ds.srs;
    return {
      kind: 'raster',
      layers: [],
      raster: { width: ds.rasterSize.x, height: ds.rasterSize.y, bands, dataType: band?.dataType ?? 'unknown', crs: crsLabel(srs) },
      bounds: srs && ds.geoTransform ? rasterBounds(ds.geoTransform, ds.rasterSize, srs) : null,
    };
  } finally {
    ds.close();
  }
}

/** One open layer; `validity` false leaves invalidGeometries null (to be counted later). */
export async function describeLayer(ds: gdal.Dataset, layer: gdal.Layer, validity = true): Promise<CatalogLayer> {
  const hasGeometry = layer.geomType !== gdal.wkbNone;
  const featureCount = await layer.features.countAsync(true);
  const srs = layer.srs;
  let bounds: Bbox | null = null;
  if (hasGeometry && featureCount > 0) {
    // No extent when no feature has a geometry GDAL could read (GeoJSON's "coordinates": ["x"]).
    const e = extentOf(layer);
    if (e) bounds = transformBounds([e.minX, e.minY, e.maxX, e.maxY], srs);
  }
  return {
    name: layer.name,
    geometryType: hasGeometry ? await geometryTypeName(ds, layer, featureCount) : null,
    featureCount,
    fields: layer.fields.map((f) => ({ name: f.name, type: f.type })),
    crs: crsLabel(srs),
    bounds,
    invalidGeometries: !hasGeometry || featureCount === 0 ? 0 : validity ? await countInvalid(ds, layer) : null,
  };
}

/** The GeoPackage's geometry type names (ST_GeometryType) as OGR spells them. */
const GPKG_TYPE_NAMES: Record<string, string> = {
  POINT: 'Point',
  LINESTRING: 'Line String',
  POLYGON: 'Polygon',
  MULTIPOINT: 'Multi Point',
  MULTILINESTRING: 'Multi Line String',
  MULTIPOLYGON: 'Multi Polygon',
  GEOMETRYCOLLECTION: 'Geometry Collection',
};

/**
 * The layer's geometry type as OGR names it, or, for a GeoPackage layer typed "any" (what GDAL
 * makes of a GeoJSON, plain or gzipped, that mixes Polygon and MultiPolygon features), the types
 * its features actually hold ("Polygon / Multi Polygon"): "Unknown (any)" tells the operator
 * nothing, and the map styles a layer by these words. One SQL pass over the geometry blobs' headers;
 * any other driver, or a statement GDAL refuses, keeps OGR's own name.
 */
async function geometryTypeName(ds: gdal.Dataset, layer: gdal.Layer, featureCount: number): Promise<string> {
  const declared = gdal.Geometry.getName(layer.geomType);
  if (layer.geomType !== gdal.wkbUnknown || featureCount === 0 || ds.driver.description !== 'GPKG' || !layer.geomColumn) return declared;
  try {
    const column = quoteIdentifier(layer.geomColumn);
    const result = await ds.executeSQLAsync(
      `SELECT DISTINCT ST_GeometryType(${column}) AS t FROM ${quoteIdentifier(layer.name)} WHERE ${column} IS NOT NULL LIMIT 8`,
    );
    const names = new Set<string>();
    for (let row = await result.features.nextAsync(); row; row = await result.features.nextAsync()) {
      const wkt = String(row.fields.get('t') ?? '');
      // "POLYGON Z" and the like: the dimension suffix is kept, in OGR's words ("3D Polygon").
      const [base = '', dims = ''] = wkt.split(' ');
      const name = GPKG_TYPE_NAMES[base.toUpperCase()];
      if (name) names.add(dims ? `3D ${name}` : name);
    }
    const order = Object.values(GPKG_TYPE_NAMES);
    const found = [...names].sort((a, b) => order.indexOf(a.replace('3D ', '')) - order.indexOf(b.replace('3D ', '')));
    return found.length > 0 ? found.join(' / ') : declared;
  } catch {
    return declared;
  }
}

/** The layer's extent; null when it has none (every geometry NULL: GDAL then refuses to give one). */
function extentOf(layer: gdal.Layer): gdal.Envelope | null {
  try {
    return layer.getExtent(false);
  } catch {
    try {
      return layer.getExtent(true);
    } catch {
      return null;
    }
  }
}

/**
 * Features whose geometry GEOS finds invalid: one SQL statement (a GeoPackage's own SQLite, or
 * GDAL's SQLite dialect over any other driver), else a scan when there is no SpatiaLite.
 *
 * `share` counts only the features whose FID falls in share `part` of `parts` (by FID modulo), so
 * that several handles can count one layer side by side on GDAL's thread pool; their counts add up
 * to the layer's. The scan fallback is done whole by share 0.
 */
export async function countInvalid(
  ds: gdal.Dataset,
  layer: gdal.Layer,
  share: { part: number; parts: number; fids?: [number, number] } = { part: 0, parts: 1 },
): Promise<number> {
  const native = ds.driver.description === 'GPKG' || ds.driver.description === 'SQLite';
  const table = quoteIdentifier(layer.name);
  const column = quoteIdentifier(layer.geomColumn || (native ? 'geom' : 'GEOMETRY'));
  const { part, parts, fids } = share;
  // ROWID is the FID in both; FIDs may be negative, hence the double modulo.
  const inShare = parts > 1 ? `((ROWID % ${parts}) + ${parts}) % ${parts} = ${part} AND ` : '';
  const inRange = fids ? `ROWID BETWEEN ${fids[0]} AND ${fids[1]} AND ` : '';
  try {
    const sql = `SELECT COUNT(*) AS invalid FROM ${table} WHERE ${inRange}${inShare}${column} IS NOT NULL AND NOT ST_IsValid(${column})`;
    const result = native ? await ds.executeSQLAsync(sql) : await ds.executeSQLAsync(sql, undefined, 'SQLite');
    const row = await result.features.nextAsync();
    const value = row?.fields.get('invalid');
    if (typeof value === 'number') return value;
  } catch {
    // GDAL without SpatiaLite has no ST_IsValid: count feature by feature below.
  }
  if (part !== 0) return 0;
  let invalid = 0;
  if (fids) layer.setAttributeFilter(`FID >= ${fids[0]} AND FID <= ${fids[1]}`);
  try {
    layer.features.first();
    for (let f = await layer.features.nextAsync(); f; f = await layer.features.nextAsync()) {
      const g = f.getGeometry();
      if (g && !(await g.isValidAsync())) invalid++;
    }
  } finally {
    if (fids) layer.setAttributeFilter(null);
  }
  return invalid;
}

/** Bytes of the file counted per batch: GEOS sees about this much geometry between two looks at the signal. */
const VALIDITY_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Invalid geometries of layer `name` of the GeoPackage `file`, counted in batches of FIDs (each about
 * `batchBytes` of the file, the layer's FID range split by its mean feature size), each batch split
 * between `shares` handles as countInvalidShared does. Between batches the signal is looked at, so a
 * huge layer (107 MB of coastlines: seconds of GEOS) stops within one batch when the engine closes or
 * the dataset is deleted, and other GDAL work (the next ingest) gets the pool's threads in between.
 */
export async function countInvalidBatched(
  file: string,
  name: string,
  options: { signal?: AbortSignal; batchBytes?: number; shares?: number; onBatch?(fids: [number, number]): void } = {},
): Promise<number> {
  const shares = options.shares ?? 2;
  const handles = await openAll(shares, () => gdal.openAsync(file));
  try {
    const first = await handles[0]!.layers.getAsync(name);
    if (first.geomType === gdal.wkbNone) return 0;
    const stats = await handles[0]!.executeSQLAsync(`SELECT MIN(ROWID) AS lo, MAX(ROWID) AS hi, COUNT(*) AS n FROM ${quoteIdentifier(name)}`);
    const row = (await stats.features.nextAsync())?.fields.toObject() as { lo: number | null; hi: number | null; n: number } | undefined;
    if (!row || row.lo === null || row.hi === null || row.n === 0) return 0;
    const bytes = (await stat(file)).size;
    const batchFeatures = Math.max(1, Math.floor((options.batchBytes ?? VALIDITY_BATCH_BYTES) / Math.max(1, bytes / row.n)));
    // Gaps in the FIDs only make some batches smaller.
    const step = Math.max(1, Math.ceil(((row.hi - row.lo + 1) * batchFeatures) / row.n));
    let invalid = 0;
    for (let lo = row.lo; lo <= row.hi; lo += step) {
      throwIfAborted(options.signal);
      const fids: [number, number] = [lo, Math.min(row.hi, lo + step - 1)];
      const counts = await settleAll(handles.map(async (ds, part) => countInvalid(ds, await ds.layers.getAsync(name), { part, parts: shares, fids })));
      invalid += counts.reduce((a, b) => a + b, 0);
      options.onBatch?.(fids);
    }
    return invalid;
  } finally {
    for (const ds of handles) ds.close();
  }
}

/**
 * Invalid geometries of layer `name` of `file`, the layer split by FID between `shares` read-only
 * handles that GDAL's pool counts side by side (world_map.gpkg: 161–179 ms with two, 239–299
 * with one).
 */
export async function countInvalidShared(file: string, name: string, shares = 2): Promise<number> {
  const handles = await openAll(shares, () => gdal.openAsync(file));
  try {
    const counts = await settleAll(
      handles.map(async (ds, part) => {
        const layer = await ds.layers.getAsync(name);
        return layer.geomType === gdal.wkbNone ? 0 : countInvalid(ds, layer, { part, parts: shares });
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    for (const ds of handles) ds.close();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `EPSG:4326` when the CRS has an authority code (identified if need be), else its WKT name. */
export function crsLabel(srs: gdal.SpatialReference | null): string | null {
  if (!srs) return null;
  const named = authority(srs);
  if (named) return named;
  try {
    const copy = srs.clone();
    copy.autoIdentifyEPSG();
    const identified = authority(copy);
    if (identified) return identified;
  } catch {
    // Not identifiable: fall back to its name.
  }
  return srs.getAttrValue(srs.isProjected() ? 'PROJCS' : 'GEOGCS') || 'unnamed CRS';
}

function authority(srs: gdal.SpatialReference): string | null {
  const key = srs.isProjected() ? 'PROJCS' : srs.isGeographic() ? 'GEOGCS' : null;
  const name = srs.getAuthorityName(key);
  const code = srs.getAuthorityCode(key);
  return name && code ? `${name}:${code}` : null;
}

/**
 * A bbox in `srs` as WGS84 lon/lat: its edges are densified (projected edges curve in lon/lat),
 * points that do not transform are skipped, and the result is clamped to the world. A layer
 * without a CRS is taken as lon/lat when its numbers fit, as GeoJSON's rule has it.
 */
export function transformBounds(bbox: Bbox, srs: gdal.SpatialReference | null): Bbox | null {
  const [w, s, e, n] = bbox;
  if (![w, s, e, n].every(Number.isFinite)) return null;
  let transform: gdal.CoordinateTransformation | null = null;
  if (srs) {
    try {
      transform = toLonLat(srs);
    } catch {
      return null;
    }
  } else if (w < -180 || e > 180 || s < -90 || n > 90) return null;
  const steps = 20;
  const out = { w: Infinity, s: Infinity, e: -Infinity, n: -Infinity };
  for (let i = 0; i <= steps; i++) {
    const fx = w + ((e - w) * i) / steps;
    const fy = s + ((n - s) * i) / steps;
    for (const [x, y] of [
      [fx, s],
      [fx, n],
      [w, fy],
      [e, fy],
    ] as const) {
      let point = { x, y };
      if (transform) {
        try {
          point = transform.transformPoint(x, y) as { x: number; y: number };
        } catch {
          continue;
        }
      }
      if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) continue;
      out.w = Math.min(out.w, point.x);
      out.e = Math.max(out.e, point.x);
      out.s = Math.min(out.s, point.y);
      out.n = Math.max(out.n, point.y);
    }
  }
  if (!Number.isFinite(out.w)) return null;
  const clamp = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v));
  return [clamp(out.w, 180), clamp(out.s, 90), clamp(out.e, 180), clamp(out.n, 90)];
}

function rasterBounds(gt: number[], size: { x: number; y: number }, srs: gdal.SpatialReference): Bbox | null {
  const [x0, dx, rx, y0, ry, dy] = gt as [number, number, number, number, number, number];
  const xs = [x0, x0 + dx * size.x + rx * size.y, x0 + rx * size.y, x0 + dx * size.x];
  const ys = [y0, y0 + ry * size.x + dy * size.y, y0 + dy * size.y, y0 + ry * size.x];
  return transformBounds([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], srs);
}

/** The bbox around all of `boxes` (nulls skipped); null when there are none. */
export function unionBounds(boxes: readonly (Bbox | null)[]): Bbox | null {
  const present = boxes.filter((b): b is Bbox => b !== null);
  if (present.length === 0) return null;
  return [
    Math.min(...present.map((b) => b[0])),
    Math.min(...present.map((b) => b[1])),
    Math.max(...present.map((b) => b[2])),
    Math.max(...present.map((b) => b[3])),
  ];
}
