/**
 * The suite's inputs, made once per run from the real data in .data/ (Blue Marble, Natural Earth
 * in world_map.gpkg) with GDAL's command-line tools, small enough that each job takes seconds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { blueMarbleTif, worldMapGpkg } from '../main/testing/real-data.js';

export { blueMarbleTif, worldMapGpkg };

/** Natural Earth countries (240 polygons) as one GeoJSON file, from world_map.gpkg. */
export function countriesGeoJson(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'countries.geojson');
  if (!existsSync(out)) execFileSync('ogr2ogr', ['-f', 'GeoJSON', out, worldMapGpkg(), 'countries'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** The three jobs the kill and disk-full families run, as CLI arguments. */
export const JOBS = {
  raster: (output: string) => ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-4', '-o', output],
  /** z0–3 (85 tiles, about 3 s): the kill family's raster preseed. */
  rasterSmall: (output: string) => ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-3', '-o', output],
  /** z0–3 (82 tiles, about 4 s): the kill family's vector preseed. */
  vectorSmall: (output: string) => ['preseed', 'vector', worldMapGpkg(), '--layer', 'countries', '--zoom', '0-3', '-o', output],
  ingest: (file: string) => ['ingest', file],
};
