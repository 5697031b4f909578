import { expect, test } from 'vitest';
import { planDrop } from './drop-plan.js';

const MiB = 1024 ** 2;

test('folders and empty files are refused with their reason; the rest go on', () => {
  const plan = planDrop(
    [
      { name: 'roads.shp', size: 5 * MiB, directory: false },
      { name: 'tiles', size: 0, directory: true },
      { name: 'empty.geojson', size: 0, directory: false },
      { name: 'roads.dbf', size: MiB, directory: false },
    ],
    null,
  );
  expect(plan.accepted).toEqual([0, 3]);
  expect(plan.refused).toEqual([
    { index: 1, message: 'tiles is a folder: drop the files in it (or a ZIP of it) instead' },
    { index: 2, message: 'empty.geojson is empty (0 bytes)' },
  ]);
});

test('a file larger than the per-job quota, or one the drop has no room left for, is refused before sending', () => {
  const plan = planDrop(
    [
      { name: 'dem.tif', size: 300 * MiB, directory: false },
      { name: 'a.gpkg', size: 150 * MiB, directory: false },
      { name: 'b.gpkg', size: 100 * MiB, directory: false },
      { name: 'c.gpkg', size: 40 * MiB, directory: false },
    ],
    200 * MiB,
  );
  expect(plan.accepted).toEqual([1, 3]);
  expect(plan.refused[0]).toEqual({ index: 0, message: 'dem.tif (300 MiB) is larger than the ingest quota per job (200 MiB); nothing of it was sent' });
  expect(plan.refused[1]!.message).toBe(
    "b.gpkg (100 MiB) does not fit this drop's ingest quota: 150 MiB of 200 MiB is taken by the files before it; drop it on its own",
  );
});
