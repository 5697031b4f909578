/**
 * What an OGR source holds, read with GDAL on the engine's thread: its layers, their attributes,
 * feature counts and extents in WGS84 (lon/lat). A source GDAL cannot open, or that has no vector
 * layer, is DATASET_UNREADABLE with GDAL's own message and the file's name.
 */
import { stat } from 'node:fs/promises';
import gdal from 'gdal-async';
import { gdalSourcePath } from '../../gdal/archive-source.js';
import { openVector } from '../../gdal/open-vector.js';
import { isShapefile, missingPartsText, shapefileMissing } from '../../gdal/shapefile-parts.js';
import type { Bbox } from '../../../shared/contract.js';
import { TesseraError, throwIfAborted } from '../../../shared/errors.js';
import { NO_CRS_WAYS } from '../../../shared/kinds/vector-preseed.js';
import { shapefileCrsHint } from '../../ingest/import-dataset.js';
import { impliedLonLat } from '../../ingest/inspect.js';
import { toLonLat } from '../../tiling/crs.js';

export interface SourceLayerInfo {
  name: string;
  featureCount: number;
  /** Attribute name → OGR field type ('string', 'integer', 'real', 'date'…). */
  fields: Record<string, string>;
  /** WGS84 [west, south, east, north], clamped to the world; null when the layer is empty. */
  bounds: Bbox | null;
  /** The layer's CRS as GDAL describes it (a short name), the CRS the job assigns to a layer that
   *  names none, or null for a layer without a geometry or one lon/lat by its format (GeoJSON, KML,
   *  GPX, a CSV of lon/lat). A layer that names no CRS otherwise is NO_GEOREFERENCE (sourceCrs). */
  crs: string | null;
  /** Lon/lat of a point on the layer's first feature: where a sample of real (non-empty) tiles is cut. */
  samplePoint: [number, number] | null;
}

export interface SourceInfo {
  path: string;
  driver: string;
  layers: SourceLayerInfo[];
}

/** Names GDAL treats as connections or virtual files, not paths on disk. */
export function isConnectionOrVirtual(path: string): boolean {
  return /^(PG:|MySQL:|OCI:|MSSQL:|ODBC:|WFS:|\/vsi)/i.test(path);
}

export function unreadable(path: string, why: string): TesseraError {
  return new TesseraError('DATASET_UNREADABLE', `${path}: ${why}`, { details: { path } });
}

/**
 * A .shp without its .shx or .dbf beside it, as DATASET_UNREADABLE said as the ingest says it
 * ("its .shx and .dbf are missing; add them …"), not as GDAL's SHAPE_RESTORE_SHX; null otherwise.
 */
export async function incompleteShapefile(path: string): Promise<TesseraError | null> {
  if (!isShapefile(path)) return null;
  const missing = await shapefileMissing(path);
  if (missing.length === 0) return null;
  return new TesseraError('DATASET_UNREADABLE', `${path}: ${missingPartsText(missing, 'beside it')}`, {
    details: { path, reason: 'missing-parts', missing: missing.map((m) => `.${m}`) },
  });
}

/** Opens `path` read-only with GDAL's async API (the caller closes it). */
export async function openSource(path: string): Promise<gdal.Dataset> {
  const incomplete = await incompleteShapefile(path);
  if (incomplete) throw incomplete;
  // A .zip or .gz is read inside its archive once the archive checks pass (main/gdal/archive-source.ts).
  const gdalPath = await gdalSourcePath(path);
  try {
    return await openVector(gdalPath);
  } catch (error) {
    throw unreadable(path, `GDAL cannot open it: ${(error as Error).message}`);
  }
}

/**
 * Inspections of files by path, kept while the file's size and modification time stay the same: a
 * job's validation, its estimate and its start each inspect every source, and GDAL's GeoJSON driver
 * parses the whole file to open it (4.3 s of CPU for 38 MB), so the three share one.
 */
const inspected = new Map<string, { stamp: string; info: SourceInfo }>();
const INSPECTED_KEPT = 32;

async function fileStamp(path: string): Promise<string | null> {
  if (isConnectionOrVirtual(path)) return null;
  try {
    const s = await stat(path);
    return s.isFile() ? `${s.size}:${s.mtimeMs}:${s.ino}` : null;
  } catch {
    return null;
  }
}

