/**
 * Natural Earth for worker tests: .ci/fetch-data puts QGIS's world_map.gpkg in the repository's
 * .data/ (workers may not import main/testing). GDAL's ogr2ogr turns a layer into GeoJSON.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const WORLD_MAP_GPKG = fileURLToPath(new URL('../../../.data/world_map.gpkg', import.meta.url));

/** A layer of world_map.gpkg (countries, states_provinces…) as a WGS84 FeatureCollection, all of it or what touches `bbox`. */
export function worldLayerGeoJson(layer: string, bbox?: [number, number, number, number]): GeoJSON.FeatureCollection {
  const spat = bbox ? ['-spat', ...bbox.map(String)] : [];
  const text = execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', ...spat, '/vsistdout/', WORLD_MAP_GPKG, layer], {
    maxBuffer: 256 * 1024 * 1024,
  }).toString('utf8');
  return JSON.parse(text) as GeoJSON.FeatureCollection;
}
