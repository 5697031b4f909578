/**
 * Writing a source into a catalogue draft with GDAL's async utilities (so the engine's event loop
 * stays free): one vector layer into the dataset's GeoPackage (fields and their types kept, optional
 * reprojection, R-tree spatial index), or one raster into a Cloud-Optimized GeoTIFF with overviews.
 *
 * A running GDAL call cannot be interrupted (docs/gdal-threading.md): a cancel takes effect when the
 * current layer or raster is written, and the draft it went into is the caller's to discard.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import gdal from 'gdal-async';
import { TesseraError } from '../../preload/errors.js';
import { fromGdal, refused } from './ingest-errors.js';
import { countInvalid } from '../catalog/describe.js';
import { impliesLonLat, openSource } from './inspect.js';

/**
 * GDAL's block cache defaults to 5% of the machine's RAM (1.2 GB here) and a COG made from a
 * 1 GB raster fills it: the engine's RSS went to 1.5 GB (bench/ingest-bench.ts). GDAL reads the
 * setting once, at its first raster read, so it is bounded here, when the engine loads its kinds,
 * before any job runs: 32 MiB keeps a 1 GB ingest near 290 MiB of RSS, and made gdal_translate
 * faster, not slower, on this machine (28 s against 52 s). An operator's own GDAL_CACHEMAX (in the
 * environment) wins.
 */
export const GDAL_CACHE_MEGABYTES = 32;
if (process.env.GDAL_CACHEMAX === undefined && !gdal.config.get('GDAL_CACHEMAX')) gdal.config.set('GDAL_CACHEMAX', String(GDAL_CACHE_MEGABYTES));

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
  layer: string;
  crs: 'own' | 'assigned' | 'implied-lon-lat' | 'none';
  reprojectedTo: string | null;
}

/** What a lon/lat source without a CRS gets: ogr2ogr keeps x = longitude for it in a GeoPackage. */
const LONLAT = 'EPSG:4326';

/**
 * Writes layer `layer` of the source into the GeoPackage `target` (created by the first layer,
 * updated by the next ones; a layer of that name already there is replaced, so a retry starts over).
 * On failure the half-written layer is dropped from the GeoPackage again.
 */
export async function importVectorLayer(input: ImportInput & { layer: string; targetCrs?: string }): Promise<LayerImport> {
  let source: gdal.Dataset;
  try {
    source = await openSource(input.source);
  } catch (error) {
    throw fromGdal(error, `${input.label}: GDAL cannot open it`);
  }
  let created = false;
  try {
    let layer: gdal.Layer;
    try {
      layer = await source.layers.getAsync(input.layer);
    } catch {
      throw refused('layer-missing', `${input.label}: it has no layer named ${input.layer} (any more)`, { layer: input.layer });
    }
    const hasGeometry = layer.geomType !== gdal.wkbNone;
    const driver = source.driver.description;
    let crs: LayerImport['crs'] = hasGeometry ? 'own' : 'none';
    let assign: string | undefined;
    if (hasGeometry && layer.srs === null) {
      if (input.assignCrs !== undefined) {
        assign = input.assignCrs;
        crs = 'assigned';
      } else if (impliesLonLat(driver)) {
        assign = LONLAT;
        crs = 'implied-lon-lat';
      } else {
        throw refused('no-crs', `${input.label}: layer ${input.layer} has no CRS${driver === 'ESRI Shapefile' ? ' (no .prj beside the Shapefile)' : ''}; say which it is (assignCrs, or tessera ingest --crs EPSG:N)`, { layer: input.layer });
      }
    }
    const args = existsSync(input.target) ? ['-update', '-overwrite'] : ['-f', 'GPKG'];
    args.push('-nln', input.layer, '-lco', 'SPATIAL_INDEX=YES', '-gt', '65536');
    // Shapefiles mix polygons and multipolygons under one "Polygon" type; a GeoPackage layer is strict.
    if (driver === 'ESRI Shapefile' && /polygon|line/i.test(gdal.Geometry.getName(layer.geomType))) args.push('-nlt', 'PROMOTE_TO_MULTI');
    const reproject = hasGeometry && input.targetCrs !== undefined ? input.targetCrs : undefined;
    if (assign !== undefined && reproject !== undefined) args.push('-s_srs', assign, '-t_srs', reproject);
    else if (assign !== undefined) args.push('-a_srs', assign);
    else if (reproject !== undefined) args.push('-t_srs', reproject);
    args.push(input.layer);
    created = true;
    const out = await gdal.vectorTranslateAsync(input.target, source, args, progressOptions(input.onProgress));
    try {
      if (crs === 'implied-lon-lat' && reproject === undefined) {
        const written = await out.layers.getAsync(input.layer);
        const e = (await written.features.countAsync(true)) > 0 ? written.getExtent(false) : null;
        if (e && (e.minX < -180.0001 || e.maxX > 180.0001 || e.minY < -90.0001 || e.maxY > 90.0001)) {
          throw refused('no-crs', `${input.label}: layer ${input.layer} names no CRS and its coordinates are not longitude/latitude (x ${e.minX.toFixed(0)}…${e.maxX.toFixed(0)}, y ${e.minY.toFixed(0)}…${e.maxY.toFixed(0)}); say which CRS it is (assignCrs, or --crs EPSG:N)`, { layer: input.layer });
        }
      }
    } finally {
      out.close();
    }
    return { layer: input.layer, crs, reprojectedTo: reproject ?? null };
  } catch (error) {
    if (created) await dropLayer(input.target, input.layer);
    throw fromGdal(error, input.label);
  } finally {
    source.close();
  }
}

