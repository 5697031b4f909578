/**
 * What GDAL finds in a file: vector layers (with feature counts where they are cheap), a raster, or
 * raster subdatasets (a GeoPackage's tile tables, a NetCDF's variables). Used to plan a job's items
 * (on the source, or through /vsizip/ inside an archive) and again on the staged copy.
 */
import { posix } from 'node:path';
import type gdal from 'gdal-async';
import { openVector } from '../gdal/open-vector.js';
import { isShapefile, shapefileMissing } from '../gdal/shapefile-parts.js';
import { extensionOf } from './inputs.js';
import { fromGdal, missingParts } from './ingest-errors.js';
import { fileIdentity, plannedDatasets, rememberPlanned } from './planned-sources.js';

/** One dataset inside a unit: a vector dataset (all its layers) or one raster. */
export interface FoundDataset {
  kind: 'vector' | 'raster';
  /** Its file, relative to the unit's staging folder (`roads.shp`, `x/data/dem.tif`). */
  relPath: string;
  /** A raster subdataset's GDAL name with the file's path replaced by `{path}`. */
  subdataset?: string;
  /** The dataset's name in the catalogue. */
  name: string;
  /** Vector: its layers, with their feature counts (-1 when counting would mean reading it all). */
  layers: { name: string; features: number }[];
}

/** Opens a source read-only (CSV with the options that find its geometry columns). */
export const openSource = openVector;

/**
 * What a layer that names no CRS is in, by its driver: `fixed` when the format's specification says
 * lon/lat WGS84 (GeoJSON's rule and kin: a CRS the user assigns does not apply), `assumed` for CSV
 * (lon/lat unless the user assigns a CRS: x/y columns may be in any), else `unknown`.
 */
export function impliedLonLat(driver: string): 'fixed' | 'assumed' | 'unknown' {
  if (LON_LAT_FORMATS.has(driver)) return 'fixed';
  return driver === 'CSV' ? 'assumed' : 'unknown';
}

const LON_LAT_FORMATS = new Set(['GeoJSON', 'GeoJSONSeq', 'TopoJSON', 'KML', 'LIBKML', 'GPX']);

/**
 * The datasets of the file at `gdalPath`. Throws DATASET_UNREADABLE with GDAL's reason when GDAL
 * cannot open it, or when it holds neither layers nor bands.
 *
 * `keep` (the plan of a unit that is this one file): what was found is kept for the job's staging
 * (datasetsOfStaged) and, for a vector-only file, its open handle for the import (planned-sources.ts).
 */
export async function findDatasets(gdalPath: string, relPath: string, label: string, keep = false): Promise<FoundDataset[]> {
  const known = { [gdalPath]: posix.basename(relPath) };
  if (isShapefile(gdalPath)) {
    const missing = await shapefileMissing(gdalPath);
    if (missing.length > 0) throw missingParts(label, missing);
  }
  const identity = keep ? await fileIdentity(gdalPath) : null;
  let kept = false;
  let ds: gdal.Dataset;
  try {
    ds = await openSource(gdalPath);
  } catch (error) {
    throw fromGdal(error, label, { opening: true, known });
  }
  try {
    const name = datasetName(relPath);
    const found: FoundDataset[] = [];
    const layerCount = await ds.layers.countAsync();
    if (layerCount > 0) {
      const layers: FoundDataset['layers'] = [];
      for (let i = 0; i < layerCount; i++) {
        const layer = await ds.layers.getAsync(i);
        layers.push({ name: layer.name, features: await layer.features.countAsync(false) });
      }
      found.push({ kind: 'vector', relPath, name, layers });
    }
    const subdatasets = subdatasetNames(ds);
    if (subdatasets.length > 0) {
      subdatasets.forEach((sub, i) =>
        found.push({ kind: 'raster', relPath, subdataset: sub.split(gdalPath).join('{path}'), name: `${name}-${subdatasetLabel(sub, i)}`, layers: [] }),
      );
    } else if ((await ds.bands.countAsync()) > 0) {
      found.push({ kind: 'raster', relPath, name, layers: [] });
    }
    if (found.length === 0) throw fromGdal(new Error('it holds no layers and no raster bands'), label);
    if (identity !== null) {
      kept = found.every((d) => d.kind === 'vector');
      rememberPlanned(identity, found, kept ? ds : null);
    }
    return found;
  } catch (error) {
    throw fromGdal(error, label, { known });
  } finally {
    if (!kept) ds.close();
  }
}

/**
 * The datasets of a staged file: what the plan found when the staged file is the very file it
 * planned (hard-linked: same inode, size and mtime), else found again by GDAL.
 */
export async function datasetsOfStaged(gdalPath: string, relPath: string, label: string): Promise<FoundDataset[]> {
  return plannedDatasets(await fileIdentity(gdalPath)) ?? (await findDatasets(gdalPath, relPath, label));
}

function subdatasetNames(ds: gdal.Dataset): string[] {
  let metadata: Record<string, string>;
  try {
    metadata = ds.getMetadata('SUBDATASETS') as Record<string, string>;
  } catch {
    return [];
  }
  return Object.entries(metadata)
    .filter(([k]) => /^SUBDATASET_\d+_NAME$/.test(k))
    .sort(([a], [b]) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map(([, v]) => v);
}

function subdatasetLabel(sub: string, index: number): string {
  const last = sub.split(':').at(-1) ?? '';
  return /^[\w.-]{1,40}$/.test(last) ? last : String(index + 1);
}

/** `roads` for `x/data/roads.shp`. */
export function datasetName(relPath: string): string {
  const base = relPath.split('/').at(-1) ?? relPath;
  const ext = extensionOf(base);
  return ext === '' ? base : base.slice(0, base.length - ext.length - 1);
}

/** The GDAL name of a found dataset once its unit sits in `unitDir`. */
export function gdalPathOf(dataset: Pick<FoundDataset, 'relPath' | 'subdataset'>, unitDir: string): string {
  const file = `${unitDir}/${dataset.relPath}`;
  return dataset.subdataset === undefined ? file : dataset.subdataset.split('{path}').join(file);
}
