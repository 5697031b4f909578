/**
 * MBTiles de-duplication: file size and write speed of the same tiles in the de-duplicated layout
 * (map + images behind a tiles view, the written time a column of map) and in the flat layout
 * Tessera wrote before (a tiles table, its unique index, and the side table of written times).
 *
 * The tiles are real preseed output: a Tessera job makes each case once (Blue Marble z0–6 raster,
 * Natural Earth states_provinces z0–10 vector); then the same tiles, read back in batches of 2,000,
 * are written into each layout by the same writer, the layouts alternating run by run, and `finish`
 * (which collects unused images) is inside the timing. Bytes per tile are from SQLite's dbstat, per
 * table and index. tippecanoe, the peer the issue measured (121.6 MB for states_provinces z0–10),
 * is used when it is on the PATH.
 *
 *   node dist/bench/mbtiles-dedupe-bench.js [--only bluemarble|states] [--reps N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { blueMarbleTif, worldMapGpkg } from '../main/testing/real-data.js';
import { openMbtiles } from '../main/tile-cache/mbtiles-reader.js';
import { openMbtilesWriter } from '../main/tile-cache/mbtiles-writer.js';
import type { TilesetMetadata } from '../main/tile-cache/tile-writer.js';
import { table } from './measure-process.js';

const BATCH = 2000;

interface Case {
  name: string;
  kind: 'preseed-raster' | 'preseed-vector';
  params: (output: string) => Record<string, unknown>;
}

const CASES: Case[] = [
  { name: 'bluemarble', kind: 'preseed-raster', params: (output) => ({ datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 6, output, format: 'png' }) },
  {
    name: 'states',
    kind: 'preseed-vector',
    params: (output) => ({ sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 10, output }),
  },
];

interface Written {
  seconds: number;
  bytes: number;
  /** Bytes per table or index (dbstat), and rows of images when the layout has them. */
  parts: Map<string, number>;
  images: number | null;
}

async function makeTiles(c: Case, dir: string): Promise<string> {
  const output = join(dir, `${c.name}-job.mbtiles`);
  const engine = await Engine.open({ dataDir: mkdtempSync(join(dir, 'engine-')), host: 'headless', logger: createLogger('warn') });
  try {
    const job = await engine.start({ kind: c.kind, params: c.params(output) } as Parameters<Engine['start']>[0]);
    const final = await engine.waitFor(job.id);
    if (final.state !== 'succeeded') throw new Error(`${c.name}: the job ended ${final.state}: ${JSON.stringify(final.error)}`);
  } finally {
    await engine.close();
  }
  return output;
}

/** Copies every tile of `source` into a new file of the layout asked for, timing the writes and finish. */
async function rewrite(source: string, target: string, deduplicate: boolean): Promise<Written> {
  const reader = await openMbtiles(source);
  const format = reader.format as TilesetMetadata['format'];
  const writer = await openMbtilesWriter(target, { format, deduplicate });
  let seconds = 0;
  try {
    for (const { z } of await reader.zoomLevels()) {
      for (let after: { x: number; y: number } | null = null; ; ) {
        const batch = await reader.readBatch(z, after, BATCH);
        const started = performance.now();
        await writer.write(batch);
        seconds += (performance.now() - started) / 1000;
        if (batch.length < BATCH) break;
        after = { x: batch[batch.length - 1]!.x, y: batch[batch.length - 1]!.y };
      }
    }
    const started = performance.now();
    await writer.finish({ name: 'bench', format, bounds: [-180, -85, 180, 85], minzoom: 0, maxzoom: 0 });
    seconds += (performance.now() - started) / 1000;
  } finally {
    await writer.close();
    await reader.close();
  }
  const db = new Database(target, { readonly: true });
  try {
    const parts = new Map((db.prepare('SELECT name, sum(pgsize) FROM dbstat GROUP BY name').raw().all() as [string, number][]).map(([n, b]) => [n, b]));
    const images = deduplicate ? (db.prepare('SELECT count(*) FROM images').pluck().get() as number) : null;
    return { seconds, bytes: statSync(target).size, parts, images };
  } finally {
    db.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function tippecanoeOnPath(): boolean {
  try {
    execFileSync('tippecanoe', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function runMbtilesDedupeBench(options: { only?: string; reps?: number } = {}): Promise<void> {
  const reps = options.reps ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-dedupe-bench-'));
  const rows: (string | number)[][] = [];
  const load = loadavg()[0]!;
  try {
    for (const c of CASES.filter((k) => !options.only || k.name === options.only)) {
      const source = await makeTiles(c, dir);
      const tiles = (await (await openMbtiles(source)).zoomLevels()).reduce((n, z) => n + z.count, 0);
      const runs: { flat: Written[]; deduplicated: Written[] } = { flat: [], deduplicated: [] };
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? (['flat', 'deduplicated'] as const) : (['deduplicated', 'flat'] as const);
        for (const layout of order) {
          const target = join(dir, `${c.name}-${layout}.mbtiles`);
          rmSync(target, { force: true });
          runs[layout].push(await rewrite(source, target, layout === 'deduplicated'));
        }
      }
      for (const layout of ['flat', 'deduplicated'] as const) {
        const w = runs[layout].at(-1)!;
        const perTile = (names: string[]) => (names.reduce((n, name) => n + (w.parts.get(name) ?? 0), 0) / tiles).toFixed(1);
        const seconds = median(runs[layout].map((r) => r.seconds));
        rows.push([
          c.name,
          layout === 'flat' ? 'before: flat tiles + side table' : 'after: map + images',
          tiles.toLocaleString('en'),
          w.images === null ? '–' : w.images.toLocaleString('en'),
          (w.bytes / 1e6).toFixed(1),
          layout === 'flat' ? perTile(['tiles']) : perTile(['images']),
          layout === 'flat' ? perTile(['tile_index']) : `${perTile(['map'])} + ${perTile(['images_content'])}`,
          layout === 'flat' ? perTile(['tessera_tile_written']) : 'in map (7)',
          seconds.toFixed(2),
          Math.round(tiles / seconds).toLocaleString('en'),
        ]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `MBTiles de-duplication — the same tiles in both layouts, write + finish median of ${reps}, layouts alternating; 1-min load ${load.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`,
    ['case', 'layout', 'tiles', 'images', 'file MB', 'tile data B/tile', 'positions B/tile', 'written time B/tile', 'write s', 'tiles/s'],
    rows,
  );
  console.log(
    'B/tile = bytes of SQLite pages (dbstat) per tile: "positions" is the flat file\'s unique index, or map + the index on content_hash; "written time" the side table, or map\'s written_at column (6-byte integer + its header byte).' +
      (tippecanoeOnPath() ? '' : '\ntippecanoe is not on the PATH here: the issue measured 121.6 MB for states_provinces z0–10 with -pf -pk.'),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  await runMbtilesDedupeBench({ only: arg('--only'), reps: Number(arg('--reps') ?? 3) });
}
