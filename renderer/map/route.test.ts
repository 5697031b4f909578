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
  expect(hashForMap(undefined, [-9, 54, -1, 61], 7)).toBe('#/map?dataset=7&extent=-9,54,-1,61');
  expect(mapScreenFromHash('#/map?dataset=7&extent=-9,54,-1,61')).toEqual({ name: 'map', datasetId: 7, extent: [-9, 54, -1, 61] });
  for (const bad of ['0', '-1', '1.5', 'x', '07']) expect(mapScreenFromHash(`#/map?dataset=${bad}`)).toEqual({ name: 'map' });
});
