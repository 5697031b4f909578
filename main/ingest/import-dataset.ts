/**
 * Writing a source into a catalogue draft with GDAL's async utilities (so the engine's event loop
 * stays free): one vector layer into the dataset's GeoPackage (fields and their types kept, optional
 * reprojection, R-tree spatial index), or one raster into a Cloud-Optimized GeoTIFF with overviews.
 *
 * A running GDAL call cannot be interrupted (docs/gdal-threading.md): a cancel takes effect when the
 * current layer or raster is written, and the draft it went into is the caller's to discard.
 */
import { readdirSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import gdal from 'gdal-async';
import { TesseraError } from '../../shared/errors.js';
import { translatableLayer } from '../gdal/translate-layer.js';
import { fromGdal, noCrs, refused } from './ingest-errors.js';
import { impliedLonLat } from './inspect.js';

export interface ImportInput {
  /** The source as GDAL opens it (a path, or a subdataset name). */
  source: string;
  /** The draft file to write. */
  target: string;
  /** How the source is named in messages. */
  label: string;
  /** For sources without a CRS. */
  assignCrs?: string;
  onProgress?(fraction: number): void;
}

/** What happened to the layer's CRS, for the item's result. */
export interface LayerImport {
  /** Its name in the GeoPackage. */
  layer: string;
  /** Its name in the source, when GeoPackage needed another (geopackageLayerNames). */
  sourceLayer?: string;
  crs: 'own' | 'assigned' | 'implied-lon-lat' | 'none';
  reprojectedTo: string | null;
  /** Features whose geometry GDAL could not read (stored without one); null when it could not be told. */
  unreadableGeometries: number | null;
}

/** What a lon/lat source without a CRS gets: ogr2ogr keeps x = longitude for it in a GeoPackage. */
const LONLAT = 'EPSG:4326';

/**
 * Writes layer `layer` of the open `source` into the open GeoPackage `target` (a layer of that name
 * already there is replaced, so a retry starts over). Both handles stay open for the dataset's next
 * layers: opening a GeoPackage costs more than writing a small layer into it. On failure the
 * half-written layer is dropped again.
 */
/** One layer to copy from an open source into an open GeoPackage. */
export interface VectorLayerImport {
  source: gdal.Dataset;
  target: gdal.Dataset;
  layer: string;
  /** The layer's name in the GeoPackage when it differs (geopackageLayerNames). */
  targetLayer?: string;
  label: string;
  assignCrs?: string;
  targetCrs?: string;
  onProgress?(fraction: number): void;
  /** Set by the retry of a layer whose coordinates turned out not to be lon/lat: assignCrs applies. */
  notLonLat?: boolean;
}

export async function importVectorLayer(input: VectorLayerImport): Promise<LayerImport> {
  const { source, target } = input;
  const name = input.targetLayer ?? input.layer;
  let created = false;
  try {
    let layer: gdal.Layer;
    try {
      layer = await source.layers.getAsync(input.layer);
    } catch {
      throw refused('layer-missing', `${input.label}: the file no longer has this layer`, { layer: input.layer });
    }
    const hasGeometry = layer.geomType !== gdal.wkbNone;
    const driver = source.driver.description;
    let crs: LayerImport['crs'] = hasGeometry ? 'own' : 'none';
    let assign: string | undefined;
    if (hasGeometry && layer.srs === null) {
      const implied = input.notLonLat ? 'unknown' : impliedLonLat(driver);
      if (implied === 'fixed' || (implied === 'assumed' && input.assignCrs === undefined)) {
        assign = LONLAT;
        crs = 'implied-lon-lat';
      } else if (input.assignCrs !== undefined) {
        assign = input.assignCrs;
        crs = 'assigned';
      } else {
        throw noCrs(input.label, `it has no CRS${driver === 'ESRI Shapefile' ? shapefileCrsHint(source.description, input.layer) : ''}`, {
          layer: input.layer,
        });
      }
    }
    const args = ['-overwrite', '-nln', name, '-lco', 'SPATIAL_INDEX=YES', '-gt', '65536'];
    // Shapefiles mix polygons and multipolygons under one "Polygon" type; a GeoPackage layer is strict.
    if (driver === 'ESRI Shapefile' && /polygon|line/i.test(gdal.Geometry.getName(layer.geomType))) args.push('-nlt', 'PROMOTE_TO_MULTI');
    const reproject = hasGeometry && input.targetCrs !== undefined ? input.targetCrs : undefined;
    if (assign !== undefined && reproject !== undefined) args.push('-s_srs', assign, '-t_srs', reproject);
    else if (assign !== undefined) args.push('-a_srs', assign);
    else if (reproject !== undefined) args.push('-t_srs', reproject);
    // The extent GDAL already knows (GeoJSON's): a file that is not lon/lat is caught before writing.
    const known = crs === 'implied-lon-lat' ? knownExtent(layer) : null;
    created = true;
    if (!(known && !isLonLat(known))) {
      const from = await translatableLayer(source, input.layer);
      try {
        await gdal.vectorTranslateAsync(target, from.dataset, [...args, ...from.args], progressOptions(input.onProgress));
      } finally {
        from.close();
      }
    }
    if (crs === 'implied-lon-lat' && (known !== null || reproject === undefined)) {
      let e = known;
      if (e === null) {
        const written = await target.layers.getAsync(name);
        e = (await written.features.countAsync(true)) > 0 ? written.getExtent(false) : null;
      }
      if (e && !isLonLat(e)) {
        // The format says lon/lat, the numbers say otherwise: a CRS the user gave is the answer.
        if (input.assignCrs !== undefined) {
          await dropLayer(target, name);
          return await importVectorLayer({ ...input, notLonLat: true });
        }
        throw noCrs(
          input.label,
          `it names no CRS and its coordinates are not longitude/latitude (x ${e.minX.toFixed(0)}…${e.maxX.toFixed(0)}, y ${e.minY.toFixed(0)}…${e.maxY.toFixed(0)})`,
          { layer: input.layer },
        );
      }
    }
    const unreadable = hasGeometry ? await unreadableGeometries(source.description, driver, target, name) : 0;
    return {
      layer: name,
      ...(name === input.layer ? {} : { sourceLayer: input.layer }),
      crs,
      reprojectedTo: reproject ?? null,
      unreadableGeometries: unreadable,
    };
  } catch (error) {
    if (created) await dropLayer(target, name);
    throw fromGdal(error, input.label, { known: { [source.description]: input.label } });
  }
}

/**
 * Why a Shapefile has no CRS, as truthful as the files beside it allow: no .prj at all, or one that
 * GDAL cannot make a CRS of (its name is matched case-insensitively, as GDAL does).
 */
export function shapefileCrsHint(path: string, layer: string): string {
  const dir = /\.shp$/i.test(path) ? dirname(path) : path;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  const prj = names.find((n) => n.toLowerCase() === `${layer.toLowerCase()}.prj`);
  return prj === undefined ? ' (no .prj beside the Shapefile)' : ` (its ${prj} names no CRS GDAL can read)`;
}

/** GeoJSON files read in full to tell unreadable geometries from `"geometry": null` ones, at most. */
const UNREADABLE_CHECK_BYTES = 256 * 1024 * 1024;

/**
 * GeoJSON features whose geometry GDAL could not read: GDAL's GeoJSON reader stores a geometry such
 * as `{"type": "Point", "coordinates": ["x"]}` as NULL without an error or a warning. Only looked
 * for when the written layer holds NULL geometries at all; then the source's features are read and
 * those whose `geometry` is null (or absent) taken off. Null when it cannot be told (a file too large
 * to read whole, or inside an archive).
 */
export async function unreadableGeometries(path: string, driver: string, target: gdal.Dataset, layer: string): Promise<number | null> {
  if (driver !== 'GeoJSON' && driver !== 'GeoJSONSeq') return 0;
  const written = await target.layers.getAsync(layer);
  const column = written.geomColumn;
  if (!column) return 0;
  const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
  const result = await target.executeSQLAsync(`SELECT COUNT(*) AS n FROM ${quoted(layer)} WHERE ${quoted(column)} IS NULL`);
  const missing = Number((await result.features.nextAsync())?.fields.get('n') ?? 0);
  if (missing === 0) return 0;
  if (path.startsWith('/vsi')) return null;
  const size = await stat(path).then(
    (s) => s.size,
    () => Infinity,
  );
  if (size > UNREADABLE_CHECK_BYTES) return null;
  const text = await readFile(path, 'utf8');
  let features: unknown[];
  try {
    if (driver === 'GeoJSONSeq') {
      features = text
        // biome-ignore lint/suspicious/noControlCharactersInRegex: RS (U+001E) separates GeoJSON text sequences (RFC 8142)
        .split(/[\n\u001e]/)
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as unknown);
    } else {
      const json = JSON.parse(text) as { type?: string; features?: unknown[] };
      features = json.type === 'FeatureCollection' ? (json.features ?? []) : json.type === 'Feature' ? [json] : [];
    }
  } catch {
    return null;
  }
  const withoutGeometry = features.filter((f) => (f as { geometry?: unknown } | null)?.geometry == null).length;
  return Math.max(0, missing - withoutGeometry);
}

