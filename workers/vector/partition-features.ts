/**
 * Splits a source's features (GeoJSONSeq files that GDAL wrote in WGS84) into spatial partitions:
 * one spill file per tile at the partition zoom P, holding each feature cut to that tile plus its
 * buffer exactly as one geojson-vt index over all the data would cut it (partition-clip.ts), in the
 * compact binary form of spill-format.ts (projected once here, never parsed again as JSON), plus
 * one file for the zooms above P (the "low band"). It streams: only the feature being read, its
 * pieces and the write buffers are in memory, whatever the size of the source.
 *
 * On the way it keeps only the chosen attributes, clips to ±85.0511°, drops features outside the
 * job's bbox (padded by the widest buffer written), and gathers the tilestats of each layer.
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature, Geometry, Position } from 'geojson';
import type { AbortFlag } from '../abort-flag.js';
import { type Bounds, clipToLatitudes, geometryBounds, vertexCount } from './lat-clip.js';
import { LayerStatsCollector, type LayerStats } from './layer-stats.js';
import { clipToPartitions, wrapFeature } from './partition-clip.js';
import { encodeMeta, encodeRecord } from './spill-format.js';
import { MAX_LATITUDE, lonLatToUnit } from './tile-bounds.js';
import { type VtOptions, emptyIndex, vtConvert } from './vt-internals.js';

export interface PartitionInput {
  /**
   * One GeoJSONSeq file per source layer; `layer` is what the tile task knows the layer by, and
   * `maxZoom` that layer's deepest zoom (geojson-vt's storage scale and simplification follow it).
   */
  files: { path: string; layer: number; attributes: string[] | null; maxZoom: number }[];
  outDir: string;
  /** Partition zoom P; null when the job's zooms all lie in the low band (everything in one file). */
  partitionZoom: number | null;
  extent: number;
  buffer: number;
  /** geojson-vt's simplification tolerance (pixels at the tile extent), as the tile tasks use it. */
  tolerance: number;
  /** The job's bbox; features farther than a buffer at minZoom are left out. */
  bbox: Bounds | null;
  minZoom: number;
  /**
   * Simplification tolerance for the low band's copy, in Web Mercator units of the whole world
   * (1 = the world's width); null keeps every vertex. See lowBandTolerance in main/preseed/vector.
   */
  lowBandTolerance: number | null;
}

export interface PartitionFile {
  x: number;
  y: number;
  features: number;
  bytes: number;
}

export interface PartitionResult {
  partitions: PartitionFile[];
  low: { features: number; bytes: number; vertices: number };
  /** Per layer (by the input's `layer`): what went in, for the metadata. */
  layers: Record<number, LayerStats & { bounds: Bounds | null; vertices: number; skippedNoGeometry: number; outsideBbox: number }>;
}

export const LOW_BAND_FILE = 'low.bin';

export function partitionFileName(z: number, x: number, y: number): string {
  return `p-${z}-${x}-${y}.bin`;
}

/** Flush a partition's buffer beyond this, and everything beyond the second figure. */
const FLUSH_ONE = 256 * 1024;
const FLUSH_ALL = 32 * 1024 * 1024;

class SpillWriter {
  private readonly buffers = new Map<string, Buffer[]>();
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(private readonly dir: string) {}

  add(file: string, record: Buffer): void {
    let buffer = this.buffers.get(file);
    if (!buffer) {
      buffer = [];
      this.buffers.set(file, buffer);
      this.sizes.set(file, 0);
    }
    buffer.push(record);
    const size = this.sizes.get(file)! + record.length;
    this.sizes.set(file, size);
    this.total += record.length;
    if (size >= FLUSH_ONE) this.flush(file);
    if (this.total >= FLUSH_ALL) this.flushAll();
  }

  flush(file: string): void {
    const buffer = this.buffers.get(file);
    if (!buffer || buffer.length === 0) return;
    appendFileSync(join(this.dir, file), buffer.length === 1 ? buffer[0]! : Buffer.concat(buffer));
    this.total -= this.sizes.get(file)!;
    this.buffers.set(file, []);
    this.sizes.set(file, 0);
  }

  flushAll(): void {
    for (const file of this.buffers.keys()) this.flush(file);
  }
}

/**
 * Calls `onLine` for each line of a UTF-8 file, reading it in 1 MiB chunks. A newline byte never
 * occurs inside a multi-byte UTF-8 sequence, so each chunk is decoded up to its last newline.
 */
