/**
 * A polygon coverage: "only make the tiles that touch these polygons" (a country, a service area).
 *
 * Loaded once with GDAL from any OGR source in any CRS and kept as WGS84 rings; the tests against
 * tiles are pure functions. Tiles are rectangles in lon/lat (Mercator keeps meridians and parallels
 * straight), and the rings' edges are taken as straight in lon/lat too, which is what a GIS user
 * drew them as.
 */
import gdal from 'gdal-async';
import type { Bbox } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { toLonLat } from './crs.js';

type Ring = [number, number][];

export interface Coverage {
  bbox: Bbox;
  /** [polygon][ring][point]: the first ring is the outer one, the rest are holes. */
  polygons: Ring[][];
}

export type CoverageRelation = 'outside' | 'inside' | 'partial';

/** Reads every polygon of every layer of `path` into WGS84. BAD_INPUT names the file and the reason. */
export async function loadCoverage(path: string): Promise<Coverage> {
  let ds: gdal.Dataset;
  try {
    ds = await gdal.openAsync(path);
  } catch (error) {
    throw new TesseraError('BAD_INPUT', `coverage ${path}: GDAL cannot open it (${(error as Error).message})`, {
      details: { issues: [{ field: 'params.coverage', message: 'unreadable' }] },
    });
  }
  try {
    const polygons: Ring[][] = [];
    for (let i = 0; i < ds.layers.count(); i++) {
      const layer = await ds.layers.getAsync(i);
      // A layer without a CRS is taken as lon/lat (GeoJSON's rule).
      const transform = layer.srs ? toLonLat(layer.srs) : null;
      for (let f = await layer.features.nextAsync(); f; f = await layer.features.nextAsync()) {
        const geometry = f.getGeometry();
        if (!geometry) continue;
        if (transform) geometry.transform(transform);
        collectPolygons(geometry.toObject() as GeoJsonGeometry, polygons);
      }
    }
    if (polygons.length === 0) {
      throw new TesseraError('BAD_INPUT', `coverage ${path}: no polygons in it (a coverage must be polygon data)`, {
        details: { issues: [{ field: 'params.coverage', message: 'no polygons' }] },
      });
    }
    return { bbox: ringsBbox(polygons), polygons };
  } finally {
    ds.close();
  }
}

interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

function collectPolygons(g: GeoJsonGeometry, out: Ring[][]): void {
  if (g.type === 'Polygon') out.push(toRings(g.coordinates as number[][][]));
  else if (g.type === 'MultiPolygon') for (const p of g.coordinates as number[][][][]) out.push(toRings(p));
  else if (g.type === 'GeometryCollection') for (const child of g.geometries ?? []) collectPolygons(child, out);
}

function toRings(rings: number[][][]): Ring[] {
  return rings.filter((r) => r.length >= 4).map((r) => r.map((p) => [p[0]!, p[1]!] as [number, number]));
}

function ringsBbox(polygons: Ring[][]): Bbox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  }
  return [w, s, e, n];
}

/** Builds a coverage from GeoJSON-ordered polygon rings (for tests and for coverages drawn in the console). */
export function coverageFromRings(polygons: Ring[][]): Coverage {
  if (polygons.length === 0) throw new TesseraError('BAD_INPUT', 'coverage: no polygons');
  return { bbox: ringsBbox(polygons), polygons };
}

/** How a lon/lat rectangle relates to the coverage: wholly outside, wholly inside, or across an edge. */
export function coverageTouches(coverage: Coverage, bbox: Bbox): CoverageRelation {
  const cb = coverage.bbox;
  if (bbox[2] <= cb[0] || bbox[0] >= cb[2] || bbox[3] <= cb[1] || bbox[1] >= cb[3]) return 'outside';
  let partial = false;
  for (const polygon of coverage.polygons) {
    const relation = polygonTouches(polygon, bbox);
    if (relation === 'inside') return 'inside';
    if (relation === 'partial') partial = true;
  }
  return partial ? 'partial' : 'outside';
}

function polygonTouches(polygon: Ring[], bbox: Bbox): CoverageRelation {
  const [w, s, e, n] = bbox;
  // An edge of any ring that enters the rectangle means the boundary runs through it.
  for (const ring of polygon) {
    for (let i = 1; i < ring.length; i++) {
      if (segmentTouchesRect(ring[i - 1]!, ring[i]!, bbox)) return 'partial';
    }
  }
  // No boundary inside: the rectangle is wholly in or wholly out of the polygon, or the polygon
  // lies wholly inside the rectangle.
  const outer = polygon[0];
  if (!outer) return 'outside';
  const [px, py] = outer[0]!;
  if (px > w && px < e && py > s && py < n) return 'partial';
  const cx = (w + e) / 2;
  const cy = (s + n) / 2;
  if (!pointInRing(cx, cy, outer)) return 'outside';
  for (let h = 1; h < polygon.length; h++) if (pointInRing(cx, cy, polygon[h]!)) return 'outside';
  return 'inside';
}

/** Even-odd point-in-ring test. */
export function pointInRing(x: number, y: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether segment a–b has any point in the closed rectangle (Liang–Barsky clipping). */
export function segmentTouchesRect(a: [number, number], b: [number, number], bbox: Bbox): boolean {
  const [w, s, e, n] = bbox;
  if (Math.max(a[0], b[0]) < w || Math.min(a[0], b[0]) > e || Math.max(a[1], b[1]) < s || Math.min(a[1], b[1]) > n) return false;
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  return clip(-dx, a[0] - w) && clip(dx, e - a[0]) && clip(-dy, a[1] - s) && clip(dy, n - a[1]);
}
