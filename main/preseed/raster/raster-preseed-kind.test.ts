/**
 * preseed-raster end to end: a real Engine (real worker pool, real GDAL, real SQLite) on temp data
 * directories, real rasters, and GDAL's own gdal2tiles.py as the reference for the pixels.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { JobSummary, RasterPreseedParams } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import {
  type Gdal2TilesOptions,
  assertClose,
  compareTiles,
  demScaledLikeGdalTranslate,
  gdalwarpTiles,
  hasContent,
  readMbtilesTiles,
  rgba,
  runGdal2Tiles,
} from './testing/gdal2tiles-reference.js';
import { type GoldenTiles, compareWithGolden, goldenFromDirectory } from './testing/golden-tiles.js';
import { golden } from '../../../workers/testing/golden.js';
import { downsampleInto } from '../../../workers/raster-overview.js';
import { metatileAt, metatileGrid, pickMetatileSide } from './metatiles.js';
import { blueMarbleTif, illinoisNad27Tif, srtmDem, srtmHillshadeTif } from '../../testing/real-data.js';
import { coverageFromRings } from '../../tiling/coverage.js';
import { planTiles, tileTouchesCoverage } from '../../tiling/tile-plan.js';
import { tileBoundsLonLat } from '../../../shared/tile-grid.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-raster-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
let hillshade = '';
before(() => {
  hillshade = srtmHillshadeTif(root);
});

type Params = Partial<RasterPreseedParams> & Pick<RasterPreseedParams, 'datasets' | 'minZoom' | 'maxZoom' | 'output'>;

async function openEngine(dataDir = join(root, `d${++dirs}`)): Promise<Engine> {
  return Engine.open({ dataDir, host: 'headless', logger: createLogger('silent'), threads: 2, backoff: { initialDelayMs: 5, maxDelayMs: 20 } });
}

async function runJob(engine: Engine, params: Params): Promise<JobSummary> {
  const job = await engine.start({ kind: 'preseed-raster', params });
  return engine.waitFor(job.id);
}

function out(name: string): string {
  return join(root, `${++dirs}-${name}`);
}

/**
 * gdal2tiles' tiles of an input, from the golden file beside this test (testing/golden/NAME.json);
 * with UPDATE=1, gdal2tiles.py is run and the file written again. The live comparison with
 * gdal2tiles, and the check that these files are still what it makes, is in
 * raster-preseed-kind.reference.ts (npm run test:reference).
 */
function gdal2tilesGolden(name: string, input: () => string, options: Gdal2TilesOptions): Promise<GoldenTiles> {
  return golden(import.meta.url, name, async () => {
    const reference = out(`${name}-gdal2tiles`);
    await runGdal2Tiles(input(), reference, options);
    const version = execFileSync('gdalinfo', ['--version'], { encoding: 'utf8' }).trim();
    return goldenFromDirectory(reference, `gdal2tiles.py --xyz -z ${options.minZoom}-${options.maxZoom} -r ${options.resampling} (${version})`);
  });
}

function gdalinfoJson(path: string): { metadata: Record<string, Record<string, string>>; wgs84Extent?: { coordinates: number[][][] }; size: number[] } {
  return JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8' }));
}

test('SRTM hillshade: tiles match gdal2tiles tile for tile, and GDAL reads the MBTiles back with its bounds and zooms', async () => {
  const engine = await openEngine();
  try {
    const output = out('hillshade.mbtiles');
    const job = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 11, output, resampling: 'average' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const reference = await gdal2tilesGolden('hillshade', () => hillshade, { minZoom: 8, maxZoom: 11, resampling: 'average' });
    assertClose(await compareWithGolden(output, reference), { colour: 3, alpha: 3, worst: 12 }, 'hillshade');

    const info = gdalinfoJson(output);
    assert.equal(info.metadata['']!.minzoom, '8');
    assert.equal(info.metadata['']!.maxzoom, '11');
    // GDAL opens the file at its deepest zoom: the raster covers whole z11 tiles around the 1°×1° DEM.
    const ring = info.wgs84Extent!.coordinates[0]!;
    const lons = ring.map((p) => p[0]!);
    const lats = ring.map((p) => p[1]!);
    const z11Tile = 360 / 2 ** 11;
    assert.ok(Math.min(...lons) <= 11 && Math.min(...lons) > 11 - z11Tile, `west ${Math.min(...lons)}`);
    assert.ok(Math.max(...lons) >= 12 && Math.max(...lons) < 12 + z11Tile, `east ${Math.max(...lons)}`);
    assert.ok(Math.min(...lats) <= 57 && Math.min(...lats) > 56.9, `south ${Math.min(...lats)}`);
    assert.ok(Math.max(...lats) >= 58 && Math.max(...lats) < 58.1, `north ${Math.max(...lats)}`);
    const items = engine.store.allItems(job.id);
    assert.deepEqual(
      items[0]!.result!.zooms,
      planTiles(items[0]!.result!.bounds as [number, number, number, number], 8, 11).map((z) => ({ z: z.z, tiles: z.tiles })),
    );
  } finally {
    await engine.close();
  }
});

