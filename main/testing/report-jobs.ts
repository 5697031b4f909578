/**
 * A data directory holding real finished jobs for the report tests: verify jobs run by a real
 * engine over GDAL-made caches, one clean, one damaged (with a hostile name and cache path), and
 * one with 2,000 bad tiles in a cache that declares no bounds; a raster and a vector preseed and an
 * ingest, named in several scripts, whose reports draw what they made and where.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { corruptCopy, hillshadeMbtiles, illinoisNad27Tif, largeRasterMbtiles, rgdalVector, srtmHillshadeTif } from './real-data.js';

/** A job name and a cache file name that must reach a report as text, never as markup. */
export const HOSTILE_NAME = '<script>alert(1)</script> "x"';
export const HOSTILE_FILE = `dam<b>aged "x" & 'y'.mbtiles`;

/** A job name in Latin (with accents), Cyrillic, Greek and CJK script, with an arrow. */
export const UNICODE_NAME = 'Zürich → Москва, Ελλάδα, 東京';

export interface ReportJobs {
  dataDir: string;
  /** Verify of the hillshade (lon 11–12, lat 57–58): succeeded. */
  clean: number;
  /** Verify of a damaged copy, named HOSTILE_NAME: partial, with failed items and tile issues. */
  damaged: number;
  damagedCache: string;
  /** The tiles damaged in it, as z/x/y. */
  damagedTiles: string[];
  /** Verify of 2,500 z16 tiles, 2,000 of them empty files, in a cache without bounds metadata. */
  many: number;
  /**
   * preseed-raster z0–6 of SP27GTIF.tif (Illinois, NAD27 feet; lon about -88.2 to -87.4) and the
   * SRTM hillshade (lon 11–12, lat 57–58) into one MBTiles, named UNICODE_NAME.
   */
  raster: number;
  /** preseed-vector z0–5 of scot_BNG.shp (Scotland, British National Grid) into a PMTiles archive. */
  vector: number;
  /** ingest of a GeoJSON of three places in Greece, named "Ελλάδα.geojson". */
  ingest: number;
}

/** Runs the jobs in `root`/data and closes the engine, so the store can be read as the CLI does. */
export async function runReportJobs(root: string): Promise<ReportJobs> {
  const fixtures = join(root, 'fixtures');
  mkdirSync(fixtures, { recursive: true });
  const hillshade = hillshadeMbtiles(fixtures);
  const damagedCache = join(fixtures, HOSTILE_FILE);
  const damage = corruptCopy(hillshade, join(fixtures, 'damaged.mbtiles'), { truncate: 2, zero: 1, garbage: 2 });
  renameSync(join(fixtures, 'damaged.mbtiles'), damagedCache);
  const manyCache = join(fixtures, 'many-empty.mbtiles');
  copyFileSync(largeRasterMbtiles(fixtures, 2500), manyCache);
  // One statement rather than corruptCopy's 2,000 autocommits (seconds of fsync).
  const db = new Database(manyCache);
  db.prepare(`UPDATE tiles SET tile_data = x'' WHERE rowid IN (SELECT rowid FROM tiles ORDER BY tile_column, tile_row LIMIT 2000)`).run();
  db.close();

  const dataDir = join(root, 'data');
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent'), threads: 2 });
  try {
    const clean = (await engine.start({ kind: 'verify', params: { cache: hillshade } })).id;
    const damaged = (await engine.start({ kind: 'verify', params: { cache: damagedCache }, name: HOSTILE_NAME })).id;
    const many = (await engine.start({ kind: 'verify', params: { cache: manyCache }, name: 'two thousand empty tiles' })).id;
    const illinois = join(fixtures, 'SP27GTIF.tif');
    copyFileSync(illinoisNad27Tif(), illinois);
    const datasets = [illinois, srtmHillshadeTif(fixtures)];
    const raster = (
      await engine.start({
        kind: 'preseed-raster',
        params: { datasets, minZoom: 0, maxZoom: 6, output: join(fixtures, 'raster-out.mbtiles') },
        name: UNICODE_NAME,
      })
    ).id;
    // One after the other: once in a full run under load, the raster output declared bounds of
    // 4.38–12.00°E, 57.00–66.95°N (neither dataset's) while the vector preseed ran beside it. A
    // suspected race in shared GDAL transforms, left open; these fixtures check the reports.
    await engine.waitFor(raster);
    const vector = (
      await engine.start({
        kind: 'preseed-vector',
        params: { sources: [rgdalVector('scot_BNG.shp')], minZoom: 0, maxZoom: 5, output: join(fixtures, 'scotland.pmtiles') },
      })
    ).id;
    const places = join(fixtures, 'Ελλάδα.geojson');
    const point = (name: string, lon: number, lat: number) => ({ type: 'Feature', properties: { name }, geometry: { type: 'Point', coordinates: [lon, lat] } });
    writeFileSync(
      places,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [point('Αθήνα', 23.73, 37.98), point('Θεσσαλονίκη', 22.94, 40.64), point('Ηράκλειο', 25.13, 35.34)],
      }),
    );
    const ingest = (await engine.start({ kind: 'ingest', params: { files: [places] } })).id;
    for (const id of [clean, damaged, many, raster, vector, ingest]) await engine.waitFor(id);
    return { dataDir, clean, damaged, damagedCache, damagedTiles: [...damage.truncated, ...damage.zeroed, ...damage.garbled], many, raster, vector, ingest };
  } finally {
    await engine.close();
  }
}
