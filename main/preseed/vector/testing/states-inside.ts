/**
 * The reference for "every state wholly inside the bbox is tiled": GDAL's ogr2ogr reads
 * world_map.gpkg's states_provinces with a spatial filter, and the states whose every vertex lies
 * inside the bbox are kept, as "fid name". The everyday test reads them from
 * testing/golden/uk-states-inside.json; vector-preseed-kind.reference.ts runs ogr2ogr live.
 */
import { execFileSync } from 'node:child_process';
import type { Bbox } from '../../../../shared/contract.js';
import { worldMapGpkg } from '../../../testing/real-data.js';

export function statesInside(bbox: Bbox): string[] {
  return execFileSync('ogr2ogr', ['-f', 'GeoJSONSeq', '/vsistdout/', '-spat', ...bbox.map(String), '-preserve_fid', worldMapGpkg(), 'states_provinces'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as GeoJSON.Feature)
    .filter((f) => {
      const xs = JSON.stringify(f.geometry)
        .match(/-?\d+\.\d+,-?\d+\.\d+/g)!
        .map((p) => p.split(',').map(Number));
      return xs.every(([x, y]) => x! > bbox[0] && x! < bbox[2] && y! > bbox[1] && y! < bbox[3]);
    })
    .map((f) => `${String(f.id)} ${String(f.properties?.name)}`);
}