/** What `path` holds, its layers that name no CRS read in `assignCrs` (the job's param) when given. */
export async function inspectSource(path: string, signal?: AbortSignal, assignCrs?: string): Promise<SourceInfo> {
  if (signal) throwIfAborted(signal);
  const stamp = await fileStamp(path);
  const key = assignCrs === undefined ? path : `${path}\n${assignCrs}`;
  const known = inspected.get(key);
  if (stamp !== null && known?.stamp === stamp) return known.info;
  const info = await inspectOnce(path, signal, assignCrs);
  if (stamp !== null) {
    inspected.delete(key);
    inspected.set(key, { stamp, info });
    if (inspected.size > INSPECTED_KEPT) inspected.delete(inspected.keys().next().value!);
  }
  return info;
}

/** inspectSource, its failure as a TesseraError value (a job's item fails with it when it runs). */
export function inspectOrError(path: string, signal: AbortSignal, assignCrs: string | undefined): Promise<SourceInfo | TesseraError> {
  return inspectSource(path, signal, assignCrs).catch((e: unknown) =>
    e instanceof TesseraError ? e : new TesseraError('DATASET_UNREADABLE', `${path}: ${String(e)}`),
  );
}

async function inspectOnce(path: string, signal: AbortSignal | undefined, assignCrs: string | undefined): Promise<SourceInfo> {
  const ds = await openSource(path);
  try {
    const count = ds.layers.count();
    if (count === 0) throw unreadable(path, `GDAL opened it (${ds.driver.description}) but found no vector layer in it`);
    const layers: SourceLayerInfo[] = [];
    for (let i = 0; i < count; i++) {
      if (signal) throwIfAborted(signal);
      const layer = await ds.layers.getAsync(i);
      const fields: Record<string, string> = {};
      for (const f of layer.fields.map((d) => d)) fields[f.name] = f.type;
      let featureCount = 0;
      try {
        featureCount = await layer.features.countAsync(true);
      } catch {
        featureCount = 0;
      }
      const given = sourceCrs(ds.driver.description, layer, assignCrs);
      const srs = given === null ? layer.srs : await assignedSrs(given);
      if (featureCount > 0 && layer.geomType !== gdal.wkbNone && !srs) {
        // No CRS, and none implied by the format: small numbers are no proof of lon/lat (a local
        // grid in metres, a .shp whose .prj is gone), so nothing is guessed.
        if (impliedLonLat(ds.driver.description) === 'unknown') throw noCrsSource(path, ds.driver.description, layer.name, null);
        const outside = notLonLat(layer);
        if (outside) throw noCrsSource(path, ds.driver.description, layer.name, outside);
      }
      layers.push({
        name: layer.name,
        featureCount,
        fields,
        bounds: featureCount > 0 ? layerBounds(layer, srs) : null,
        crs: srs ? crsName(srs) : null,
        samplePoint: featureCount > 0 ? await firstPoint(layer, srs) : null,
      });
    }
    return { path, driver: ds.driver.description, layers };
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw unreadable(path, `GDAL cannot read it: ${(error as Error).message}`);
  } finally {
    ds.close();
  }
}

/**
 * The CRS to read a layer in that names none: the job's `assignCrs`, unless the layer's format is
 * lon/lat by its specification (GeoJSON, KML, GPX: GDAL reports EPSG:4326 for them anyway), as
 * the ingest rules (ingest/inspect.ts impliedLonLat); null when the layer names its own or none is given.
 */
export function sourceCrs(driver: string, layer: gdal.Layer, assignCrs: string | undefined): string | null {
  if (layer.srs || assignCrs === undefined || impliedLonLat(driver) === 'fixed') return null;
  return assignCrs;
}

/**
 * `crs` as a layer of that CRS would carry it: x/y in the traditional GIS order. GDAL 3 gives a
 * SpatialReference made from "EPSG:4326" latitude first, so a .shp of lon/lat given EPSG:4326
 * would have its bounds and sample point swapped (crs.ts); a layer GDAL creates has the order
 * its files use, so the CRS is read back from an in-memory layer.
 */
