/**
 * Real tile caches for the tile-cache tests, made by GDAL's own command-line tools in a temp dir.
 *
 * Real writers, not hand-made rows: the point of the readers is to read what GDAL (and tools like
 * it) write, TMS rows and all. The raster is a synthetic DEM (a ramp inside a disc, nodata outside,
 * so edge tiles carry transparency) over 2..3.024°E, 48..49.024°N; the vector data is one point,
 * one line across the Atlantic and one polygon over Africa, so low zooms hold several tiles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TileCacheReader, TileRecord } from '../tile-cache.js';

/** The raster's extent in degrees: [west, south, east, north]. */
export const DEM_BOUNDS = [2, 48, 3.024, 49.024] as const;

/** Three features spread over the world, so that every zoom from 0 up holds a few tiles. */
export const SAMPLE_GEOJSON = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { name: 'a', n: 1 }, geometry: { type: 'Point', coordinates: [2.35, 48.85] } },
    {
      type: 'Feature',
      properties: { name: 'b', n: 2 },
      geometry: {
        type: 'LineString',
        coordinates: [
          [-70, 40],
          [10, 50],
          [120, -30],
        ],
      },
    },
    {
      type: 'Feature',
      properties: { name: 'c', n: 3 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [-10, -10],
            [30, -10],
            [30, 20],
            [-10, 20],
            [-10, -10],
          ],
        ],
      },
    },
  ],
};

/** A temp dir for one test file; `cleanup` removes it. */
export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `tessera-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a GDAL tool quietly; its stderr ends up in the thrown error if it fails. */
export function gdal(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A 1024×1024 Byte GeoTIFF (EPSG:4326, 0.001° cells) over DEM_BOUNDS; built once per dir. */
export async function makeDem(dir: string): Promise<string> {
  const size = 1024;
  const lines = [`ncols ${size}`, `nrows ${size}`, `xllcorner ${DEM_BOUNDS[0]}`, `yllcorner ${DEM_BOUNDS[1]}`, 'cellsize 0.001', 'NODATA_value 0'];
  for (let r = 0; r < size; r++) {
    const row: number[] = [];
    for (let c = 0; c < size; c++) row.push((r - 512) ** 2 + (c - 512) ** 2 < 480 ** 2 ? ((r * 7 + c * 3) % 250) + 1 : 0);
    lines.push(row.join(' '));
  }
  const asc = join(dir, 'dem.asc');
  const tif = join(dir, 'dem.tif');
  await writeFile(asc, lines.join('\n'));
  gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:4326', '-ot', 'Byte', asc, tif]);
  return tif;
}

/** A raster MBTiles of the DEM with overviews: zooms 7..10, 37 tiles. */
export async function makeRasterMbtiles(dir: string, name: string, tileFormat: 'PNG' | 'PNG8' | 'JPEG' = 'PNG'): Promise<string> {
  const tif = await makeDem(dir);
  const out = join(dir, name);
  gdal('gdal_translate', ['-q', '-of', 'MBTILES', '-co', `TILE_FORMAT=${tileFormat}`, tif, out]);
  gdal('gdaladdo', ['-q', '-r', 'average', out, '2', '4', '8']);
  return out;
}

async function writeSampleGeojson(dir: string): Promise<string> {
  const path = join(dir, 'sample.geojson');
  await writeFile(path, JSON.stringify(SAMPLE_GEOJSON));
  return path;
}

/** A vector MBTiles (gzipped MVT tiles) of SAMPLE_GEOJSON, zooms 0..maxZoom. */
export async function makeVectorMbtiles(dir: string, name: string, maxZoom = 5): Promise<string> {
  const out = join(dir, name);
  gdal('ogr2ogr', ['-f', 'MBTILES', out, await writeSampleGeojson(dir), '-dsco', `MAXZOOM=${maxZoom}`]);
  return out;
}

/** A z/x/y.pbf directory of SAMPLE_GEOJSON; gzipped tiles when `compress`. */
export async function makeMvtDirectory(dir: string, name: string, compress: boolean, maxZoom = 5): Promise<string> {
  const out = join(dir, name);
  gdal('ogr2ogr', ['-f', 'MVT', out, await writeSampleGeojson(dir), '-dsco', `MAXZOOM=${maxZoom}`, '-dsco', `COMPRESS=${compress ? 'YES' : 'NO'}`]);
  return out;
}

/** Reads all of zoom `z` in batches of `step`, each resuming after the previous batch's last tile. */
export async function readInSteps(reader: TileCacheReader, z: number, step: number): Promise<TileRecord[]> {
  const all: TileRecord[] = [];
  for (let after: { x: number; y: number } | null = null; ; ) {
    const batch = await reader.readBatch(z, after, step);
    if (batch.length > step) throw new Error(`readBatch returned ${batch.length} tiles for a limit of ${step}`);
    // A reader that does not move past `after` would loop here forever: fail instead.
    const first = batch[0];
    if (first && after && (first.x < after.x || (first.x === after.x && first.y <= after.y))) {
      throw new Error(`readBatch(${z}, ${after.x}/${after.y}) returned ${first.x}/${first.y}, which is not after it`);
    }
    all.push(...batch);
    if (batch.length < step) return all;
    const last = batch[batch.length - 1]!;
    after = { x: last.x, y: last.y };
  }
}

/** The XYZ tile holding (lon, lat) at zoom z (web mercator, y down). */
export function tileAt(z: number, lon: number, lat: number): { x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

/** "z/x/y" names, for readable assertions. */
export function names(tiles: { z: number; x: number; y: number }[]): string[] {
  return tiles.map((t) => `${t.z}/${t.x}/${t.y}`);
}
