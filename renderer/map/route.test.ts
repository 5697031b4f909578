import { expect, test } from 'vitest';
import { hashForMap, mapScreenFromHash } from './route.js';

test('reads the map screen, its cache path and extent from the hash', () => {
  expect(mapScreenFromHash('#/map')).toEqual({ name: 'map' });
  expect(mapScreenFromHash('#/map/')).toEqual({ name: 'map' });
  expect(mapScreenFromHash('/map')).toEqual({ name: 'map' });
  expect(mapScreenFromHash('#/map?path=%2Fdata%2Fa%20b.mbtiles')).toEqual({ name: 'map', cachePath: '/data/a b.mbtiles' });
  expect(mapScreenFromHash('#/map?path=C%3A%5Ctiles%5Cx.pmtiles&extent=11,57,12,58')).toEqual({
    name: 'map',
    cachePath: 'C:\\tiles\\x.pmtiles',
    extent: [11, 57, 12, 58],
  });
  expect(mapScreenFromHash('#/map?path=')).toEqual({ name: 'map' });
});

test('ignores other screens and malformed extents', () => {
  for (const hash of ['', '#', '#/queue', '#/maps', '#/jobs/3', '#/map2?path=x']) expect(mapScreenFromHash(hash)).toBeNull();
  for (const extent of ['1,2,3', '12,57,11,58', '11,58,12,57', 'a,b,c,d', '-200,0,10,10', '0,-91,1,1']) {
    expect(mapScreenFromHash(`#/map?extent=${extent}`)).toEqual({ name: 'map' });
  }
});

test('writes hashes that read back as the same screen', () => {
  expect(hashForMap()).toBe('#/map');
  expect(hashForMap('/data/a&b #1.mbtiles')).toBe('#/map?path=%2Fdata%2Fa%26b%20%231.mbtiles');
  for (const [path, extent] of [
    ['/data/a&b #1.mbtiles', undefined],
    ['/x/y z?.pmtiles', [-10.5, 40, 3.25, 51] as [number, number, number, number]],
  ] as const) {
    expect(mapScreenFromHash(hashForMap(path, extent))).toEqual({ name: 'map', cachePath: path, ...(extent ? { extent } : {}) });
  }
});

test('a catalogue dataset is named by its id, never its path, and reads back', () => {
  expect(hashForMap({ datasetId: 7, extent: [-9, 54, -1, 61] })).toBe('#/map?dataset=7&extent=-9,54,-1,61');
  expect(mapScreenFromHash('#/map?dataset=7&extent=-9,54,-1,61')).toEqual({ name: 'map', datasetId: 7, extent: [-9, 54, -1, 61] });
  for (const bad of ['0', '-1', '1.5', 'x', '07']) expect(mapScreenFromHash(`#/map?dataset=${bad}`)).toEqual({ name: 'map' });
});

test('carries a job, one of its tiles and a second cache to compare with, both ways', () => {
  expect(mapScreenFromHash('#/map?path=%2Fa.mbtiles&job=12&tile=10%2F549%2F300')).toEqual({
    name: 'map',
    cachePath: '/a.mbtiles',
    jobId: 12,
    tile: [10, 549, 300],
  });
  expect(mapScreenFromHash('#/map?path=%2Fa.mbtiles&tile=10/549/300')).toEqual({ name: 'map', cachePath: '/a.mbtiles', tile: [10, 549, 300] });
  expect(mapScreenFromHash('#/map?path=%2Fa.mbtiles&compare=%2Fb%20c.pmtiles')).toEqual({ name: 'map', cachePath: '/a.mbtiles', compareWith: '/b c.pmtiles' });
  const screens = [
    { name: 'map' as const, cachePath: '/d/a&b.mbtiles', jobId: 3, tile: [4, 15, 0] as [number, number, number] },
    { name: 'map' as const, cachePath: '/d/a.mbtiles', compareWith: '/d/a #2.mbtiles' },
    { name: 'map' as const, cachePath: '/d/a.mbtiles', extent: [1, 2, 3, 4] as [number, number, number, number], jobId: 9 },
  ];
  for (const screen of screens) expect(mapScreenFromHash(hashForMap(screen))).toEqual(screen);
  expect(hashForMap({ cachePath: '/a', jobId: 2, tile: [1, 0, 1] })).toBe('#/map?path=%2Fa&job=2&tile=1%2F0%2F1');
});

test('drops a job, tile or second cache that cannot be meant', () => {
  for (const job of ['0', '-3', '1.5', 'x', '']) expect(mapScreenFromHash(`#/map?path=a&job=${job}`)).toEqual({ name: 'map', cachePath: 'a' });
  for (const tile of ['10/1024/0', '10/0/1024', '1/2', '31/0/0', 'a/b/c', '-1/0/0', '3/1/1/1']) {
    expect(mapScreenFromHash(`#/map?path=a&tile=${encodeURIComponent(tile)}`)).toEqual({ name: 'map', cachePath: 'a' });
  }
  // A second cache beside nothing: there is nothing to compare it with.
  expect(mapScreenFromHash('#/map?compare=%2Fb.mbtiles')).toEqual({ name: 'map' });
  expect(mapScreenFromHash('#/map?path=a&compare=%20')).toEqual({ name: 'map', cachePath: 'a' });
});
