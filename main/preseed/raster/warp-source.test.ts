import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import gdal from 'gdal-async';
import { srtmHillshadeTif } from '../../testing/real-data.js';
import { planTiles } from '../../tiling/tile-plan.js';
import { inspectDataset } from './dataset-info.js';
import { renderSpec } from './render-spec.js';
import { WarpSource } from './warp-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-warp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Mean of the colour channel over the pixels the warp marked valid (alpha > 0). */
function meanValid(data: ArrayBuffer): { mean: number; valid: number } {
  const px = new Uint8Array(data);
  let sum = 0;
  let valid = 0;
  for (let i = 0; i < px.length; i += 2) {
    if (px[i + 1]! === 0) continue;
    sum += px[i]!;
    valid++;
  }
  return { mean: valid ? sum / valid : 0, valid };
}

test('GDAL’s warper reads the overview that fits the destination resolution, and full resolution where none does', async () => {
  // A hillshade with overviews, whose full-resolution pixels are then all set to 7: what a warp
  // returns tells which level it read.
  const tif = join(dir, 'with-overviews.tif');
  execFileSync('gdal_translate', ['-q', '-co', 'TILED=YES', srtmHillshadeTif(dir), tif]);
  execFileSync('gdaladdo', ['-q', '-r', 'average', tif, '2', '4', '8']);
  const ds = await gdal.openAsync(tif, 'r+');
  const band = await ds.bands.getAsync(1);
  const { x: w, y: h } = band.size;
  await band.pixels.writeAsync(0, 0, w, h, new Uint8Array(w * h).fill(7));
  await ds.flushAsync();
  ds.close();

  const info = await inspectDataset(tif);
  assert.equal(info.overviews, 3);
  const source = await WarpSource.open(info, renderSpec(info), 1);
  try {
    const render = async (z: number) => {
      const range = planTiles(info.bounds, z, z)[0]!.range;
      return meanValid((await source.render({ z, minX: range.minX, minY: range.minY, maxX: range.minX, maxY: range.minY, tileSize: 256 }, 'nearest')).data);
    };
    // z8: a source pixel is ~1/6 of a tile pixel, so an overview is read: the real hillshade.
    const coarse = await render(8);
    assert.ok(coarse.valid > 1000 && coarse.mean > 50, `z8 mean ${coarse.mean}`);
    // z12: finer than the source: full resolution, all 7s.
    const fine = await render(12);
    assert.ok(fine.valid > 1000 && Math.abs(fine.mean - 7) < 0.5, `z12 mean ${fine.mean}`);
  } finally {
    await source.close();
  }
});
