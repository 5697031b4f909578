/**
 * Thinning of an oversized tile (the size policy's "thin" choice): each round simplifies lines and
 * polygon rings harder (Douglas–Peucker at twice the last tolerance, rings smaller than it dropped)
 * and keeps one point per grid cell of twice the last cell size, so the densest clusters of points
 * lose the most. The walk encodes after each round and stops as soon as the tile fits.
 *
 * It works on copies: the geojson-vt index's own arrays are never changed, so tiles below an
 * oversized one are cut from the full data.
 */
import type { LayerToEncode, RawTileFeature } from './mvt-encode.js';

export interface ThinCounts {
  /** Features no longer in the tile at all. */
  features: number;
  /** Vertices removed from lines and polygons, and points removed from multi-points. */
  vertices: number;
}

/** Rounds before giving up: at round 12 the tolerance is 8,192 units, beyond any tile extent. */
export const MAX_THIN_ROUNDS = 12;

/** The layers thinned for round `round` (1, 2, …), always from the original features. */
export function thinLayers(layers: readonly LayerToEncode[], round: number, extent: number): { layers: LayerToEncode[]; dropped: ThinCounts } {
  const scale = extent / 4096;
  const tolerance = 2 ** round * scale;
  const cell = 2 ** (round + 2) * scale;
  const dropped: ThinCounts = { features: 0, vertices: 0 };
  const out = layers.map((layer) => {
    const occupied = new Set<number>();
    const keepPoint = (x: number, y: number) => {
      // Cells are keyed on a grid wide enough for the buffer on both sides.
      const key = Math.floor(x / cell + 4096) * 16384 + Math.floor(y / cell + 4096);
      if (occupied.has(key)) return false;
      occupied.add(key);
      return true;
    };
    const features: RawTileFeature[] = [];
    for (const f of layer.features) {
      const thinned = thinFeature(f, tolerance, keepPoint, dropped);
      if (thinned) features.push(thinned);
      else dropped.features++;
    }
    return { name: layer.name, features };
  });
  return { layers: out, dropped };
}

function thinFeature(f: RawTileFeature, tolerance: number, keepPoint: (x: number, y: number) => boolean, dropped: ThinCounts): RawTileFeature | null {
  if (f.type === 4) return keepPoint(f.x, f.y) ? f : null;
  if (f.type === 1) {
    const kept: number[] = [];
    for (let i = 0; i < f.geometry.length; i += 2) {
      if (keepPoint(f.geometry[i]!, f.geometry[i + 1]!)) kept.push(f.geometry[i]!, f.geometry[i + 1]!);
      else dropped.vertices++;
    }
    return kept.length ? { id: f.id, tags: f.tags, type: 1, geometry: Int32Array.from(kept) } : null;
  }
  const rings: Int32Array[] = [];
  // Polygons: outer rings have a positive area (geojson-vt winds them so), holes a negative one;
  // the holes of an outer ring that is dropped go with it.
  let outerDropped = false;
  for (const ring of f.geometry) {
    const n = ring.length >> 1;
    if (f.type === 3) {
      const outer = signedArea(ring) > 0;
      if (outer) outerDropped = false;
      if (outerDropped || ringIsSmall(ring, tolerance)) {
        if (outer) outerDropped = true;
        dropped.vertices += n;
        continue;
      }
    }
    const simplified = simplify(ring, tolerance);
    dropped.vertices += n - (simplified.length >> 1);
    if ((f.type === 3 && simplified.length >= 8) || (f.type === 2 && simplified.length >= 4)) rings.push(simplified);
    else if (f.type === 3 && signedArea(ring) > 0) outerDropped = true;
  }
  if (rings.length === 0) return null;
  return { id: f.id, tags: f.tags, type: f.type, geometry: rings };
}

function signedArea(ring: Int16Array | Int32Array): number {
  let area = 0;
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) area += ring[j]! * ring[i + 1]! - ring[i]! * ring[j + 1]!;
  return area;
}

function ringIsSmall(ring: Int16Array | Int32Array, tolerance: number): boolean {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < ring.length; i += 2) {
    minX = Math.min(minX, ring[i]!);
    maxX = Math.max(maxX, ring[i]!);
    minY = Math.min(minY, ring[i + 1]!);
    maxY = Math.max(maxY, ring[i + 1]!);
  }
  return maxX - minX < tolerance && maxY - minY < tolerance;
}

/** Douglas–Peucker keeping the end points (which, for a ring, are the same vertex). */
function simplify(pts: Int16Array | Int32Array, tolerance: number): Int32Array {
  const n = pts.length >> 1;
  if (n <= 2) return Int32Array.from(pts);
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const sqTol = tolerance * tolerance;
  const stack = [0, n - 1];
  while (stack.length) {
    const last = stack.pop()!;
    const first = stack.pop()!;
    let maxSq = 0;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = sqSegDist(pts, i, first, last);
      if (d > maxSq) {
        maxSq = d;
        index = i;
      }
    }
    if (index >= 0 && maxSq > sqTol) {
      keep[index] = 1;
      stack.push(first, index, index, last);
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i]!;
  const out = new Int32Array(count * 2);
  let w = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    out[w++] = pts[i * 2]!;
    out[w++] = pts[i * 2 + 1]!;
  }
  return out;
}

function sqSegDist(pts: Int16Array | Int32Array, p: number, a: number, b: number): number {
  const px = pts[p * 2]!;
  const py = pts[p * 2 + 1]!;
  let x = pts[a * 2]!;
  let y = pts[a * 2 + 1]!;
  const bx = pts[b * 2]!;
  const by = pts[b * 2 + 1]!;
  let dx = bx - x;
  let dy = by - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((px - x) * dx + (py - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = bx;
      y = by;
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = px - x;
  dy = py - y;
  return dx * dx + dy * dy;
}