export function forEachLine(path: string, onLine: (line: string) => void): void {
  const fd = openSync(path, 'r');
  try {
    let chunk = Buffer.allocUnsafe(1024 * 1024);
    let kept = 0;
    for (;;) {
      if (kept === chunk.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(bigger, 0, 0, kept);
        chunk = bigger;
      }
      const n = readSync(fd, chunk, kept, chunk.length - kept, null);
      const end = kept + n;
      if (n === 0) {
        if (end > 0) emitLines(chunk.toString('utf8', 0, end), onLine);
        break;
      }
      const lastNewline = chunk.lastIndexOf(10, end - 1);
      if (lastNewline < 0) {
        kept = end;
        continue;
      }
      emitLines(chunk.toString('utf8', 0, lastNewline), onLine);
      kept = end - lastNewline - 1;
      chunk.copy(chunk, 0, lastNewline + 1, end);
    }
  } finally {
    closeSync(fd);
  }
}

function emitLines(text: string, onLine: (line: string) => void): void {
  let start = 0;
  for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
    if (nl > start) onLine(text.slice(start, nl));
    start = nl + 1;
  }
  if (start < text.length && text.slice(start).trim()) onLine(text.slice(start));
}

export function partitionFeatures(input: PartitionInput, abort: AbortFlag): PartitionResult {
  mkdirSync(input.outDir, { recursive: true });
  const spill = new SpillWriter(input.outDir);
  const P = input.partitionZoom;
  const bboxPad = (input.buffer / input.extent) * (360 / 2 ** input.minZoom);
  const bbox: Bounds | null = input.bbox ? [input.bbox[0] - bboxPad, input.bbox[1] - bboxPad, input.bbox[2] + bboxPad, input.bbox[3] + bboxPad] : null;
  const partitions = new Map<string, PartitionFile>();
  const low = { features: 0, bytes: 0, vertices: 0 };
  const result: PartitionResult = { partitions: [], low, layers: {} };

  for (const file of input.files) {
    const stats = new LayerStatsCollector();
    const layerResult = { bounds: null as Bounds | null, vertices: 0, skippedNoGeometry: 0, outsideBbox: 0 };
    const keep = file.attributes ? new Set(file.attributes) : null;
    // geojson-vt's own options for this layer's index, so what is projected here is what it would store.
    const vt: VtOptions = emptyIndex({ maxZoom: file.maxZoom, tolerance: input.tolerance, extent: input.extent, buffer: input.buffer }).options;
    const cutBelow = P !== null && file.maxZoom >= P;
    let lines = 0;
    forEachLine(file.path, (line) => {
      if ((++lines & 255) === 0) abort.throwIfAborted();
      const feature = JSON.parse(line) as Feature;
      if (!feature.geometry) {
        layerResult.skippedNoGeometry++;
        return;
      }
      let bounds = geometryBounds(feature.geometry);
      if (!bounds) {
        layerResult.skippedNoGeometry++;
        return;
      }
      const geometry: Geometry | null = clipToLatitudes(feature.geometry, MAX_LATITUDE, bounds);
      if (geometry !== feature.geometry) bounds = geometry ? geometryBounds(geometry) : null;
      if (!geometry || !bounds) {
        layerResult.outsideBbox++;
        return;
      }
      if (bbox && (bounds[2] < bbox[0] || bounds[0] > bbox[2] || bounds[3] < bbox[1] || bounds[1] > bbox[3])) {
        layerResult.outsideBbox++;
        return;
      }
      const properties: Record<string, unknown> = {};
      if (feature.properties) {
        for (const key in feature.properties) if (!keep || keep.has(key)) properties[key] = feature.properties[key];
      }
      const out: Feature = { type: 'Feature', geometry, properties };
      if (feature.id !== undefined) out.id = feature.id;
      const vertices = vertexCount(geometry);
      layerResult.vertices += vertices;
      layerResult.bounds = layerResult.bounds ? union(layerResult.bounds, bounds) : bounds;
      stats.add(geometry, properties);

      const converted = vtConvert(out, vt);
      if (converted.length === 0) return;
      // Every piece of this feature shares one encoding of its id and tags.
      const meta = encodeMeta(converted[0]!);
      const wrapped = converted.flatMap((f) => wrapFeature(f, vt));

      const simpler = input.lowBandTolerance !== null && P !== null ? simplifyForLowBand(geometry, input.lowBandTolerance) : geometry;
      if (simpler) {
        const lowCopies = simpler === geometry ? wrapped : vtConvert({ ...out, geometry: simpler }, vt).flatMap((f) => wrapFeature(f, vt));
        for (const [copy, f] of lowCopies) {
          const record = encodeRecord(file.layer, copy, f, meta);
          spill.add(LOW_BAND_FILE, record);
          low.bytes += record.length;
        }
        low.features++;
        low.vertices += simpler === geometry ? vertices : vertexCount(simpler);
      }
      if (!cutBelow) return;
      const reached = new Set<string>();
      for (const [copy, f] of wrapped) {
        clipToPartitions(f, P, vt, (x, y, piece) => {
          const name = partitionFileName(P, x, y);
          let p = partitions.get(name);
          if (!p) partitions.set(name, (p = { x, y, features: 0, bytes: 0 }));
          const record = encodeRecord(file.layer, copy, piece, meta);
          // A feature counts once per partition, however many of its wrap copies reach it.
          if (!reached.has(name)) p.features++;
          reached.add(name);
          p.bytes += record.length;
          spill.add(name, record);
        });
      }
    });
    result.layers[file.layer] = { ...stats.result(), ...layerResult };
  }
  spill.flushAll();
  result.partitions = [...partitions.values()];
  return result;
}