test('Blue Marble (RGB, whole world): tiles match gdal2tiles at z0–3', async () => {
  const engine = await openEngine();
  try {
    const output = out('bluemarble.mbtiles');
    const job = await runJob(engine, { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 3, output, resampling: 'average' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.progress.done, 85);
    const reference = await gdal2tilesGolden('bluemarble', blueMarbleTif, { minZoom: 0, maxZoom: 3, resampling: 'average', processes: 2 });
    assertClose(await compareWithGolden(output, reference), { colour: 3, alpha: 1, worst: 8 }, 'bluemarble');
    // The golden comparison sees drift: the same tiles 6 levels darker, or one tile left out, fail it.
    const darker = out('bluemarble-darker.mbtiles');
    copyFileSync(output, darker);
    const db = new Database(darker);
    try {
      // A new output stores each distinct tile once, in images (behind the tiles view).
      const rows = db.prepare('SELECT tile_id id, tile_data d FROM images').all() as { id: number; d: Buffer }[];
      for (const row of rows) db.prepare('UPDATE images SET tile_data = ? WHERE tile_id = ?').run(await sharp(row.d).linear(1, -6).png().toBuffer(), row.id);
    } finally {
      db.close();
    }
    await assert.rejects(
      async () => assertClose(await compareWithGolden(darker, reference), { colour: 3, alpha: 1, worst: 8 }, 'darker'),
      /darker z\d.*mean colour/,
    );
    const missing = await compareWithGolden(output, { ...reference, tiles: { ...reference.tiles, '9/0/0': reference.tiles['3/4/2']! } });
    assert.deepEqual(missing.onlyReference, ['9/0/0']);
    const info = gdalinfoJson(output);
    assert.equal(info.metadata['']!.format, 'png');
    assert.deepEqual(info.size, [2048, 2048]);
  } finally {
    await engine.close();
  }
});

test('SRTM Int16 DEM with scale auto: stretched like gdal_translate -scale min max 0 255, then gdal2tiles', async () => {
  const engine = await openEngine();
  try {
    const dem = srtmDem();
    const output = out('dem.mbtiles');
    const job = await runJob(engine, { datasets: [dem], minZoom: 8, maxZoom: 10, output, scale: 'auto' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.match(String(engine.store.allItems(job.id)[0]!.result!.pixels), /Int16 grey, stretched/);
    const reference = await gdal2tilesGolden('dem-scaled', () => demScaledLikeGdalTranslate(dem, root), { minZoom: 8, maxZoom: 10, resampling: 'average' });
    assertClose(await compareWithGolden(output, reference), { colour: 3, alpha: 3, worst: 12 }, 'dem');
  } finally {
    await engine.close();
  }
});

/** Our tiles of zoom z against gdalwarp's straight onto the same grid (see gdalwarpTiles). */
async function compareWithGdalwarp(
  output: string,
  input: string,
  bounds: [number, number, number, number],
  z: number,
  resampling: 'near' | 'bilinear' | 'average',
  label: string,
): Promise<void> {
  const ours = readMbtilesTiles(output);
  const range = planTiles(bounds, z, z)[0]!.range;
  const reference = await gdalwarpTiles(input, root, range, resampling);
  let compared = 0;
  for (const [key, ref] of reference) {
    const mine = ours.get(key);
    if (!mine) {
      assert.ok(!(await hasContent(ref)), `${label}: ${key} has content in gdalwarp's rendering but was not made`);
      continue;
    }
    const d = await compareTiles(mine, ref);
    assert.ok(d.colour < 1.5 && d.alpha < 1.5, `${label} ${key}: colour ${d.colour.toFixed(2)}, alpha ${d.alpha.toFixed(2)}`);
    compared++;
  }
  assert.ok(compared > 0, `${label}: nothing compared`);
}

test('a projected, grey input (SP27GTIF, NAD27 / Illinois East) is warped exactly as gdalwarp does; GDAL picks its datum shift', async () => {
  const engine = await openEngine();
  try {
    const output = out('illinois.mbtiles');
    const job = await runJob(engine, { datasets: [illinoisNad27Tif()], minZoom: 12, maxZoom: 14, output, resampling: 'bilinear' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const bounds = engine.store.allItems(job.id)[0]!.result!.bounds as [number, number, number, number];
    assert.ok(Math.abs(bounds[0] - -87.667) < 0.01 && Math.abs(bounds[3] - 41.917) < 0.01, `bounds ${bounds}`);
    await compareWithGdalwarp(output, illinoisNad27Tif(), bounds, 14, 'bilinear', 'illinois');
    // gdal2tiles goes through a nearest-neighbour VRT at the source's resolution first, so on this
    // detailed aerial photo its tiles sit up to a source pixel away (about 3 px at z15): only roughly alike.
    const reference = await gdal2tilesGolden('illinois-z12', illinoisNad27Tif, { minZoom: 12, maxZoom: 12, resampling: 'bilinear' });
    const loose = await compareWithGolden(output, reference, [12]);
    assert.ok(loose.perZoom.get(12)!.colour < 10, `z12 mean colour ${loose.perZoom.get(12)!.colour}`);
  } finally {
    await engine.close();
  }
});

test('a paletted input with a nodata index is expanded to RGBA before the warp; nodata is transparent', async () => {
  const engine = await openEngine();
  try {
    const crop = join(root, 'crop.tif');
    const paletted = join(root, 'paletted.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '1000', '200', '400', '300', blueMarbleTif(), crop]);
    execFileSync('/usr/bin/python3', ['/usr/bin/rgb2pct.py', '-n', '16', crop, paletted], { stdio: 'ignore' });
    execFileSync('/usr/bin/python3', ['/usr/bin/gdal_edit.py', '-a_nodata', '0', paletted], { stdio: 'ignore' });
    const expanded = join(root, 'paletted-rgba.vrt');
    execFileSync('gdal_translate', ['-q', '-of', 'VRT', '-expand', 'rgba', paletted, expanded]);
    const output = out('paletted.mbtiles');
    const job = await runJob(engine, { datasets: [paletted], minZoom: 3, maxZoom: 5, output, resampling: 'average' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.match(String(engine.store.allItems(job.id)[0]!.result!.pixels), /palette → RGBA/);
    const bounds = engine.store.allItems(job.id)[0]!.result!.bounds as [number, number, number, number];
    for (const z of [3, 5]) await compareWithGdalwarp(output, expanded, bounds, z, 'average', `paletted z${z}`);
    // Index 0 (nodata) became transparent: tiles wholly inside the footprint have holes.
    let transparentInside = 0;
    let inside = 0;
    for (const [key, data] of readMbtilesTiles(output)) {
      const [z, x, y] = key.split('/').map(Number) as [number, number, number];
      const [w, s, e, n] = tileBoundsLonLat(z, x, y);
      if (w < bounds[0] || s < bounds[1] || e > bounds[2] || n > bounds[3]) continue;
      inside++;
      const { data: px } = await rgba(data);
      for (let i = 3; i < px.length; i += 4) if (px[i] === 0) transparentInside++;
    }
    assert.ok(inside > 0 && transparentInside > 0, `${transparentInside} transparent pixels in ${inside} inner tiles`);
  } finally {
    await engine.close();
  }
});

test('512-px tiles: every tile is 512×512 and the count per zoom is the plan’s', async () => {
  const engine = await openEngine();
  try {
    const output = out('hillshade-512.mbtiles');
    const job = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 10, output, tileSize: 512 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const tiles = readMbtilesTiles(output);
    const bounds = engine.store.allItems(job.id)[0]!.result!.bounds as [number, number, number, number];
    const planned = planTiles(bounds, 8, 10);
    for (const z of planned) assert.equal([...tiles.keys()].filter((k) => k.startsWith(`${z.z}/`)).length, z.tiles, `z${z.z}`);
    for (const data of tiles.values()) {
      const meta = await sharp(data).metadata();
      assert.equal(meta.width, 512);
      assert.equal(meta.height, 512);
    }
  } finally {
    await engine.close();
  }
});

test('polygon coverage: only tiles touching the polygon are made, all of them', async () => {
  const engine = await openEngine();
  try {
    const ring: [number, number][] = [
      [11.1, 57.1],
      [11.9, 57.2],
      [11.3, 57.9],
      [11.1, 57.1],
    ];
    const coveragePath = join(root, 'triangle.geojson');
    writeFileSync(
      coveragePath,
      JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }] }),
    );
    const coverage = coverageFromRings([[ring]]);
    const output = out('triangle.mbtiles');
    const job = await runJob(engine, { datasets: [hillshade], minZoom: 9, maxZoom: 11, output, coverage: coveragePath });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const tiles = readMbtilesTiles(output);
    const bounds = engine.store.allItems(job.id)[0]!.result!.bounds as [number, number, number, number];
    const withCoverage = planTiles(bounds, 9, 11, coverage).reduce((n, z) => n + z.tiles, 0);
    const without = planTiles(bounds, 9, 11).reduce((n, z) => n + z.tiles, 0);
    assert.ok(withCoverage < without, `${withCoverage} of ${without}`);
    assert.equal(tiles.size, withCoverage);
    for (const key of tiles.keys()) {
      const [z, x, y] = key.split('/').map(Number) as [number, number, number];
      assert.ok(tileTouchesCoverage(z, x, y, coverage), `${key} does not touch the coverage`);
    }
  } finally {
    await engine.close();
  }
});

test('two datasets that share edge tiles make one mosaic: the shared tiles show both halves', async () => {
  const engine = await openEngine();
  try {
    const west = join(root, 'hillshade-west.tif');
    const east = join(root, 'hillshade-east.tif');
    execFileSync('gdal_translate', ['-q', '-srcwin', '0', '0', '600', '1201', hillshade, west]);
    execFileSync('gdal_translate', ['-q', '-srcwin', '600', '0', '601', '1201', hillshade, east]);
    const whole = out('whole.mbtiles');
    const mosaic = out('halves.mbtiles');
    assert.equal((await runJob(engine, { datasets: [hillshade], minZoom: 9, maxZoom: 10, output: whole, resampling: 'nearest' })).state, 'succeeded');
    const job = await runJob(engine, { datasets: [west, east], minZoom: 9, maxZoom: 10, output: mosaic, resampling: 'nearest' });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const a = readMbtilesTiles(whole);
    const b = readMbtilesTiles(mosaic);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    // The tiles that both halves touch: composed, they match the whole dataset's.
    const westTiles = new Set(
      planTiles(engine.store.allItems(job.id)[0]!.result!.bounds as [number, number, number, number], 9, 10).flatMap((z) => tilesOf(z.range)),
    );
    const eastTiles = planTiles(engine.store.allItems(job.id)[1]!.result!.bounds as [number, number, number, number], 9, 10).flatMap((z) => tilesOf(z.range));
    const shared = eastTiles.filter((k) => westTiles.has(k));
    assert.ok(shared.length > 0);
    for (const key of shared) {
      const d = await compareTiles(b.get(key)!, a.get(key)!);
      assert.ok(d.colour < 1 && d.alpha < 1, `${key}: colour ${d.colour.toFixed(2)}, alpha ${d.alpha.toFixed(2)}`);
    }
  } finally {
    await engine.close();
  }
});

function tilesOf(range: { z: number; minX: number; minY: number; maxX: number; maxY: number }): string[] {
  const keys: string[] = [];
  for (let x = range.minX; x <= range.maxX; x++) for (let y = range.minY; y <= range.maxY; y++) keys.push(`${range.z}/${x}/${y}`);
  return keys;
}

test('modes: resume keeps what is there, refresh remakes what is older than olderThan', async () => {
  const engine = await openEngine();
  try {
    const output = out('modes.mbtiles');
    const first = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 10, output });
    assert.equal(first.state, 'succeeded');
    const total = first.progress.total;
    const resumed = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 10, output, mode: 'resume' });
    assert.deepEqual(pick(engine.store.allItems(resumed.id)[0]!.result!), { written: 0, kept: total });
    const times = writtenTimes(output);
    const cut = new Date(Math.max(...times.values()) + 1).toISOString();
    const refreshed = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 10, output, mode: 'refresh', olderThan: cut });
    assert.deepEqual(pick(engine.store.allItems(refreshed.id)[0]!.result!), { written: total, kept: 0 });
    const again = await runJob(engine, { datasets: [hillshade], minZoom: 8, maxZoom: 10, output, mode: 'refresh', olderThan: cut });
    assert.deepEqual(pick(engine.store.allItems(again.id)[0]!.result!), { written: 0, kept: total });
  } finally {
    await engine.close();
  }
});

