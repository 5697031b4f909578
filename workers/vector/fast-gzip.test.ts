import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { fastGzip } from './fast-gzip.js';

/** A small seeded generator, so a failure names its seed and can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomBytes(n: number, seed: number, alphabet = 256): Uint8Array {
  const rnd = random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * alphabet));
}

function roundTrips(input: Uint8Array, what: string): Uint8Array {
  const gz = fastGzip(input);
  const back = zlib.gunzipSync(gz); // checks the CRC and the length in the trailer too
  assert.equal(back.length, input.length, `${what}: length`);
  assert.ok(Buffer.from(back).equals(Buffer.from(input)), `${what}: bytes`);
  return gz;
}

test('the gzip header and trailer are valid RFC 1952: magic, deflate, no flags, OS, CRC-32 and size of the input', () => {
  const input = new TextEncoder().encode('hello hello hello tile tile tile');
  const gz = fastGzip(input);
  assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  const view = new DataView(gz.buffer, gz.byteOffset, gz.byteLength);
  assert.equal(view.getUint32(gz.length - 8, true), zlib.crc32(input));
  assert.equal(view.getUint32(gz.length - 4, true), input.length);
  // The deflate stream is one final block with the fixed codes (BFINAL 1, BTYPE 01).
  assert.equal(gz[10]! & 0b111, 0b011);
  assert.deepEqual(zlib.inflateRawSync(gz.subarray(10, gz.length - 8)), Buffer.from(input));
});

test('round-trips empty, one byte, text, random and repetitive inputs', () => {
  roundTrips(new Uint8Array(0), 'empty');
  roundTrips(Uint8Array.of(0), 'one zero');
  roundTrips(Uint8Array.of(255), 'one 255 (a 9-bit literal)');
  for (let seed = 1; seed <= 20; seed++) {
    roundTrips(randomBytes(1 + Math.floor(random(seed)() * 5000), seed), `random seed ${seed}`);
    roundTrips(randomBytes(1 + Math.floor(random(seed)() * 5000), seed, 4), `four-letter random seed ${seed}`);
  }
  const zeros = roundTrips(new Uint8Array(100_000), 'zeros');
  assert.ok(zeros.length < 1000, `100,000 zeros compress (to ${zeros.length} bytes): the 258-byte matches work`);
});

test('repeats at every distance the window allows, and none beyond it, decode right', () => {
  for (const distance of [1, 2, 3, 4, 5, 7, 100, 1000, 4097, 24577, 32767, 32768, 32769, 40000]) {
    const block = randomBytes(distance, distance);
    const input = new Uint8Array(distance * 2 + 10);
    input.set(block, 0);
    input.set(block, distance);
    input.set(block.subarray(0, 10), distance * 2);
    const gz = roundTrips(input, `distance ${distance}`);
    if (distance >= 100 && distance <= 32768)
      assert.ok(gz.length < input.length * 0.75, `distance ${distance}: the repeat is found (${gz.length} of ${input.length})`);
  }
});

test('a call never matches into an earlier call’s input (the hash table is shared between calls)', () => {
  const first = randomBytes(3000, 7);
  roundTrips(first, 'first');
  // The same bytes again, then a buffer that starts like them: stale positions must not be used.
  roundTrips(first, 'same again');
  const second = new Uint8Array(3000);
  second.set(first.subarray(0, 1500));
  roundTrips(second, 'half the same');
  for (let i = 0; i < 50; i++) roundTrips(randomBytes(200, 100 + i, 3), `small tile ${i}`);
});

test('worst case: incompressible input stays within the output bound (9 bits a byte plus headers)', () => {
  const input = Uint8Array.from({ length: 65_536 }, (_, i) => 144 + (i % 112)); // all 9-bit literals, no 3-byte repeats nearby
  const rnd = random(3);
  for (let i = 0; i < input.length; i++) input[i] = 144 + Math.floor(rnd() * 112);
  const gz = roundTrips(input, 'nine-bit literals');
  assert.ok(gz.length <= 18 + Math.ceil((input.length * 9) / 8) + 8);
});
