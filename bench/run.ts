/**
 * `npm run bench`: every benchmark, one after another, each printing its table (ratios against the
 * peer tools measured in the same run). `npm run bench -- raster vector` runs only those.
 * (bench/gdal-threads.js is run on its own: it measures GDAL threading models for docs/gdal-threading.md.)
 */
import { loadavg } from 'node:os';
import { runDatasetTilesBench } from './dataset-tiles-bench.js';
import { runEngineBench } from './engine-bench.js';
import { runEstimateAccuracyBench } from './estimate-accuracy-bench.js';
import { runHistoryBench } from './history-bench.js';
import { runIngestBench } from './ingest-bench.js';
import { runMbtilesDedupeBench } from './mbtiles-dedupe-bench.js';
import { runRasterPreseedBench } from './raster-preseed-bench.js';
import { runRendererBench } from './renderer-bench.js';
import { runVectorPreseedBench } from './vector-preseed-bench.js';
import { runVectorStressBench } from './vector-stress-bench.js';

const benches: Record<string, () => Promise<unknown>> = {
  engine: runEngineBench,
  renderer: runRendererBench,
  raster: () => runRasterPreseedBench(),
  vector: () => runVectorPreseedBench(),
  dedupe: () => runMbtilesDedupeBench(),
  estimate: () => runEstimateAccuracyBench(),
  // Fetches two @geo-maps packages (145 MB unpacked) into .data/ on first use.
  'vector-stress': () => runVectorStressBench(),
  ingest: () => runIngestBench(),
  history: runHistoryBench,
  'dataset-tiles': () => runDatasetTilesBench(),
  // A script: importing it runs it (Koop on loopback, Tessera and ogr2ogr through the same proxy).
  esri: () => import('./esri-migrate.js'),
};

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of chosen) if (!(name in benches)) throw new Error(`unknown bench "${name}" (have: ${Object.keys(benches).join(', ')})`);
console.log(
  `Tessera benchmarks — Node ${process.version}, ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const [name, run] of Object.entries(benches)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  await run();
}