export async function assignedSrs(crs: string): Promise<gdal.SpatialReference> {
  const srs = await gdal.SpatialReference.fromUserInputAsync(crs);
  const scratch = gdal.open('assigned-crs', 'w', 'Memory');
  try {
    return scratch.layers.create('crs', srs, gdal.wkbPoint).srs ?? srs;
  } finally {
    scratch.close();
  }
}

/**
 * The extent of a layer without a CRS when its numbers cannot be longitude/latitude (a Shapefile of
 * metres whose .prj is missing), as text; null when they can. Taken as lon/lat, such a layer lands
 * nowhere: every feature falls off the map and the job "succeeds" with nothing made.
 */
function notLonLat(layer: gdal.Layer): string | null {
  let e: gdal.Envelope;
  try {
    e = layer.getExtent();
  } catch {
    return null;
  }
  const lonLat = e.minX >= -180.0001 && e.maxX <= 180.0001 && e.minY >= -90.0001 && e.maxY <= 90.0001;
  return lonLat ? null : `x ${e.minX.toFixed(0)}…${e.maxX.toFixed(0)}, y ${e.minY.toFixed(0)}…${e.maxY.toFixed(0)}`;
}

/** NO_GEOREFERENCE as the ingest says it (the same hint and likely CRS), with how a preseed gets one. */
function noCrsSource(path: string, driver: string, layer: string, extent: string | null): TesseraError {
  const hint = driver === 'ESRI Shapefile' ? shapefileCrsHint(path, layer) : '';
  const why = extent === null ? '' : ` and its coordinates are not longitude/latitude (${extent})`;
  return new TesseraError(
    'NO_GEOREFERENCE',
    `${path}: layer ${layer} names no CRS${hint}${why}; ` + `give it its CRS (e.g. EPSG:27700: ${NO_CRS_WAYS}) and preseed again`,
    { details: { path, layer, reason: 'no-crs' } },
  );
}

async function firstPoint(layer: gdal.Layer, srs: gdal.SpatialReference | null): Promise<[number, number] | null> {
  try {
    const feature = await layer.features.firstAsync();
    const geometry = feature?.getGeometry();
    if (!geometry) return null;
    const env = geometry.getEnvelope();
    const transform = srs ? toLonLat(srs) : null;
    const p = { x: (env.minX + env.maxX) / 2, y: (env.minY + env.maxY) / 2 };
    const t = transform ? transform.transformPoint(p.x, p.y) : p;
    return [t.x, t.y];
  } catch {
    return null;
  }
}

function crsName(srs: gdal.SpatialReference): string {
  try {
    const code = srs.getAuthorityCode(null);
    const name = srs.getAuthorityName(null);
    if (code && name) return `${name}:${code}`;
  } catch {
    // no authority: fall through to the WKT name
  }
  return srs.toWKT().match(/^[A-Z]+\["([^"]+)"/)?.[1] ?? 'unnamed CRS';
}

/** The layer's extent in WGS84, from its envelope's boundary densified (21 points a side). */
export function layerBounds(layer: gdal.Layer, srs: gdal.SpatialReference | null): Bbox | null {
  let env: gdal.Envelope;
  try {
    env = layer.getExtent();
  } catch {
    return null;
  }
  const transform = srs ? toLonLat(srs) : null;
  if (!transform) return clampWorld([env.minX, env.minY, env.maxX, env.maxY]);
  const out: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const steps = 20;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    for (const [x, y] of [
      [env.minX + (env.maxX - env.minX) * t, env.minY],
      [env.minX + (env.maxX - env.minX) * t, env.maxY],
      [env.minX, env.minY + (env.maxY - env.minY) * t],
      [env.maxX, env.minY + (env.maxY - env.minY) * t],
    ] as [number, number][]) {
      try {
        const p = transform.transformPoint(x, y);
        out[0] = Math.min(out[0], p.x);
        out[1] = Math.min(out[1], p.y);
        out[2] = Math.max(out[2], p.x);
        out[3] = Math.max(out[3], p.y);
      } catch {
        // a corner outside the CRS's area of use: the other points still bound the layer
      }
    }
  }
  return out[0] <= out[2] ? clampWorld(out) : null;
}

function clampWorld(b: Bbox): Bbox {
  return [Math.max(-180, b[0]), Math.max(-90, b[1]), Math.min(180, b[2]), Math.min(90, b[3])];
}