function pick(result: Record<string, unknown>): { written: unknown; kept: unknown } {
  return { written: result.written, kept: result.kept };
}

test('a truncated GeoTIFF among good datasets fails its own item (DATASET_UNREADABLE); the job ends partial with the good tiles', async () => {
  const engine = await openEngine();
  try {
    const truncated = join(root, 'truncated.tif');
    writeFileSync(truncated, readFileSync(blueMarbleTif()).subarray(0, 200_000));
    const output = out('mosaic.mbtiles');
    const job = await runJob(engine, { datasets: [hillshade, truncated, illinoisNad27Tif()], minZoom: 6, maxZoom: 8, output });
    assert.equal(job.state, 'partial');
    const items = engine.store.allItems(job.id);
    assert.deepEqual(
      items.map((i) => i.state),
      ['succeeded', 'failed', 'succeeded'],
    );
    assert.equal(items[1]!.error!.code, 'DATASET_UNREADABLE');
    assert.match(items[1]!.error!.message, /truncated\.tif/);
    assert.match(items[1]!.error!.message, /TIFFRead|IReadBlock|failed/i);
    assert.equal(job.error?.code, 'DATASET_UNREADABLE');
    const tiles = readMbtilesTiles(output);
    for (const item of [items[0]!, items[2]!]) {
      const b = item.result!.bounds as [number, number, number, number];
      for (const z of planTiles(b, 6, 8)) {
        for (let x = z.range.minX; x <= z.range.maxX; x++)
          for (let y = z.range.minY; y <= z.range.maxY; y++) assert.ok(tiles.has(`${z.z}/${x}/${y}`), `${item.label}: ${z.z}/${x}/${y}`);
      }
    }
    const info = gdalinfoJson(output);
    assert.equal(info.metadata['']!.minzoom, '6');
  } finally {
    await engine.close();
  }
});

