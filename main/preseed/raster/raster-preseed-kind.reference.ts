/**
 * Reference suite (npm run test:reference): raster preseed against GDAL's gdal2tiles.py run live,
 * tile for tile at full resolution, and the check that the golden files the everyday test reads
 * (testing/golden/*.json) are still what gdal2tiles makes. When that check fails after a GDAL
 * upgrade, make them again: `UPDATE=1 node --test dist/main/preseed/raster/raster-preseed-kind.test.js`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RasterPreseedParams } from '../../../shared/contract.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';
import { blueMarbleTif, illinoisNad27Tif, srtmDem, srtmHillshadeTif } from '../../testing/real-data.js';
import { readGolden } from '../../../workers/testing/golden.js';
import {
  type Gdal2TilesOptions,
  assertClose,
  compareWithGdal2Tiles,
  demScaledLikeGdalTranslate,
  readMbtilesTiles,
  runGdal2Tiles,
} from './testing/gdal2tiles-reference.js';
import { type GoldenTiles, goldenFromDirectory } from './testing/golden-tiles.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-raster-reference-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
let hillshade = '';
before(() => {
  hillshade = srtmHillshadeTif(root);
});

function out(name: string): string {
  return join(root, `${++dirs}-${name}`);
}

/** Runs the job and gdal2tiles on the same input; returns our MBTiles and gdal2tiles' directory. */
async function both(
  params: Pick<RasterPreseedParams, 'datasets' | 'minZoom' | 'maxZoom'> & Partial<RasterPreseedParams>,
  referenceInput: string,
  options: Gdal2TilesOptions,
): Promise<{ ours: string; reference: string }> {
  const engine = await Engine.open({
    dataDir: out('data'),
    host: 'headless',
    logger: createLogger('silent'),
    threads: 2,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  try {
    const ours = out('ours.mbtiles');
    const job = await engine.start({ kind: 'preseed-raster', params: { ...params, output: ours } });
    const summary = await engine.waitFor(job.id);
    assert.equal(summary.state, 'succeeded', JSON.stringify(summary.error));
    const reference = out('gdal2tiles');
    await runGdal2Tiles(referenceInput, reference, options);
    return { ours, reference };
  } finally {
    await engine.close();
  }
}

/** Our PNG tiles take no more bytes than gdal2tiles' files of the same tiles (issue 14, item 4). */
function assertNoLarger(ours: string, reference: string, label: string): void {
  let theirs = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.png')) theirs += statSync(join(dir, entry.name)).size;
    }
  };
  walk(reference);
  const mine = [...readMbtilesTiles(ours).values()].reduce((n, d) => n + d.byteLength, 0);
  assert.ok(mine > 0 && mine <= theirs, `${label}: our tiles take ${mine} B, gdal2tiles' ${theirs} B`);
}

/** The golden file still holds what gdal2tiles makes now. */
async function assertGoldenCurrent(name: string, reference: string): Promise<void> {
  const committed = readGolden<GoldenTiles>(new URL('./raster-preseed-kind.test.js', import.meta.url).href, name);
  const live = await goldenFromDirectory(reference, committed.tool);
  assert.deepEqual(
    Object.keys(live.tiles),
    Object.keys(committed.tiles),
    `${name}: gdal2tiles now makes other tiles; run UPDATE=1 on raster-preseed-kind.test.js`,
  );
  for (const key of Object.keys(live.tiles)) {
    assert.equal(live.tiles[key], committed.tiles[key], `${name} ${key}: gdal2tiles now makes another tile; run UPDATE=1 on raster-preseed-kind.test.js`);
  }
}

test('reference: SRTM hillshade z8–11 matches gdal2tiles tile for tile; the golden file is current', async () => {
  const options: Gdal2TilesOptions = { minZoom: 8, maxZoom: 11, resampling: 'average' };
  const { ours, reference } = await both({ datasets: [hillshade], minZoom: 8, maxZoom: 11, resampling: 'average' }, hillshade, options);
  assertClose(await compareWithGdal2Tiles(ours, reference), { colour: 3, alpha: 3, worst: 12 }, 'hillshade');
  assertNoLarger(ours, reference, 'hillshade');
  await assertGoldenCurrent('hillshade', reference);
});

test('reference: Blue Marble z0–3 matches gdal2tiles; the golden file is current', async () => {
  const options: Gdal2TilesOptions = { minZoom: 0, maxZoom: 3, resampling: 'average', processes: 2 };
  const { ours, reference } = await both({ datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 3, resampling: 'average' }, blueMarbleTif(), options);
  assertClose(await compareWithGdal2Tiles(ours, reference), { colour: 3, alpha: 1, worst: 8 }, 'bluemarble');
  assertNoLarger(ours, reference, 'bluemarble');
  await assertGoldenCurrent('bluemarble', reference);
});

test('reference: SRTM DEM with scale auto matches gdal_translate -scale then gdal2tiles; the golden file is current', async () => {
  const options: Gdal2TilesOptions = { minZoom: 8, maxZoom: 10, resampling: 'average' };
  const dem = srtmDem();
  const { ours, reference } = await both({ datasets: [dem], minZoom: 8, maxZoom: 10, scale: 'auto' }, demScaledLikeGdalTranslate(dem, root), options);
  assertClose(await compareWithGdal2Tiles(ours, reference), { colour: 3, alpha: 3, worst: 12 }, 'dem');
  await assertGoldenCurrent('dem-scaled', reference);
});

test('reference: SP27GTIF (NAD27 / Illinois East) at z12 is roughly gdal2tiles (it goes through a nearest-neighbour VRT); the golden file is current', async () => {
  const options: Gdal2TilesOptions = { minZoom: 12, maxZoom: 12, resampling: 'bilinear' };
  const { ours, reference } = await both({ datasets: [illinoisNad27Tif()], minZoom: 12, maxZoom: 12, resampling: 'bilinear' }, illinoisNad27Tif(), options);
  const loose = await compareWithGdal2Tiles(ours, reference);
  assert.ok(loose.perZoom.get(12)!.colour < 10, `z12 mean colour ${loose.perZoom.get(12)!.colour}`);
  await assertGoldenCurrent('illinois-z12', reference);
});
