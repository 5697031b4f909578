/**
 * A small gzip (RFC 1952) encoder for small buffers: one deflate block with the fixed Huffman
 * codes (RFC 1951 §3.2.6) and greedy LZ77 matching through a one-entry hash table.
 *
 * Why: zlib's gzipSync sets up a whole deflate state per call (15–40 µs here), more than cutting
 * and encoding a typical 200-byte vector tile costs; this costs a few µs for such a tile and needs
 * no allocation but its output. Dynamic Huffman codes would compress larger buffers better, so
 * tile-gzip.ts hands anything beyond a few KiB to zlib. The CRC is zlib's (native).
 */
import zlib from 'node:zlib';

const HASH_BITS = 13;
const HASH_SIZE = 1 << HASH_BITS;
const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;

/** Bit-reversed fixed literal/length codes and their lengths (RFC 1951 §3.2.6). */
const LIT_CODE = new Uint16Array(288);
const LIT_BITS = new Uint8Array(288);
/** Bit-reversed 5-bit distance codes. */
const DIST_CODE = new Uint8Array(30);

function reverse(code: number, bits: number): number {
  let r = 0;
  for (let i = 0; i < bits; i++) {
    r = (r << 1) | (code & 1);
    code >>= 1;
  }
  return r;
}

for (let v = 0; v < 288; v++) {
  let code: number;
  let bits: number;
  if (v < 144) [code, bits] = [0x30 + v, 8];
  else if (v < 256) [code, bits] = [0x190 + v - 144, 9];
  else if (v < 280) [code, bits] = [v - 256, 7];
  else [code, bits] = [0xc0 + v - 280, 8];
  LIT_CODE[v] = reverse(code, bits);
  LIT_BITS[v] = bits;
}
for (let d = 0; d < 30; d++) DIST_CODE[d] = reverse(d, 5);

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** Length 3..258 → index into LENGTH_BASE. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1);
for (let i = 0; i < LENGTH_BASE.length; i++) {
  const end = i + 1 < LENGTH_BASE.length ? LENGTH_BASE[i + 1]! : MAX_MATCH + 1;
  for (let l = LENGTH_BASE[i]!; l < end; l++) LENGTH_INDEX[l] = i;
}
LENGTH_INDEX[MAX_MATCH] = 28;

function distIndex(d: number): number {
  let i = 0;
  while (i < 29 && DIST_BASE[i + 1]! <= d) i++;
  return i;
}

/** Positions in the hash table are stored offset by a running base, so the table is never cleared. */
const head = new Int32Array(HASH_SIZE);
let base = 1;

/** Gzip of `input` (fixed-code deflate). */
export function fastGzip(input: Uint8Array): Uint8Array {
  const n = input.length;
  if (base + n + 1 > 0x7fff0000) {
    head.fill(0);
    base = 1;
  }
  // Worst case of the fixed code: 9 bits a byte, plus the headers.
  const out = new Uint8Array(18 + Math.ceil((n * 9) / 8) + 8);
  out[0] = 0x1f;
  out[1] = 0x8b;
  out[2] = 8;
  out[9] = 255;
  let pos = 10;
  let bitBuf = 0;
  let bitCount = 0;
  const put = (value: number, bits: number) => {
    bitBuf |= value << bitCount;
    bitCount += bits;
    while (bitCount >= 8) {
      out[pos++] = bitBuf & 0xff;
      bitBuf >>>= 8;
      bitCount -= 8;
    }
  };
  put(1, 1); // BFINAL
  put(1, 2); // BTYPE 01: fixed Huffman codes

  const b = base;
  let i = 0;
  while (i < n) {
    let matchLength = 0;
    let distance = 0;
    if (i + MIN_MATCH <= n) {
      const h = ((input[i]! << 10) ^ (input[i + 1]! << 5) ^ input[i + 2]!) & (HASH_SIZE - 1);
      const candidate = head[h]! - b;
      head[h] = i + b;
      if (
        candidate >= 0 &&
        i - candidate <= WINDOW &&
        input[candidate] === input[i] &&
        input[candidate + 1] === input[i + 1] &&
        input[candidate + 2] === input[i + 2]
      ) {
        let l = 3;
        const max = Math.min(MAX_MATCH, n - i);
        while (l < max && input[candidate + l] === input[i + l]) l++;
        matchLength = l;
        distance = i - candidate;
      }
    }
    if (matchLength >= MIN_MATCH) {
      const li = LENGTH_INDEX[matchLength]!;
      const sym = 257 + li;
      put(LIT_CODE[sym]!, LIT_BITS[sym]!);
      if (LENGTH_EXTRA[li]!) put(matchLength - LENGTH_BASE[li]!, LENGTH_EXTRA[li]!);
      const di = distIndex(distance);
      put(DIST_CODE[di]!, 5);
      if (DIST_EXTRA[di]!) put(distance - DIST_BASE[di]!, DIST_EXTRA[di]!);
      // Index the positions inside the match too, so later repeats of them are found.
      const end = i + matchLength;
      for (let k = i + 1; k < end && k + MIN_MATCH <= n; k++) head[((input[k]! << 10) ^ (input[k + 1]! << 5) ^ input[k + 2]!) & (HASH_SIZE - 1)] = k + b;
      i = end;
    } else {
      const v = input[i]!;
      put(LIT_CODE[v]!, LIT_BITS[v]!);
      i++;
    }
  }
  put(LIT_CODE[256]!, LIT_BITS[256]!); // end of block
  if (bitCount > 0) put(0, 8 - bitCount);
  base += n + 1;

  const crc = zlib.crc32(input);
  out[pos++] = crc & 0xff;
  out[pos++] = (crc >>> 8) & 0xff;
  out[pos++] = (crc >>> 16) & 0xff;
  out[pos++] = (crc >>> 24) & 0xff;
  out[pos++] = n & 0xff;
  out[pos++] = (n >>> 8) & 0xff;
  out[pos++] = (n >>> 16) & 0xff;
  out[pos++] = (n >>> 24) & 0xff;
  return out.subarray(0, pos);
}