test('a job whose estimate exceeds the cache quota is refused with QUOTA_EXCEEDED and the numbers', async () => {
  const engine = await openEngine();
  try {
    await engine.handlers['settings.update']({ cacheQuotaBytes: 10_000 });
    const output = join(engine.dataDir, 'caches', 'bluemarble.mbtiles');
    await assert.rejects(
      () => engine.start({ kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 4, output } }),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError);
        assert.equal(error.code, 'QUOTA_EXCEEDED');
        assert.match(error.message, /9\.8 KiB cache quota/);
        const details = error.details as { neededBytes: number; quotaBytes: number };
        assert.equal(details.quotaBytes, 10_000);
        assert.ok(details.neededBytes > 100_000, `needed ${details.neededBytes}`);
        return true;
      },
    );
    assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 0);
    const estimate = await engine.estimate({
      kind: 'preseed-raster',
      params: { datasets: [blueMarbleTif(), join(root, 'missing.tif')], minZoom: 0, maxZoom: 4, output },
    });
    assert.equal(estimate.totalTiles, 341);
    assert.deepEqual(
      estimate.zooms.map((z) => z.tiles),
      [1, 4, 16, 64, 256],
    );
    assert.equal(estimate.datasets[1]!.error!.code, 'DATASET_UNREADABLE');
    assert.ok(estimate.sample && estimate.sample.tiles > 0 && estimate.sample.bytesPerTile > 0);
    assert.equal(estimate.storage.problem?.code, 'QUOTA_EXCEEDED');
  } finally {
    await engine.close();
  }
});

