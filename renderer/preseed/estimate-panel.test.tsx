import { expect, test } from 'vitest';
import type { JobEstimate } from '../../shared/contract.js';
import { mount } from '../testing/mount.js';
import { EstimatePanel } from './estimate-panel.js';

/** The vector dry run of Natural Earth states z0–7 as the engine answered it (numbers from a real run). */
const STATES: JobEstimate = {
  kind: 'preseed-vector',
  datasets: [{ path: '/data/world_map.gpkg', bounds: [-180, -90, 180, 83.6], tiles: 21_045, error: null }],
  zooms: [{ z: 7, tiles: 21_045 }],
  totalTiles: 21_045,
  tilesUpperBound: true,
  sample: { tiles: 1_594, zooms: [3, 4, 5, 6, 7], bytesPerTile: 632, secondsPerTile: 0.0039 },
  estimatedBytes: 13_304_418,
  estimatedSeconds: 82.8,
  range: { tiles: [8_243, 17_303], bytes: [5_000_000, 37_677_395], seconds: [14, 198] },
  storage: { output: '/data/states.mbtiles', freeBytes: 40 * 1024 ** 3, floorBytes: 512 * 1024 ** 2, quotaBytes: null, quotaUsedBytes: 0, problem: null },
};

test('a vector dry run says its count is an upper bound, how many tiles are likely made, and the ranges of size and time', async () => {
  const estimate = { data: STATES, error: null, fetching: false, waiting: false, outdated: false, updatedAt: Date.now(), now: () => {} };
  const m = await mount(<EstimatePanel estimate={estimate} canEstimate onEstimate={() => {}} />, {});
  const text = (id: string) => m.container.querySelector(`[data-testid="${id}"]`)?.textContent;
  try {
    expect(text('estimate-tiles')).toBe('21,045');
    expect(text('estimate-tiles-bound')).toBe(' at most; likely 8,243–17,303 made (empty ones are skipped)');
    expect(text('estimate-bytes')).toBe('about 12.7 MiB (4.8 MiB–35.9 MiB)');
    expect(text('estimate-time')).toBe('about 1m 23s (14s–3m 18s)');
    expect(m.container.textContent).toContain('1,594 tiles at z3, z4, z5, z6, z7');
  } finally {
    await m.unmount();
  }
});

/** Blue Marble z0–6 as the engine answers it: GDAL measures its 2,700 columns as native ≈ z3.4. */
const BLUE_MARBLE: JobEstimate = {
  kind: 'preseed-raster',
  datasets: [{ path: '/data/bluemarble.tif', bounds: [-180, -85.05, 180, 85.05], tiles: 5_461, error: null, nativeZoom: Math.log2(2700 / 256) }],
  zooms: [0, 1, 2, 3, 4, 5, 6].map((z) => ({ z, tiles: 4 ** z })),
  totalTiles: 5_461,
  tilesUpperBound: false,
  sample: null,
  estimatedBytes: null,
  estimatedSeconds: null,
  range: null,
  storage: STATES.storage,
};

test('a raster dry run shows each dataset’s native zoom and warns, by how many levels, when the max zoom upsamples past it', async () => {
  const estimate = { data: BLUE_MARBLE, error: null, fetching: false, waiting: false, outdated: false, updatedAt: Date.now(), now: () => {} };
  const m = await mount(<EstimatePanel estimate={estimate} canEstimate onEstimate={() => {}} />, {});
  const text = (id: string) => m.container.querySelector(`[data-testid="${id}"]`)?.textContent;
  try {
    expect(text('native-zoom')).toBe(' · native ≈z3.4');
    expect(text('upsampled')).toBe("z6 is 2.6 levels past the source's native ≈z3.4: tiles there are upsampled");
  } finally {
    await m.unmount();
  }
  const shallow = { ...BLUE_MARBLE, zooms: BLUE_MARBLE.zooms.slice(0, 4) };
  const n = await mount(<EstimatePanel estimate={{ ...estimate, data: shallow }} canEstimate onEstimate={() => {}} />, {});
  try {
    expect(n.container.querySelector('[data-testid="native-zoom"]')).not.toBeNull();
    expect(n.container.querySelector('[data-testid="upsampled"]')).toBeNull();
  } finally {
    await n.unmount();
  }
});

/** The engine's NO_GEOREFERENCE for a .shp without its .prj, word for word (main/preseed/vector/source-info.ts). */
const NO_CRS_MESSAGE =
  '/data/parcels.shp: layer parcels names no CRS (no .prj beside the Shapefile); give it its CRS (e.g. EPSG:27700: "Retry with CRS…", --crs, a .prj beside a Shapefile) and preseed again';

test('a source without a CRS is told to use the form’s own field, not "Retry with CRS…" (a job’s) or --crs (the CLI’s)', async () => {
  const data: JobEstimate = {
    ...STATES,
    datasets: [{ path: '/data/parcels.shp', bounds: null, tiles: 0, error: { code: 'NO_GEOREFERENCE', message: NO_CRS_MESSAGE } }],
  };
  for (const estimate of [
    { data, error: null, fetching: false, waiting: false, outdated: false, updatedAt: Date.now(), now: () => {} },
    { data: undefined, error: new Error(NO_CRS_MESSAGE), fetching: false, waiting: false, outdated: false, updatedAt: Date.now(), now: () => {} },
  ]) {
    const m = await mount(<EstimatePanel estimate={estimate as never} canEstimate onEstimate={() => {}} />, {});
    try {
      const text = m.container.textContent ?? '';
      expect(text).toContain('give it its CRS (e.g. EPSG:27700: "CRS for sources without one" in this form, a .prj beside a Shapefile) and preseed again');
      expect(text).not.toContain('Retry with CRS');
      expect(text).not.toContain('--crs');
    } finally {
      await m.unmount();
    }
  }
});
