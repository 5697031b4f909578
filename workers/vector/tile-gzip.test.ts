import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { TileGzip } from './tile-gzip.js';

const gunzip = (gz: Uint8Array) => new Uint8Array(zlib.gunzipSync(gz));

test('a repeated tile is compressed once; a different one is not taken for it', () => {
  const gzip = new TileGzip();
  const tile = Uint8Array.from({ length: 200 }, (_, i) => i % 7);
  const first = gzip.gzip(tile);
  const again = gzip.gzip(tile.slice());
  assert.equal(again, first, 'the cached gzip');
  assert.deepEqual([gzip.compressed, gzip.reused], [1, 1]);
  const other = tile.slice();
  other[100] = 99;
  assert.deepEqual(gunzip(gzip.gzip(other)), other);
  assert.deepEqual([gzip.compressed, gzip.reused], [2, 1]);
});

test('the cache keeps a copy: a tile buffer reused by the encoder does not poison it', () => {
  const gzip = new TileGzip();
  const buffer = Uint8Array.from({ length: 100 }, (_, i) => i);
  const before = gzip.gzip(buffer);
  buffer.fill(1); // the encoder writes the next tile into the same memory
  assert.deepEqual(gunzip(gzip.gzip(buffer)), new Uint8Array(100).fill(1));
  assert.deepEqual(
    gunzip(before),
    Uint8Array.from({ length: 100 }, (_, i) => i),
  );
});

test('small, medium and large tiles all round-trip (fixed-code encoder, then zlib with a window sized to the tile)', () => {
  const gzip = new TileGzip();
  for (const size of [0, 1, 300, 2048, 2049, 4096, 4097, 20_000, 300_000]) {
    const tile = Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 5)) & 0xff);
    assert.deepEqual(gunzip(gzip.gzip(tile)), tile, `${size} bytes`);
  }
  // Tiles over 2 KiB are not cached: compressing one twice compresses it twice.
  const big = new Uint8Array(3000).fill(5);
  gzip.gzip(big);
  const count = gzip.compressed;
  gzip.gzip(big);
  assert.equal(gzip.compressed, count + 1);
});