test('validate names the bad field: a missing dataset is params.datasets.1', async () => {
  const engine = await openEngine();
  try {
    await assert.rejects(
      () =>
        engine.start({ kind: 'preseed-raster', params: { datasets: [hillshade, join(root, 'nope.tif')], minZoom: 0, maxZoom: 2, output: out('x.mbtiles') } }),
      (error: unknown) => error instanceof TesseraError && error.code === 'BAD_INPUT' && /params\.datasets\.1/.test(error.message),
    );
  } finally {
    await engine.close();
  }
});

/** written_at of every tile in an MBTiles, keyed z/x/y (XYZ). */
function writtenTimes(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level z, tile_column x, tile_row r, written_at t FROM map').all() as {
      z: number;
      x: number;
      r: number;
      t: number;
    }[];
    return new Map(rows.map((r) => [`${r.z}/${r.x}/${2 ** r.z - 1 - r.r}`, r.t]));
  } finally {
    db.close();
  }
}

/**
 * Whether tile z/x/y lies in a block the checkpoint counts as finished: levels before its zoom in
 * the walk's order (down from the deepest when the walk says so), then blocks before `next`.
 */
function beforeCheckpoint(
  key: string,
  checkpoint: { z: number; next: number; walk?: 'down' },
  extent: [number, number, number, number],
  tileSize: number,
): boolean {
  const [z, x, y] = key.split('/').map(Number) as [number, number, number];
  if (z !== checkpoint.z) return checkpoint.walk === 'down' ? z > checkpoint.z : z < checkpoint.z;
  const side = pickMetatileSide(tileSize);
  const grid = metatileGrid(extent, z, side)!;
  const index = (Math.floor(y / side) - Math.floor(grid.range.minY / side)) * grid.columns + (Math.floor(x / side) - Math.floor(grid.range.minX / side));
  assert.ok(metatileAt(grid, index).tiles.some((t) => t.x === x && t.y === y));
  return index < checkpoint.next;
}

