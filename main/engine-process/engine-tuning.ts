/**
 * The environment and V8 flags the engine process starts with: settings that only take effect when
 * they are there at the process's start, so every launcher (`tessera serve`'s fork, the desktop
 * app's utility process) and every bench that measures the engine takes them from here.
 *
 * Each one was chosen by a measurement (docs/gdal-threading.md, "Memory of the engine process";
 * bench/memory-bench.ts, bench/ingest-stress.ts). An operator's own value in the environment wins.
 */
import { availableParallelism } from 'node:os';

/**
 * glibc malloc arenas. Without a bound glibc gives each thread that allocates (libuv's GDAL and
 * sharp threads, the pool's workers) an arena of its own, up to 8 per core, and memory freed in
 * one arena is not reused by another: a 102 MiB GeoJSON ingest parses the file on one libuv
 * thread while planning and again on another while importing, and peaked at 587 MiB against
 * 383 MiB with 2 arenas (same wall time). `mallopt` cannot be reached from JavaScript, so it must
 * be in the environment when the process starts.
 */
export const ENGINE_MALLOC_ARENAS = 2;

/**
 * The main thread's V8 semi-space in MiB (the young generation is three of them). The engine's
 * main thread holds little JS (its work is GDAL's, in native memory, and the pool's), yet V8 grows
 * its young generation to 3 × 16 MiB; bounded, the heap of an idle engine is 31 MiB instead of 55,
 * and an ingest's peak, which stands on that floor, drops with it. The raster and vector preseeds
 * showed no difference beyond their runs' spread (docs/gdal-threading.md). The worker pool lets its
 * workers keep their own young generation (worker-pool.ts, releaseSemiSpaceFlag).
 */
export const ENGINE_SEMI_SPACE_MB = 1;

/** libuv's pool: GDAL handles in use + concurrent sharp encodes + room for fs (docs/gdal-threading.md, rule 4). */
export function engineThreadpoolSize(): number {
  return 2 * availableParallelism();
}

/** The engine process's environment: `base` with the engine's tunings where `base` does not set them. */
export function engineProcessEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    UV_THREADPOOL_SIZE: base.UV_THREADPOOL_SIZE ?? String(engineThreadpoolSize()),
    MALLOC_ARENA_MAX: base.MALLOC_ARENA_MAX ?? String(ENGINE_MALLOC_ARENAS),
  };
}

/**
 * The engine process's Node flags. A semi-space given in NODE_OPTIONS wins (flags on the command
 * line would override it otherwise).
 */
export function engineExecArgv(env: NodeJS.ProcessEnv = process.env): string[] {
  return /--max-semi-space-size\b/.test(env.NODE_OPTIONS ?? '') ? [] : [`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`];
}