/** Features of a source layer whose geometry GEOS finds invalid (its own dataset handle, read-only). */
export async function countInvalidInSource(source: string, layer: string): Promise<number> {
  const ds = await openSource(source);
  try {
    const l = await ds.layers.getAsync(layer);
    if (l.geomType === gdal.wkbNone) return 0;
    return await countInvalid(ds, l);
  } finally {
    ds.close();
  }
}

/** Removes a (half-written) layer from a GeoPackage; the file goes when it was its only layer. */
async function dropLayer(target: string, layer: string): Promise<void> {
  if (!existsSync(target)) return;
  try {
    const ds = await gdal.openAsync(target, 'r+');
    try {
      const count = await ds.layers.countAsync();
      for (let i = 0; i < count; i++) {
        if ((await ds.layers.getAsync(i)).name !== layer) continue;
        await ds.layers.removeAsync(i);
        break;
      }
      if ((await ds.layers.countAsync()) > 0) return;
    } finally {
      ds.close();
    }
    await rm(target, { force: true });
  } catch {
    // A GeoPackage GDAL cannot even open is of no use to a retry either.
    await rm(target, { force: true });
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
    throw fromGdal(error, `${input.label}: GDAL cannot open it`);
  }
  try {
    const transform = source.geoTransform;
    const placed = (transform !== null && !(transform[0] === 0 && transform[1] === 1 && transform[3] === 0 && transform[5] === 1)) || source.getGCPs().length > 0;
    if (!placed) throw new TesseraError('NO_GEOREFERENCE', `${input.label}: it has no georeferencing (no geotransform, no ground control points, no world file): its pixels have no place on a map`, { details: { reason: 'no-georeference' } });
    let crs: 'own' | 'assigned' = 'own';
    const paletted = (await source.bands.countAsync()) > 0 && Boolean((await source.bands.getAsync(1)).colorTable);
    const args = cogArguments(paletted);
    if (source.srs === null && source.getGCPProjection() === '') {
      if (input.assignCrs === undefined) throw refused('no-crs', `${input.label}: it has no CRS; say which it is (assignCrs, or tessera ingest --crs EPSG:N)`);
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
    throw fromGdal(error, input.label);
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
  return ['-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'OVERVIEWS=AUTO', '-co', `OVERVIEW_RESAMPLING=${paletted ? 'NEAREST' : 'AVERAGE'}`, '-co', 'BIGTIFF=IF_SAFER'];
}

function progressOptions(onProgress: ImportInput['onProgress']): gdal.UtilOptions | undefined {
  return onProgress ? { progress_cb: (complete: number) => onProgress(Math.max(0, Math.min(1, complete))) } : undefined;
}