function isLonLat(e: gdal.Envelope): boolean {
  return e.minX >= -180.0001 && e.maxX <= 180.0001 && e.minY >= -90.0001 && e.maxY <= 90.0001;
}

/** The layer's extent when its driver knows it without reading the features; else null. */
function knownExtent(layer: gdal.Layer): gdal.Envelope | null {
  try {
    return layer.getExtent(false);
  } catch {
    return null;
  }
}

/** Removes a (half-written) layer from an open GeoPackage. */
async function dropLayer(target: gdal.Dataset, layer: string): Promise<void> {
  try {
    const count = await target.layers.countAsync();
    for (let i = 0; i < count; i++) {
      if ((await target.layers.getAsync(i)).name !== layer) continue;
      await target.layers.removeAsync(i);
      return;
    }
  } catch {
    // A GeoPackage GDAL cannot change any more fails the retry's import with GDAL's reason.
  }
}

/**
 * Writes a raster as a Cloud-Optimized GeoTIFF (DEFLATE, overviews, BigTIFF when needed). A raster
 * without a CRS takes `assignCrs` or is refused; one without a geotransform or GCPs has no place
 * on a map and is refused (NO_GEOREFERENCE).
 */
export async function importRaster(input: ImportInput): Promise<{ crs: 'own' | 'assigned' }> {
  let source: gdal.Dataset;
  try {
    source = await gdal.openAsync(input.source);
  } catch (error) {
    throw fromGdal(error, input.label, { opening: true, known: { [input.source]: input.label } });
  }
  try {
    const transform = source.geoTransform;
    const placed =
      (transform !== null && !(transform[0] === 0 && transform[1] === 1 && transform[3] === 0 && transform[5] === 1)) || source.getGCPs().length > 0;
    if (!placed)
      throw new TesseraError(
        'NO_GEOREFERENCE',
        `${input.label}: it has no georeferencing (no geotransform, no ground control points, no world file): its pixels have no place on a map`,
        { details: { reason: 'no-georeference' } },
      );
    let crs: 'own' | 'assigned' = 'own';
    const paletted = (await source.bands.countAsync()) > 0 && Boolean((await source.bands.getAsync(1)).colorTable);
    const args = cogArguments(paletted);
    if (source.srs === null && source.getGCPProjection() === '') {
      if (input.assignCrs === undefined) throw noCrs(input.label, 'it has no CRS');
      args.push('-a_srs', input.assignCrs);
      crs = 'assigned';
    }
    await rm(input.target, { force: true });
    try {
      (await gdal.translateAsync(input.target, source, args, progressOptions(input.onProgress))).close();
    } catch (error) {
      await rm(input.target, { force: true });
      throw error;
    }
    return { crs };
  } catch (error) {
    throw fromGdal(error, input.label, { known: { [input.source]: input.label, [input.target]: 'the catalogue draft' } });
  } finally {
    source.close();
  }
}

/**
 * The COG the catalogue keeps: DEFLATE, overviews down to one block, BigTIFF when it may need it.
 * Overviews average pixels (half the time of GDAL's default cubic, and what a DEM or an image wants)
 * except for paletted rasters, whose indexes are picked (nearest), never averaged.
 */
export function cogArguments(paletted: boolean): string[] {
  return [
    '-of',
    'COG',
    '-co',
    'COMPRESS=DEFLATE',
    '-co',
    'OVERVIEWS=AUTO',
    '-co',
    `OVERVIEW_RESAMPLING=${paletted ? 'NEAREST' : 'AVERAGE'}`,
    '-co',
    'BIGTIFF=IF_SAFER',
  ];
}

function progressOptions(onProgress: ImportInput['onProgress']): gdal.UtilOptions | undefined {
  return onProgress ? { progress_cb: (complete: number) => onProgress(Math.max(0, Math.min(1, complete))) } : undefined;
}
