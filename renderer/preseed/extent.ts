/**
 * A box on the extent map as the form's four bbox fields: dragged corners to a normalised WGS84
 * box inside Web Mercator's world, with as many decimals as a person would type. Pure.
 */
import { MAX_LATITUDE } from '../../shared/tile-grid.js';
import type { Bbox } from '../../shared/contract.js';

/** Web Mercator's latitude limit: tiles stop here, so a box beyond it means nothing more. */
export { MAX_LATITUDE };

/** Decimals kept from a drawn box: 1e-5° is about a metre, finer than any tile the form makes. */
const DECIMALS = 5;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function round(v: number): number {
  const f = 10 ** DECIMALS;
  return Math.round(v * f) / f;
}

/**
 * The box two dragged corners span (in any order), clamped to the world, or null when it has no
 * area (a click, or a drag along one axis): a click on the map must not replace a typed box.
 */
export function bboxFromCorners(a: [number, number], b: [number, number]): Bbox | null {
  const w = round(clamp(Math.min(a[0], b[0]), -180, 180));
  const e = round(clamp(Math.max(a[0], b[0]), -180, 180));
  const s = round(clamp(Math.min(a[1], b[1]), -MAX_LATITUDE, MAX_LATITUDE));
  const n = round(clamp(Math.max(a[1], b[1]), -MAX_LATITUDE, MAX_LATITUDE));
  return w < e && s < n ? [w, s, e, n] : null;
}

/** A box as the four fields' text ("11.25", not "11.250000"). */
export function bboxFields(b: Bbox): [string, string, string, string] {
  return b.map((v) => String(round(v))) as [string, string, string, string];
}

/** The part of a map view inside the world (a zoomed-out view reaches past ±180° and the poles). */
export function bboxFromView(west: number, south: number, east: number, north: number): Bbox | null {
  return bboxFromCorners([west, south], [east, north]);
}

/** The box that holds all of `boxes`, or null when there are none. */
export function unionOf(boxes: readonly Bbox[]): Bbox | null {
  if (boxes.length === 0) return null;
  return boxes.reduce<Bbox>((u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])], [...boxes[0]!] as Bbox);
}

/** "11.25000° E, 57.50000° N" for the pointer read-out. */
export function formatLonLat(lon: number, lat: number): string {
  const ew = lon < 0 ? 'W' : 'E';
  const ns = lat < 0 ? 'S' : 'N';
  return `${Math.abs(lon).toFixed(4)}° ${ew}, ${Math.abs(lat).toFixed(4)}° ${ns}`;
}
