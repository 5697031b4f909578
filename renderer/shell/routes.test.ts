import { expect, test } from 'vitest';
import type { Screen } from '../ui-store.js';
import { hashForScreen, sameScreen, screenFromHash } from './routes.js';

test('every screen survives a round trip through its hash', () => {
  const screens: Screen[] = [
    { name: 'queue' },
    { name: 'job', jobId: 42 },
    { name: 'preseed' },
    { name: 'preseed', kind: 'raster' },
    { name: 'preseed', kind: 'vector' },
    { name: 'map' },
    { name: 'map', cachePath: '/data/alps & co/tiles #1.mbtiles' },
    { name: 'map', cachePath: '/data/a.pmtiles', extent: [5.9, 45.8, 10.5, 47.8] },
    { name: 'storage' },
    { name: 'caches' },
    { name: 'catalog' },
    { name: 'migrate' },
    { name: 'settings' },
  ];
  for (const screen of screens) expect(screenFromHash(hashForScreen(screen))).toEqual(screen);
  expect(hashForScreen({ name: 'job', jobId: 7 })).toBe('#/jobs/7');
  expect(hashForScreen({ name: 'map', cachePath: '/x y.mbtiles' })).toBe('#/map?path=%2Fx%20y.mbtiles');
});

test('empty, unknown and malformed hashes fall back to the queue', () => {
  for (const hash of ['', '#', '#/', '#/nowhere', '#/jobs/', '#/jobs/abc', '#/jobs/-3', '#/jobs/1.5', '#/jobs/0']) {
    expect(screenFromHash(hash), hash).toEqual({ name: 'queue' });
  }
  expect(screenFromHash('#/jobs/12/items')).toEqual({ name: 'job', jobId: 12 });
  expect(sameScreen(screenFromHash(''), { name: 'queue' })).toBe(true);
  expect(sameScreen({ name: 'job', jobId: 1 }, { name: 'job', jobId: 2 })).toBe(false);
});
