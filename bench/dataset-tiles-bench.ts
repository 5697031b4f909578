/**
 * The catalogue's vector preview tiles (main/catalog/dataset-tiles.ts), timed on real data through
 * a real engine: each dataset ingested first (outside the timing), then tiles at several zooms,
 * each cut once (cold: GDAL's spatial query, the pool's cut and encode) and read again (from the
 * LRU). Datasets: QGIS's world_map.gpkg (Natural Earth, 4 layers, 4,556 provinces), and
 * @geo-maps/countries-maritime-10m (38 MB, 250 detailed polygons) when .data/ holds it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogDataset } from '../shared/contract.js';
import { lonLatToTileFraction } from '../shared/tile-grid.js';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { realDataPath, worldMapGpkg } from '../main/testing/real-data.js';

/** Places to look at, with the zooms: Europe, the Alps, a city. */
const VIEWS: { z: number; lon: number; lat: number }[] = [
  { z: 0, lon: 0, lat: 0 },
  { z: 2, lon: 10, lat: 50 },
  { z: 4, lon: 10, lat: 50 },
  { z: 6, lon: 8, lat: 46.5 },
  { z: 8, lon: 8, lat: 46.5 },
  { z: 10, lon: 2.35, lat: 48.85 },
  { z: 14, lon: 2.35, lat: 48.85 },
];

export async function runDatasetTilesBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-dataset-tiles-bench-'));
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  try {
    const sources = [worldMapGpkg(), realDataPath('geo-maps', 'countries-maritime-10m.geojson')].filter((f) => existsSync(f));
    for (const file of sources) {
      const job = await engine.start({ kind: 'ingest', params: { files: [file] } });
      await engine.waitFor(job.id);
    }
    const datasets = (await engine.handlers['catalog.list']({ limit: 10 })).rows as CatalogDataset[];
    // One tile first, so the pool's threads are up before anything is timed.
    await engine.caches.tile((await engine.handlers['catalog.previewTiles']({ id: datasets[0]!.id })).id, 0, 0, 0);
    console.log('\n| dataset | tile | features cut from | bytes | cold ms | LRU ms |\n|---|---|---|---:|---:|---:|');
    for (const d of datasets) {
      const summary = await engine.handlers['catalog.previewTiles']({ id: d.id });
      for (const v of VIEWS) {
        if (v.z < summary.minZoom) continue;
        const f = lonLatToTileFraction(v.lon, v.lat, v.z);
        const [x, y] = [Math.floor(f.x), Math.floor(f.y)];
        const t0 = performance.now();
        const tile = await engine.caches.tile(summary.id, v.z, x, y);
        const cold = performance.now() - t0;
        const t1 = performance.now();
        await engine.caches.tile(summary.id, v.z, x, y);
        const warm = performance.now() - t1;
        const size = tile?.data.byteLength ?? 0;
        console.log(
          `| ${d.name} (${(d.sizeBytes / 1e6).toFixed(1)} MB) | ${v.z}/${x}/${y} | ${d.layers.length} layer(s) | ${size.toLocaleString('en')} | ${cold.toFixed(0)} | ${warm.toFixed(2)} |`,
        );
      }
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDatasetTilesBench();