/**
 * Every tile of zooms min…max - 1 in the MBTiles is its four children there averaged 2×2, pixel for
 * pixel (the overview task's own kernel): no parent left over from before a cancel, none missing.
 */
async function assertParentsFromChildren(output: string, minZoom: number, maxZoom: number): Promise<void> {
  const tiles = readMbtilesTiles(output);
  for (let z = minZoom; z < maxZoom; z++) {
    for (let x = 0; x < 2 ** z; x++) {
      for (let y = 0; y < 2 ** z; y++) {
        const expected = new Uint8Array(256 * 256 * 4);
        for (const [q, [dx, dy]] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ].entries()) {
          const child = tiles.get(`${z + 1}/${2 * x + dx!}/${2 * y + dy!}`);
          assert.ok(child, `${z + 1}/${2 * x + dx!}/${2 * y + dy!} is missing`);
          const rgba = await sharp(child).toColourspace('srgb').ensureAlpha().raw().toBuffer();
          downsampleInto(new Uint8Array(rgba), 256, 3, expected, (q % 2) * 128, Math.floor(q / 2) * 128);
        }
        const parent = tiles.get(`${z}/${x}/${y}`);
        assert.ok(parent, `${z}/${x}/${y} is missing`);
        const actual = await sharp(parent).toColourspace('srgb').ensureAlpha().raw().toBuffer();
        assert.ok(Buffer.from(expected).equals(actual), `${z}/${x}/${y} is not its children averaged`);
      }
    }
  }
}

