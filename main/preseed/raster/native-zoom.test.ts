import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatUpsampling } from '../../../shared/format.js';
import { blueMarbleTif, illinoisNad27Tif, srtmDem } from '../../testing/real-data.js';
import { inspectDataset } from './dataset-info.js';
import { nativeZoom, pixelGroundOf } from './native-zoom.js';

const near = (actual: number | null, expected: number, within: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= within, `${what}: ${actual}, expected ${expected} ± ${within}`);

test('Blue Marble (2,700 px over 360°): native ≈ z3.4 at 256-px tiles, one level less at 512', async () => {
  const info = await inspectDataset(blueMarbleTif());
  // 360° / 2,700 px at the equator = 14.84 km per pixel; z3 is 19.6 km, z4 9.8 km.
  near(info.pixelGround!.metres, 14_842, 5, 'pixel metres');
  near(info.pixelGround!.latitude, 0, 0.2, 'centre latitude');
  const z = nativeZoom(info.pixelGround!, 256);
  near(z, Math.log2((360 * 2700) / 360 / 256), 0.001, 'native zoom');
  near(z, 3.4, 0.05, 'native zoom');
  near(nativeZoom(info.pixelGround!, 512), z! - 1, 1e-9, 'native zoom at 512');
  assert.equal(formatUpsampling(6, z), "z6 is 2.6 levels past the source's native ≈z3.4: tiles there are upsampled");
  assert.equal(formatUpsampling(3, z), null);
});

test('SRTM .hgt at 57.5°N (3″ pixels, 49.8 m wide and 92.8 m tall): the tile pixel of the same ground area, ≈ z10.3', async () => {
  const info = await inspectDataset(srtmDem());
  near(info.pixelGround!.latitude, 57.5, 0.01, 'centre latitude');
  const wide = (1 / 1200) * 111_319.49 * Math.cos((57.5 * Math.PI) / 180);
  const tall = (1 / 1200) * 111_319.49;
  near(info.pixelGround!.metres, Math.sqrt(wide * tall), 0.5, 'pixel metres');
  const z = nativeZoom(info.pixelGround!, 256)!;
  // Between the zoom matching its width (10.72) and the one matching its height (9.83).
  near(z, 10.27, 0.02, 'native zoom');
  assert.equal(formatUpsampling(10, z), null);
  assert.match(formatUpsampling(12, z)!, /^z12 is 1\.7 levels past the source's native ≈z10\.3/);
});

test('a projected raster (NAD27 / Illinois East, US feet) is measured through its own CRS', async () => {
  const info = await inspectDataset(illinoisNad27Tif());
  // SP27GTIF.TIF has 32.8 ft (10 m) pixels: about z13.9 at Chicago's latitude.
  near(info.pixelGround!.metres, 10, 0.2, 'pixel metres');
  near(nativeZoom(info.pixelGround!, 256), Math.log2((40_075_016.7 * Math.cos((41.87 * Math.PI) / 180)) / 256 / 10), 0.03, 'native zoom');
});

test('a degenerate pixel and the poles have no native zoom', () => {
  assert.equal(pixelGroundOf([0, 0], [0.1, 0], [0.2, 0]), null);
  assert.equal(nativeZoom({ metres: 10, latitude: 90 }, 256), null);
  assert.equal(formatUpsampling(8, null), null);
  assert.equal(formatUpsampling(5, 4), "z5 is 1 level past the source's native ≈z4.0: tiles there are upsampled");
});
