/**
 * The extent map of the printable reports: land and graticule projected into a box around an
 * extent, with the job's items' footprints, as plain numbers that the HTML report writes as SVG
 * and the PDF report as vector paths. Pure but for the land outline, read once (world-land.ts).
 */
import { worldLandRings } from './world-land.js';

/** West, south, east, north in degrees (WGS84); east < west crosses the antimeridian. */
export type Bounds = [west: number, south: number, east: number, north: number];

export interface Thumbnail {
  width: number;
  height: number;
  /** The part of the world the box shows. */
  view: Bounds;
  /** Land in box coordinates (x right, y down), each ring flat [x0, y0, x1, y1, …], clipped to the box; fill even-odd. */
  land: number[][];
  /** Graticule: vertical lines at x (meridians) and horizontal lines at y (parallels), with labels. */
  meridians: { x: number; label: string }[];
  parallels: { y: number; label: string }[];
  /** The extent's rectangle in box coordinates. */
  extent: { x: number; y: number; width: number; height: number };
  /** A ring around the extent when its rectangle is too small to see; null otherwise. */
  marker: { x: number; y: number; r: number } | null;
  /**
   * The items' footprints in box coordinates, numbered from 1 in the order given (at most
   * MAX_FOOTPRINTS); `dot` marks the middle of one too small to see as a rectangle.
   */
  footprints: { n: number; label: string; x: number; y: number; width: number; height: number; dot: { x: number; y: number } | null }[];
}

/** Footprints drawn at most: beyond this many the map would be hatching (the caption says how many). */
export const MAX_FOOTPRINTS = 200;

export interface ThumbnailOptions {
  /** Room around the extent on each side, as a fraction of its size (0.6: the extent is about 45% of the box). */
  margin?: number;
  /** The least height shown, in degrees of latitude, so a small extent still has recognisable land around it (6). */
  minSpan?: number;
  /** Each item's footprint, drawn under the extent. */
  footprints?: readonly { label: string; bounds: Bounds }[];
}

/**
 * Projects the land and an extent into a width × height box: equirectangular, true to scale at
 * the extent's middle latitude, centred on the extent with a margin (moved off a pole rather than
 * show beyond it); land across the antimeridian is drawn on whichever side the view reaches.
 */
export function thumbnail(bounds: Bounds, width: number, height: number, options: ThumbnailOptions = {}): Thumbnail {
  const margin = options.margin ?? 0.6;
  const minSpan = options.minSpan ?? 6;
  const [w, s, rawEast, n] = bounds;
  const e = rawEast < w ? rawEast + 360 : rawEast; // across the antimeridian: unwrap east of 180°
  // x = lon · k, y = lat: true to scale at the extent's middle latitude.
  const kTrue = Math.max(0.05, Math.cos((((s + n) / 2) * Math.PI) / 180));
  const latNeeded = Math.min(180, Math.max((n - s) * (1 + 2 * margin), minSpan));
  let k = kTrue;
  let lonSpan = (e - w) * (1 + 2 * margin);
  let latSpan = latNeeded;
  if ((lonSpan * k) / latSpan < width / height) lonSpan = (latSpan * width) / height / k;
  else latSpan = (lonSpan * k * height) / width;
  if (lonSpan > 360) {
    // All the way round (a world or polar extent): 360° across the box, squeezed from true
    // scale only as much as the latitudes needed take; beyond a pole is left empty.
    lonSpan = 360;
    k = Math.max(kTrue, (latNeeded * width) / (360 * height));
    latSpan = (360 * k * height) / width;
  }
  const scale = width / (lonSpan * k);
  const halfLon = lonSpan / 2;
  const halfLat = latSpan / 2;
  const cx = (w + e) / 2;
  const cy = halfLat >= 90 ? 0 : Math.min(90 - halfLat, Math.max(-90 + halfLat, (s + n) / 2));
  const px = (lon: number) => round1(width / 2 + (lon - cx) * k * scale);
  const py = (lat: number) => round1(height / 2 - (lat - cy) * scale);
  const view: Bounds = [cx - halfLon, cy - halfLat, cx + halfLon, cy + halfLat];

  const land: number[][] = [];
  for (const ring of worldLandRings()) {
    // Land east of 180° is drawn again, shifted, when the view reaches past the antimeridian.
    for (const shift of [0, 360, -360]) {
      if (ring.e + shift < view[0] || ring.w + shift > view[2] || ring.n < view[1] || ring.s > view[3]) continue;
      const projected = new Array<number>(ring.coords.length);
      for (let i = 0; i < ring.coords.length; i += 2) {
        projected[i] = px(ring.coords[i]! + shift);
        projected[i + 1] = py(ring.coords[i + 1]!);
      }
      const clipped = decimate(clipRing(projected, -2, -2, width + 2, height + 2), 0.5);
      if (clipped.length >= 6) land.push(clipped);
    }
  }

  const meridians: Thumbnail['meridians'] = [];
  const lonStep = graticuleStep(lonSpan, 6);
  // Counted in whole steps, so 0.1° steps do not drift by float error.
  for (let i = Math.ceil(view[0] / lonStep); i * lonStep <= view[2]; i++) {
    const x = px(i * lonStep);
    if (x > 0.5 && x < width - 0.5) meridians.push({ x, label: lonLabel(i * lonStep) });
  }
  const parallels: Thumbnail['parallels'] = [];
  const latStep = graticuleStep(Math.min(latSpan, 180), 5);
  for (let i = Math.ceil(Math.max(-90, view[1]) / latStep); i * latStep <= Math.min(90, view[3]); i++) {
    const y = py(i * latStep);
    if (y > 0.5 && y < height - 0.5) parallels.push({ y, label: latLabel(i * latStep) });
  }

  const rect = ([rw, rs, re, rn]: Bounds) => {
    // Unwrapped as the extent is, then moved by whole turns to the side of the view it lies on.
    const east = re < rw ? re + 360 : re;
    const shift = 360 * Math.round((cx - (rw + east) / 2) / 360);
    return { x: px(rw + shift), y: py(rn), width: round1((east - rw) * k * scale), height: round1((rn - rs) * scale) };
  };
  const extent = rect([w, s, rawEast, n]);
  const small = extent.width < 6 || extent.height < 6;
  const marker = small ? { x: round1(extent.x + extent.width / 2), y: round1(extent.y + extent.height / 2), r: 9 } : null;
  const footprints = (options.footprints ?? []).slice(0, MAX_FOOTPRINTS).map((f, i) => {
    const r = rect(f.bounds);
    const dot = r.width < 4 || r.height < 4 ? { x: round1(r.x + r.width / 2), y: round1(r.y + r.height / 2) } : null;
    return { n: i + 1, label: f.label, ...r, dot };
  });
  return { width, height, view, land, meridians, parallels, extent, marker, footprints };
}