function union(a: Bounds, b: Bounds): Bounds {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/**
 * A copy for the low band with vertices closer than `tolerance` (Web Mercator world units) to the
 * simplified line removed (Douglas–Peucker per line or ring); null when nothing is left to draw.
 */
export function simplifyForLowBand(geometry: Geometry, tolerance: number): Geometry | null {
  const sq = tolerance * tolerance;
  const line = (coords: Position[], ring: boolean): Position[] | null => {
    const kept = douglasPeucker(coords, sq);
    return kept.length >= (ring ? 4 : 2) ? kept : null;
  };
  const polygon = (rings: Position[][]): Position[][] | null => {
    const out: Position[][] = [];
    for (let i = 0; i < rings.length; i++) {
      const r = line(rings[i]!, true);
      if (r) out.push(r);
      else if (i === 0) return null;
    }
    return out;
  };
  switch (geometry.type) {
    case 'Point':
    case 'MultiPoint':
      return geometry;
    case 'LineString': {
      const l = line(geometry.coordinates, false);
      return l ? { type: 'LineString', coordinates: l } : null;
    }
    case 'MultiLineString': {
      const ls = geometry.coordinates.map((c) => line(c, false)).filter((c): c is Position[] => c !== null);
      return ls.length ? { type: 'MultiLineString', coordinates: ls } : null;
    }
    case 'Polygon': {
      const p = polygon(geometry.coordinates);
      return p ? { type: 'Polygon', coordinates: p } : null;
    }
    case 'MultiPolygon': {
      const ps = geometry.coordinates.map(polygon).filter((p): p is Position[][] => p !== null);
      return ps.length ? { type: 'MultiPolygon', coordinates: ps } : null;
    }
    case 'GeometryCollection': {
      const gs = geometry.geometries.map((g) => simplifyForLowBand(g, tolerance)).filter((g): g is Geometry => g !== null);
      return gs.length ? { type: 'GeometryCollection', geometries: gs } : null;
    }
  }
}

function douglasPeucker(coords: Position[], sqTolerance: number): Position[] {
  const n = coords.length;
  if (n <= 2) return coords;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) [xs[i], ys[i]] = lonLatToUnit(coords[i]![0]!, coords[i]![1]!);
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack = [0, n - 1];
  while (stack.length) {
    const last = stack.pop()!;
    const first = stack.pop()!;
    let max = 0;
    let index = -1;
    const ax = xs[first]!;
    const ay = ys[first]!;
    const dx = xs[last]! - ax;
    const dy = ys[last]! - ay;
    const len = dx * dx + dy * dy;
    for (let i = first + 1; i < last; i++) {
      let px = xs[i]! - ax;
      let py = ys[i]! - ay;
      if (len > 0) {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len));
        px -= dx * t;
        py -= dy * t;
      }
      const d = px * px + py * py;
      if (d > max) {
        max = d;
        index = i;
      }
    }
    if (index >= 0 && max > sqTolerance) {
      keep[index] = 1;
      stack.push(first, index, index, last);
    }
  }
  return coords.filter((_, i) => keep[i] === 1);
}
