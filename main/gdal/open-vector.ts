/**
 * How Tessera opens a vector file with GDAL, read-only, for every job kind that reads one: the same
 * file must mean the same layers to an ingest and to a preseed.
 */
import { extname } from 'node:path';
import gdal from 'gdal-async';

/**
 * CSV files: geometry from lon/lat (or x/y) columns, or from a WKT column, and those columns not
 * kept as attributes. Without these options GDAL's CSV driver finds no geometry at all.
 */
export const CSV_OPEN_OPTIONS = [
  'X_POSSIBLE_NAMES=lon,lng,long,longitude,x',
  'Y_POSSIBLE_NAMES=lat,latitude,y',
  'GEOM_POSSIBLE_NAMES=wkt,geom,geometry,the_geom',
  'KEEP_GEOM_COLUMNS=NO',
];

/**
 * Opens `path` read-only. CSV files get CSV_OPEN_OPTIONS; gdal-async's Driver.openAsync drops open
 * options (its callback index is off by one), so they are opened with the synchronous call, which
 * reads only the header line. Everything else opens with the async API.
 */
export async function openVector(path: string): Promise<gdal.Dataset> {
  if (extname(path).toLowerCase() === '.csv') return gdal.drivers.get('CSV').open(path, 'r', CSV_OPEN_OPTIONS);
  return gdal.openAsync(path, 'r');
}