/** Sutherland–Hodgman: a flat ring clipped to a rectangle (edges along it stay outside the visible box). */
function clipRing(ring: number[], x0: number, y0: number, x1: number, y1: number): number[] {
  const edges: [inside: (x: number, y: number) => boolean, cut: (ax: number, ay: number, bx: number, by: number) => [number, number]][] = [
    [(x) => x >= x0, (ax, ay, bx, by) => [x0, ay + ((by - ay) * (x0 - ax)) / (bx - ax)]],
    [(x) => x <= x1, (ax, ay, bx, by) => [x1, ay + ((by - ay) * (x1 - ax)) / (bx - ax)]],
    [(_, y) => y >= y0, (ax, ay, bx, by) => [ax + ((bx - ax) * (y0 - ay)) / (by - ay), y0]],
    [(_, y) => y <= y1, (ax, ay, bx, by) => [ax + ((bx - ax) * (y1 - ay)) / (by - ay), y1]],
  ];
  let points = ring;
  for (const [inside, cut] of edges) {
    if (points.length === 0) break;
    const out: number[] = [];
    let ax = points[points.length - 2]!;
    let ay = points[points.length - 1]!;
    let aIn = inside(ax, ay);
    for (let i = 0; i < points.length; i += 2) {
      const bx = points[i]!;
      const by = points[i + 1]!;
      const bIn = inside(bx, by);
      if (bIn !== aIn) out.push(...cut(ax, ay, bx, by).map(round1));
      if (bIn) out.push(bx, by);
      ax = bx;
      ay = by;
      aIn = bIn;
    }
    points = out;
  }
  return points;
}

/** Drops points closer than `tolerance` box units to the last one kept: detail finer than the output can show. */
function decimate(ring: number[], tolerance: number): number[] {
  if (ring.length < 6) return ring;
  const out = [ring[0]!, ring[1]!];
  for (let i = 2; i < ring.length; i += 2) {
    const x = ring[i]!;
    const y = ring[i + 1]!;
    if (Math.abs(x - out[out.length - 2]!) >= tolerance || Math.abs(y - out[out.length - 1]!) >= tolerance) out.push(x, y);
  }
  return out;
}

/** The smallest round graticule interval giving at most `lines` lines across `span` degrees. */
function graticuleStep(span: number, lines: number): number {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 45, 60];
  return steps.find((step) => span / step <= lines) ?? 90;
}

function lonLabel(lon: number): string {
  const wrapped = ((((lon + 180) % 360) + 360) % 360) - 180;
  const v = Math.abs(roundTo(wrapped, 4));
  return v === 0 || v === 180 ? `${v}°` : `${v}°${wrapped < 0 ? 'W' : 'E'}`;
}

function latLabel(lat: number): string {
  const v = Math.abs(roundTo(lat, 4));
  return v === 0 ? '0°' : `${v}°${lat < 0 ? 'S' : 'N'}`;
}

/** "11.00°E – 12.00°E, 57.00°N – 58.00°N": an extent as words, for captions. */
export function formatBounds([w, s, e, n]: Bounds): string {
  const lon = (v: number) => `${Math.abs(v).toFixed(2)}°${v < 0 ? 'W' : 'E'}`;
  const lat = (v: number) => `${Math.abs(v).toFixed(2)}°${v < 0 ? 'S' : 'N'}`;
  return `${lon(w)} – ${lon(e)}, ${lat(s)} – ${lat(n)}`;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function roundTo(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