test('cancel in the middle of a zoom level made from its children: the job ends cancelled at once, and a retry finishes without redoing a finished block, every parent made from its children', async () => {
  const engine = await openEngine();
  try {
    const output = out('cancel.mbtiles');
    // overwrite: only the checkpoint keeps finished tiles from being made again.
    const params: Params = { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 5, output, mode: 'overwrite' };
    const job = await engine.start({ kind: 'preseed-raster', params });
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.progress', (p) => {
        // The walk goes down: z5 (warped) is the first 1,024 tiles, then z4 is made from them.
        if (p.jobId === job.id && p.done >= 1100) {
          off();
          resolve();
        }
      });
    });
    const asked = performance.now();
    engine.cancel([job.id]);
    const cancelled = await engine.waitFor(job.id);
    const latencyMs = performance.now() - asked;
    assert.equal(cancelled.state, 'cancelled');
    const [item] = engine.store.allItems(job.id);
    const checkpoint = item!.checkpoint as { z: number; next: number; written: number; walk?: 'down' };
    assert.equal(checkpoint.walk, 'down');
    assert.equal(checkpoint.z, 4, 'cancelled during z4');
    assert.ok(checkpoint.next > 0 && item!.done < 1365, `next ${checkpoint.next}, done ${item!.done}`);
    const before = writtenTimes(output);
    assert.ok(before.size >= checkpoint.written);
    engine.retry([job.id]);
    const finished = await engine.waitFor(job.id);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    assert.equal(finished.progress.done, 1365);
    const afterTimes = writtenTimes(output);
    assert.equal(afterTimes.size, 1365);
    const extent: [number, number, number, number] = [-180, -85.0511287798066, 180, 85.0511287798066];
    let kept = 0;
    for (const [key, t] of before) {
      if (!beforeCheckpoint(key, checkpoint, extent, 256)) continue;
      assert.equal(afterTimes.get(key), t, `${key} was made again`);
      kept++;
    }
    // Every tile of the finished blocks (all of z5, z4's first blocks) kept as it was.
    assert.equal(kept, checkpoint.written);
    assert.ok(kept > 1024, `kept ${kept}`);
    await assertParentsFromChildren(output, 0, 5);
    // Reported, not asserted: timing on a shared 2-core machine is not a test's business.
    console.log(`# cancel → cancelled in ${latencyMs.toFixed(0)} ms`);
  } finally {
    await engine.close();
  }
});

test('resume after a kill: SIGKILL mid-job, a new engine resumes the interrupted job and redoes no finished block', async () => {
  const dataDir = join(root, `killed-${++dirs}`);
  mkdirSync(dataDir);
  const output = join(root, `${dirs}-killed.mbtiles`);
  const params: Params = { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 5, output, mode: 'overwrite' };
  const dist = fileURLToPath(new URL('../../../', import.meta.url));
  const script = `
    import { Engine } from ${JSON.stringify(join(dist, 'main/engine/engine.js'))};
    import { createLogger } from ${JSON.stringify(join(dist, 'main/logging/logger.js'))};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(dataDir)}, host: 'headless', logger: createLogger('silent'), threads: 2 });
    engine.events.on('job.progress', (p) => process.stdout.write(JSON.stringify({ done: p.done }) + '\\n'));
    const job = await engine.start({ kind: 'preseed-raster', params: ${JSON.stringify(params)} });
    await engine.waitFor(job.id);
    process.stdout.write(JSON.stringify({ finished: true }) + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killedAt = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { done?: number; finished?: boolean };
        if (message.finished) reject(new Error('the job finished before it could be killed'));
        if ((message.done ?? 0) >= 400) {
          child.kill('SIGKILL');
          resolve(message.done!);
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code} ${signal}`));
    });
  });
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('exit', resolve)));

  const engine = await openEngine(dataDir);
  try {
    const [interrupted] = engine.store.listJobs(undefined, undefined, 10).rows;
    assert.equal(interrupted!.state, 'interrupted');
    const [item] = engine.store.allItems(interrupted!.id);
    const checkpoint = item!.checkpoint as { z: number; next: number };
    assert.ok(checkpoint && (checkpoint.z > 0 || checkpoint.next > 0), `a checkpoint after ${killedAt} tiles: ${JSON.stringify(checkpoint)}`);
    const before = writtenTimes(output);
    engine.retry([interrupted!.id]);
    const finished = await engine.waitFor(interrupted!.id);
    assert.equal(finished.state, 'succeeded', JSON.stringify(finished.error));
    // The item's counters travel with its checkpoints. (The job's own counters are saved once a
    // second, so after a kill they lag by what the last second did: the engine's to reconcile.)
    const [resumed] = engine.store.allItems(interrupted!.id);
    assert.equal(resumed!.done, 1365);
    assert.equal(resumed!.total, 1365);
    const afterTimes = writtenTimes(output);
    assert.equal(afterTimes.size, 1365);
    const extent: [number, number, number, number] = [-180, -85.0511287798066, 180, 85.0511287798066];
    let kept = 0;
    let redone = 0;
    for (const [key, t] of before) {
      if (beforeCheckpoint(key, checkpoint, extent, 256)) {
        assert.equal(afterTimes.get(key), t, `${key} was made again`);
        kept++;
      } else if (afterTimes.get(key) !== t) redone++;
    }
    assert.ok(kept > 0);
    // A batch written in the instant between its commit and its checkpoint is the item's own: kept,
    // not made again (issue 12, item 9: 928 tiles re-rendered where 688 were missing).
    assert.equal(redone, 0, `${redone} tiles after the checkpoint were made again`);
    await assertParentsFromChildren(output, 0, 5);
  } finally {
    await engine.close();
  }
});

