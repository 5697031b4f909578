/**
 * `npm run bench`: every benchmark of the engine spine, one after another, each printing its table.
 * (bench/gdal-threads.js is run on its own: it measures GDAL threading models for docs/gdal-threading.md.)
 */
import { runEngineBench } from './engine-bench.js';
import { runRendererBench } from './renderer-bench.js';

console.log(`Tessera benchmarks — Node ${process.version}, ${new Date().toISOString()}`);
await runEngineBench();
await runRendererBench();
