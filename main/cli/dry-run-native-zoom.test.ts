/**
 * `tessera preseed raster … --dry-run` names each dataset's native zoom (measured by GDAL) and
 * warns, by how many levels, when the max zoom asked for only upsamples it: Blue Marble and an
 * SRTM .hgt, through a real child process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runTessera } from '../testing/run-tessera.js';
import type { JobEstimate } from '../../shared/contract.js';
import { blueMarbleTif, srtmDem } from '../testing/real-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-native-zoom-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tessera = (...args: string[]) => runTessera(join(dir, 'data'), ...args);

test('Blue Marble to z6: native ≈z3.4, and z6 is 2.6 levels past it', async () => {
  const run = await tessera('preseed', 'raster', blueMarbleTif(), '--zoom', '0-6', '-o', join(dir, 'world.mbtiles'), '--dry-run');
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /✓ .*bluemarble\.tif: [\d,]+ tiles, native ≈z3\.4\n\s+! z6 is 2\.6 levels past the source's native ≈z3\.4: tiles there are upsampled\n/,
  );
});

test('the SRTM .hgt to z10 is not upsampled (native ≈z10.3); --json carries the number', async () => {
  const run = await tessera('preseed', 'raster', srtmDem(), '--zoom', '8-10', '-o', join(dir, 'dem.mbtiles'), '--dry-run', '--json');
  assert.equal(run.code, 0, run.stderr);
  const estimate = JSON.parse(run.stdout) as JobEstimate;
  const native = estimate.datasets[0]!.nativeZoom!;
  assert.ok(Math.abs(native - 10.27) < 0.02, `native zoom ${native}`);
  const text = await tessera('preseed', 'raster', srtmDem(), '--zoom', '8-10', '-o', join(dir, 'dem.mbtiles'), '--dry-run');
  assert.match(text.stdout, /N57E011\.hgt: [\d,]+ tiles, native ≈z10\.3\n/);
  assert.doesNotMatch(text.stdout, /upsampled/);
});