test('succeeded means the tiles are there: tiles lost after the walk are found, walked again and made; the job ends with every tile', async () => {
  const engine = await openEngine();
  try {
    const output = out('holes.mbtiles');
    const first = await runJob(engine, { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 3, output });
    assert.equal(first.state, 'succeeded');
    const full = readMbtilesTiles(output).size;
    // The output as a crash between the two stores could leave it: the item's checkpoint says its
    // walk ended, but a batch of its tiles never reached the cache.
    const db = new Database(output);
    const lost = db.prepare('DELETE FROM map WHERE zoom_level = 3 AND tile_column < 4').run().changes;
    db.close();
    assert.ok(lost > 0);
    // Marked failed as the item left by the crash would be, so that a retry runs it again.
    const item = engine.store.listItems(first.id).rows[0]!;
    const raw = new Database(join(engine.dataDir, 'jobs.sqlite'));
    raw.prepare("UPDATE job_items SET state = 'failed' WHERE id = ?").run(item.id);
    raw.prepare("UPDATE jobs SET state = 'failed' WHERE id = ?").run(first.id);
    raw.close();
    engine.retry([first.id]);
    const final = await engine.waitFor(first.id);
    assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
    assert.equal(readMbtilesTiles(output).size, full, 'every tile is back');
    const events = engine.store
      .events(first.id, 0, 500)
      .map((e) => e.message)
      .join('\n');
    assert.match(events, /missing/, 'the holes are named in the job log');
    assert.equal(final.progress.done, final.progress.total, 'counted once, not twice');
  } finally {
    await engine.close();
  }
});

test('a failed job that made nothing leaves nothing at its output (MBTiles, PMTiles, directory); an output already there is untouched', async () => {
  const engine = await openEngine();
  try {
    const truncated = join(root, 'only-truncated.tif');
    writeFileSync(truncated, readFileSync(blueMarbleTif()).subarray(0, 200_000));
    for (const name of ['failed.mbtiles', 'failed.pmtiles', 'failed-dir']) {
      const folder = out('nothing');
      mkdirSync(folder);
      const output = join(folder, name);
      const job = await runJob(engine, { datasets: [truncated], minZoom: 0, maxZoom: 2, output });
      assert.equal(job.state, 'failed');
      assert.equal(existsSync(output), false, `${name}: no empty cache left behind`);
      assert.deepEqual(readdirSync(dirname(output)), [], `${name}: no working or journal file either`);
    }
    // A cache made before: the failed job does not change a byte of it.
    const kept = out('kept.mbtiles');
    assert.equal((await runJob(engine, { datasets: [hillshade], minZoom: 6, maxZoom: 7, output: kept })).state, 'succeeded');
    const contents = () => {
      const db = new Database(kept, { readonly: true });
      try {
        return {
          tiles: db.prepare('SELECT zoom_level, tile_column, tile_row, hex(tile_data) d FROM tiles ORDER BY 1, 2, 3').all(),
          metadata: db.prepare('SELECT * FROM metadata ORDER BY name').all(),
        };
      } finally {
        db.close();
      }
    };
    const before = contents();
    assert.ok(before.tiles.length > 0);
    const job = await runJob(engine, { datasets: [truncated], minZoom: 0, maxZoom: 2, output: kept });
    assert.equal(job.state, 'failed');
    assert.deepEqual(contents(), before, 'the existing cache keeps every tile and its metadata');
  } finally {
    await engine.close();
  }
});
