/**
 * Geometry helpers for features on their way into tiles: bounding boxes, and clipping to Web
 * Mercator's latitude limit (±85.0511°).
 *
 * Why clip here: geojson-vt clamps latitudes beyond the limit onto the map's edge, which turns a
 * line to the pole into a line along the edge and piles points on it; GDAL's MVT writer does not
 * clip at all. Clipping in degrees is exact for the band's edges (Mercator keeps parallels straight).
 */
import type { Geometry, Position } from 'geojson';

export type Bounds = [number, number, number, number];

/** [west, south, east, north] of a geometry, or null when it has no coordinates. */
export function geometryBounds(geometry: Geometry): Bounds | null {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (p: Position) => {
    const x = p[0]!;
    const y = p[1]!;
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  };
  visitPositions(geometry, add);
  return b[0] <= b[2] ? b : null;
}

function visitPositions(g: Geometry, visit: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      visit(g.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      for (const p of g.coordinates) visit(p);
      break;
    case 'MultiLineString':
    case 'Polygon':
      for (const line of g.coordinates) for (const p of line) visit(p);
      break;
    case 'MultiPolygon':
      for (const poly of g.coordinates) for (const ring of poly) for (const p of ring) visit(p);
      break;
    case 'GeometryCollection':
      for (const child of g.geometries) visitPositions(child, visit);
      break;
  }
}

/** Number of vertices: the size measure for partitioning and the low-zoom band. */
export function vertexCount(geometry: Geometry): number {
  let n = 0;
  visitPositions(geometry, () => n++);
  return n;
}

/**
 * The part of `geometry` between latitudes -limit and +limit, or null when nothing is left.
 * Geometries already inside come back as they are.
 */
export function clipToLatitudes(geometry: Geometry, limit: number, bounds: Bounds): Geometry | null {
  if (bounds[1] >= -limit && bounds[3] <= limit) return geometry;
  if (bounds[1] > limit || bounds[3] < -limit) return null;
  switch (geometry.type) {
    case 'Point':
      return inside(geometry.coordinates, limit) ? geometry : null;
    case 'MultiPoint': {
      const pts = geometry.coordinates.filter((p) => inside(p, limit));
      return pts.length ? { type: 'MultiPoint', coordinates: pts } : null;
    }
    case 'LineString': {
      const parts = clipLine(geometry.coordinates, limit);
      if (parts.length === 0) return null;
      return parts.length === 1 ? { type: 'LineString', coordinates: parts[0]! } : { type: 'MultiLineString', coordinates: parts };
    }
    case 'MultiLineString': {
      const parts = geometry.coordinates.flatMap((line) => clipLine(line, limit));
      return parts.length ? { type: 'MultiLineString', coordinates: parts } : null;
    }
    case 'Polygon': {
      const rings = clipPolygon(geometry.coordinates, limit);
      return rings ? { type: 'Polygon', coordinates: rings } : null;
    }
    case 'MultiPolygon': {
      const polys = geometry.coordinates.map((p) => clipPolygon(p, limit)).filter((p): p is Position[][] => p !== null);
      return polys.length ? { type: 'MultiPolygon', coordinates: polys } : null;
    }
    case 'GeometryCollection': {
      const kept: Geometry[] = [];
      for (const child of geometry.geometries) {
        const b = geometryBounds(child);
        const c = b ? clipToLatitudes(child, limit, b) : null;
        if (c) kept.push(c);
      }
      return kept.length ? { type: 'GeometryCollection', geometries: kept } : null;
    }
  }
}

function inside(p: Position, limit: number): boolean {
  return p[1]! >= -limit && p[1]! <= limit;
}

/** Where the segment a→b crosses latitude `lat`. */
function crossing(a: Position, b: Position, lat: number): Position {
  const t = (lat - a[1]!) / (b[1]! - a[1]!);
  return [a[0]! + (b[0]! - a[0]!) * t, lat];
}

/** The pieces of a line inside the band: each segment is cut to the band (1-D Liang–Barsky on latitude). */
function clipLine(line: Position[], limit: number): Position[][] {
  const parts: Position[][] = [];
  let part: Position[] = [];
  const at = (a: Position, b: Position, t: number): Position => (t === 0 ? a : t === 1 ? b : [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t]);
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const dy = b[1]! - a[1]!;
    let t0 = 0;
    let t1 = 1;
    if (dy === 0) {
      if (!inside(a, limit)) t1 = -1;
    } else {
      const ta = (-limit - a[1]!) / dy;
      const tb = (limit - a[1]!) / dy;
      t0 = Math.max(0, Math.min(ta, tb));
      t1 = Math.min(1, Math.max(ta, tb));
    }
    if (t0 > t1) {
      if (part.length > 1) parts.push(part);
      part = [];
      continue;
    }
    const start = at(a, b, t0);
    const end = at(a, b, t1);
    if (part.length === 0 || t0 > 0) {
      if (part.length > 1) parts.push(part);
      part = [start];
    }
    part.push(end);
    if (t1 < 1) {
      if (part.length > 1) parts.push(part);
      part = [];
    }
  }
  if (part.length > 1) parts.push(part);
  return parts.map(dropRepeats).filter((p) => p.length > 1);
}

function dropRepeats(line: Position[]): Position[] {
  return line.filter((p, i) => i === 0 || p[0] !== line[i - 1]![0] || p[1] !== line[i - 1]![1]);
}

/** Sutherland–Hodgman against the two parallels; null when the outer ring vanishes. */
function clipPolygon(rings: Position[][], limit: number): Position[][] | null {
  const out: Position[][] = [];
  for (let i = 0; i < rings.length; i++) {
    let ring = clipRing(rings[i]!, (p) => p[1]! <= limit, limit);
    ring = clipRing(ring, (p) => p[1]! >= -limit, -limit);
    if (ring.length < 4) {
      if (i === 0) return null;
      continue;
    }
    out.push(ring);
  }
  return out;
}

function clipRing(ring: Position[], keep: (p: Position) => boolean, lat: number): Position[] {
  if (ring.length === 0) return ring;
  const out: Position[] = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    const ka = keep(a);
    const kb = keep(b);
    if (ka) out.push(a);
    if (ka !== kb) out.push(crossing(a, b, lat));
  }
  if (out.length > 0) out.push(out[0]!);
  return dropRepeats(out);
}
