/**
 * The partition files' binary form: features already projected, wrapped and clipped by geojson-vt's
 * own code (vt-internals.ts), so a tile task hands them to `splitTile` as they are, with no JSON to
 * parse for geometry and nothing to project again.
 *
 * One record per feature, 8-byte aligned so the coordinates are read in place as typed arrays:
 *
 *   0 u32 record bytes · 4 u16 layer · 6 u8 type (1–4) · 7 u8 wrap copy (0 west, 1 world, 2 east)
 *   8 u8 coordinates are Float64 (else Int32) · 12 u32 meta bytes · 16 u32 coordinates
 *   24 f64 minX · 32 f64 minY · 40 f64 maxX · 48 f64 maxY (a single point: x, y in the first two)
 *   56 meta: UTF-8 JSON `[tags]` or `[tags, id]`, padded to 8 · then the coordinates, padded to 8
 *
 * The meta is encoded once per feature (encodeMeta) and shared by every partition the feature reaches.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TesseraError } from '../../shared/errors.js';
import { SINGLE_POINT, type VtAnyFeature, type VtFeature } from './vt-internals.js';

const HEADER = 56;

export type WrapCopy = 0 | 1 | 2;

export interface SpilledFeature {
  layer: number;
  wrap: WrapCopy;
  feature: VtAnyFeature;
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** A feature's id and tags as the record's meta bytes. */
export function encodeMeta(feature: VtAnyFeature): Buffer {
  return Buffer.from(JSON.stringify(feature.id === undefined ? [feature.tags ?? null] : [feature.tags ?? null, feature.id]), 'utf8');
}

/** One record; `meta` is encodeMeta(feature) of the feature this one was clipped from. */
export function encodeRecord(layer: number, wrap: WrapCopy, feature: VtAnyFeature, meta: Buffer): Buffer {
  const metaSpan = pad8(meta.length);
  const coords = feature.type === SINGLE_POINT ? null : feature.geometry;
  const wide = coords instanceof Float64Array;
  const coordBytes = coords ? pad8(coords.byteLength) : 0;
  const size = HEADER + metaSpan + coordBytes;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(size, 0);
  out.writeUInt16LE(layer, 4);
  out.writeUInt8(feature.type, 6);
  out.writeUInt8(wrap, 7);
  out.writeUInt8(wide ? 1 : 0, 8);
  out.writeUInt32LE(meta.length, 12);
  out.writeUInt32LE(coords ? coords.length : 0, 16);
  if (feature.type === SINGLE_POINT) {
    out.writeDoubleLE(feature.x, 24);
    out.writeDoubleLE(feature.y, 32);
  } else {
    out.writeDoubleLE(feature.minX, 24);
    out.writeDoubleLE(feature.minY, 32);
    out.writeDoubleLE(feature.maxX, 40);
    out.writeDoubleLE(feature.maxY, 48);
  }
  meta.copy(out, HEADER);
  if (coords) out.set(new Uint8Array(coords.buffer, coords.byteOffset, coords.byteLength), HEADER + metaSpan);
  return out;
}

/** The whole file in one ArrayBuffer of its own (offset 0, so every record's coordinates are aligned). */
function readAligned(path: string): ArrayBuffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = new ArrayBuffer(size);
    const view = new Uint8Array(buffer);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, view, at, size - at, at);
      if (n === 0) throw new TesseraError('INTERNAL', `spill file ${path} ended after ${at} of ${size} bytes`);
      at += n;
    }
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onFeature` for each record of a spill file. Coordinates are views into the file's buffer
 * (no copy): geojson-vt only reads a source geometry, every clip writes a new array.
 */
export function readSpill(path: string, onFeature: (spilled: SpilledFeature) => void): void {
  const buffer = readAligned(path);
  const data = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  const text = new TextDecoder();
  for (let at = 0; at < buffer.byteLength; ) {
    const size = data.getUint32(at, true);
    if (size < HEADER || at + size > buffer.byteLength)
      throw new TesseraError('INTERNAL', `spill file ${path}: a record at byte ${at} claims ${size} bytes of the ${buffer.byteLength - at} left`);
    const layer = data.getUint16(at + 4, true);
    const type = data.getUint8(at + 6) as VtAnyFeature['type'];
    const wrap = data.getUint8(at + 7) as WrapCopy;
    const wide = data.getUint8(at + 8) === 1;
    const metaBytes = data.getUint32(at + 12, true);
    const count = data.getUint32(at + 16, true);
    const meta = JSON.parse(text.decode(bytes.subarray(at + HEADER, at + HEADER + metaBytes))) as [VtFeature['tags'], VtFeature['id']?];
    const tags = meta[0];
    const id = meta.length > 1 ? meta[1] : undefined;
    let feature: VtAnyFeature;
    if (type === SINGLE_POINT) {
      feature = { id, type, x: data.getFloat64(at + 24, true), y: data.getFloat64(at + 32, true), tags };
    } else {
      const start = at + HEADER + pad8(metaBytes);
      const geometry = wide ? new Float64Array(buffer, start, count) : new Int32Array(buffer, start, count);
      feature = {
        id,
        type,
        geometry,
        tags,
        minX: data.getFloat64(at + 24, true),
        minY: data.getFloat64(at + 32, true),
        maxX: data.getFloat64(at + 40, true),
        maxY: data.getFloat64(at + 48, true),
      };
    }
    onFeature({ layer, wrap, feature });
    at += size;
  }
}
