/**
 * Real files to ingest in tests and benchmarks, made from the real data in .data/ and npm
 * (Natural Earth, rgdal's samples, SRTM), plus the hostile ones: truncated, misnamed, empty,
 * garbage, zip bombs, zip-slip, absolute names, symlinks, an empty layer and a huge one.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import gdal from 'gdal-async';
import { rgdalVector, worldMapGpkg } from '../../testing/real-data.js';
import { type ZipFixtureEntry, writeZip } from './zip-writer.js';

/** Natural Earth countries as a zipped Shapefile set (with its .prj). */
export async function countriesShapefileZip(dir: string): Promise<string> {
  const shpDir = join(dir, 'countries-shp');
  mkdirSync(shpDir, { recursive: true });
  const source = await gdal.openAsync(worldMapGpkg());
  (await gdal.vectorTranslateAsync(join(shpDir, 'countries.shp'), source, ['-f', 'ESRI Shapefile', 'countries'])).close();
  source.close();
  return zipFolder(shpDir, join(dir, 'ne_countries.zip'));
}

/** rgdal's trin_inca_pl03 Shapefile (3 polygons, lon/lat numbers) zipped without any .prj. */
export function shapefileWithoutPrjZip(dir: string): string {
  const entries = ['shp', 'shx', 'dbf'].map((ext) => ({ name: `trin_inca_pl03.${ext}`, data: readFileSync(rgdalVector(`trin_inca_pl03.${ext}`)) }));
  const zip = join(dir, 'trin_inca_no_prj.zip');
  writeZip(zip, entries);
  return zip;
}

/** Every file of `folder` into one archive at `zip`. */
export function zipFolder(folder: string, zip: string): string {
  writeZip(
    zip,
    readdirSync(folder).map((name) => ({ name, data: readFileSync(join(folder, name)) })),
  );
  return zip;
}

/** The first `keep` bytes of `source`, written to `target`. */
export function truncatedCopy(source: string, target: string, keep: number): string {
  writeFileSync(target, readFileSync(source).subarray(0, keep));
  return target;
}

/** Bytes that are no format at all (deterministic). */
export function garbage(target: string, bytes = 64 * 1024): string {
  const data = Buffer.alloc(bytes);
  let x = 0x2545f491;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  writeFileSync(target, data);
  return target;
}

/** A GeoJSON FeatureCollection with no features. */
export function emptyLayerGeoJson(target: string): string {
  writeFileSync(target, JSON.stringify({ type: 'FeatureCollection', name: 'nothing_here', features: [] }));
  return target;
}

/** A small valid GeoJSON of two points. */
export function pointsGeoJson(target: string): string {
  writeFileSync(
    target,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'Göteborg', population: 604829 }, geometry: { type: 'Point', coordinates: [11.97, 57.71] } },
        { type: 'Feature', properties: { name: 'Skagen', population: 8000 }, geometry: { type: 'Point', coordinates: [10.59, 57.72] } },
      ],
    }),
  );
  return target;
}

/**
 * A GeoPackage of `count` points on a grid (made by one SQL statement in GDAL, so two million take
 * seconds), in EPSG:4326, without a spatial index (the import builds one).
 */
export async function manyPointsGpkg(target: string, count: number): Promise<string> {
  const source = await gdal.openAsync(worldMapGpkg());
  const side = Math.ceil(Math.sqrt(count));
  const sql = `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ${count - 1}) SELECT i AS id, MakePoint(-170 + (i % ${side}) * ${340 / side}, -80 + (i / ${side}) * ${160 / side}) AS geom FROM c`;
  (
    await gdal.vectorTranslateAsync(target, source, [
      '-f',
      'GPKG',
      '-dialect',
      'SQLite',
      '-sql',
      sql,
      '-nln',
      'points',
      '-a_srs',
      'EPSG:4326',
      '-nlt',
      'POINT',
      '-lco',
      'SPATIAL_INDEX=NO',
    ])
  ).close();
  source.close();
  return target;
}

/** Hostile archives: each refused for its own reason. */
export function hostileZip(dir: string, kind: 'bomb' | 'zip-slip' | 'absolute' | 'symlink' | 'nested-too-deep'): string {
  const path = join(dir, `${kind}.zip`);
  const geojson = Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [] }));
  const entries: Record<typeof kind, () => ZipFixtureEntry[]> = {
    bomb: () => [{ name: 'dem.tif', data: Buffer.alloc(64 * 1024 * 1024) }],
    'zip-slip': () => [
      { name: 'ok.geojson', data: geojson },
      { name: '../../../../tmp/tessera-zip-slip.geojson', data: geojson },
    ],
    absolute: () => [{ name: '/tmp/tessera-absolute.geojson', data: geojson }],
    symlink: () => [
      { name: 'ok.geojson', data: geojson },
      { name: 'secrets.geojson', data: Buffer.from('/etc/passwd'), mode: 0o120777, method: 'store' },
    ],
    'nested-too-deep': () => {
      const inner = join(dir, 'level2.zip');
      writeZip(join(dir, 'level3.zip'), [{ name: 'a.geojson', data: geojson }]);
      writeZip(inner, [{ name: 'level3.zip', data: readFileSync(join(dir, 'level3.zip')) }]);
      return [{ name: 'level2.zip', data: readFileSync(inner) }];
    },
  };
  writeZip(path, entries[kind]());
  return path;
}

/**
 * world_map.gpkg's states_provinces (4,556) and countries (240) in one GeoPackage where
 * states_provinces is renamed `name` (GDAL refuses to create a layer named "-skipfailures", so the
 * tables are renamed in SQLite, as another tool could have made them).
 */
export async function gpkgWithLayerNamed(target: string, name: string): Promise<string> {
  const source = await gdal.openAsync(worldMapGpkg());
  const out = await gdal.drivers.get('GPKG').createAsync(target, 0, 0, 0, gdal.GDT_Unknown);
  await gdal.vectorTranslateAsync(out, source, ['-nln', 'renamed_later', '-lco', 'SPATIAL_INDEX=NO', 'states_provinces']);
  await gdal.vectorTranslateAsync(out, source, ['-nln', 'countries', 'countries']);
  out.close();
  source.close();
  const db = new Database(target);
  try {
    db.pragma('foreign_keys = OFF');
    const quoted = `"${name.replaceAll('"', '""')}"`;
    db.transaction(() => {
      db.exec(`ALTER TABLE renamed_later RENAME TO ${quoted}`);
      for (const table of ['gpkg_contents', 'gpkg_geometry_columns'])
        db.prepare(`UPDATE ${table} SET table_name = ? WHERE table_name = 'renamed_later'`).run(name);
    })();
  } finally {
    db.close();
  }
  return target;
}
