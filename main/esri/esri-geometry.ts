/**
 * Esri JSON geometries to ISO WKB, exactly: every coordinate is copied as the server sent it (no
 * rounding, no rewinding, no simplification), Z and M are kept where the layer has them, and
 * polygons are rebuilt from Esri's flat ring list the way ArcGIS defines it: a clockwise ring
 * (in a y-up plane) starts a polygon, a counter-clockwise ring is a hole of the smallest
 * clockwise ring that contains it.
 *
 * Output types are uniform per layer (GeoPackage wants one type per table): points stay points,
 * multipoints are MultiPoint, polylines are always MultiLineString and polygons always
 * MultiPolygon, however many parts a feature has.
 *
 * Pure: no I/O, no GDAL. The writer hands the WKB to GDAL.
 */
import { TesseraError } from '../../shared/errors.js';

export type EsriGeometryType = 'esriGeometryPoint' | 'esriGeometryMultipoint' | 'esriGeometryPolyline' | 'esriGeometryPolygon' | 'esriGeometryEnvelope';

/** Which ordinates the layer's coordinates carry beyond x and y. */
export interface Dimensions {
  hasZ: boolean;
  hasM: boolean;
}

/** The OGC base types the WKB uses, per Esri geometry type. */
export const WKB_BASE_TYPE: Record<EsriGeometryType, number> = {
  esriGeometryPoint: 1,
  esriGeometryMultipoint: 4,
  esriGeometryPolyline: 5,
  esriGeometryPolygon: 6,
  esriGeometryEnvelope: 6,
};

export function isEsriGeometryType(value: unknown): value is EsriGeometryType {
  return typeof value === 'string' && value in WKB_BASE_TYPE;
}

/** ISO WKB type code: base + 1000 for Z, + 2000 for M, + 3000 for both. */
export function isoWkbType(base: number, dims: Dimensions): number {
  return base + (dims.hasZ && dims.hasM ? 3000 : dims.hasZ ? 1000 : dims.hasM ? 2000 : 0);
}

type Coordinate = readonly (number | null | undefined)[];
type Ring = readonly Coordinate[];

interface EsriGeometryJson {
  x?: unknown;
  y?: unknown;
  z?: unknown;
  m?: unknown;
  points?: unknown;
  paths?: unknown;
  rings?: unknown;
  curveRings?: unknown;
  curvePaths?: unknown;
  xmin?: unknown;
  ymin?: unknown;
  xmax?: unknown;
  ymax?: unknown;
  zmin?: unknown;
  zmax?: unknown;
  mmin?: unknown;
  mmax?: unknown;
}

/**
 * The ISO WKB of one Esri JSON geometry, or null for a feature without geometry.
 * `dims` are the layer's (the response's hasZ/hasM): a missing ordinate is NaN, never invented.
 */
export function esriGeometryToWkb(geometry: unknown, type: EsriGeometryType, dims: Dimensions): Buffer | null {
  if (geometry === null || geometry === undefined) return null;
  if (typeof geometry !== 'object') throw badGeometry(`a geometry must be an object, not ${typeof geometry}`);
  const g = geometry as EsriGeometryJson;
  if (g.curveRings !== undefined || g.curvePaths !== undefined)
    throw badGeometry('true curves (curveRings/curvePaths) are not supported; the query asks for densified geometries');
  const writer = new WkbWriter(dims);
  switch (type) {
    case 'esriGeometryPoint':
      writer.point(pointCoordinate(g));
      break;
    case 'esriGeometryMultipoint':
      writer.multiPoint(arrayOf<Coordinate>(g.points, 'points'));
      break;
    case 'esriGeometryPolyline':
      writer.multiLineString(arrayOf<Ring>(g.paths, 'paths'));
      break;
    case 'esriGeometryPolygon':
      writer.multiPolygon(organizeRings(arrayOf<Ring>(g.rings, 'rings')));
      break;
    case 'esriGeometryEnvelope':
      writer.multiPolygon(envelopeRings(g, dims));
      break;
  }
  return writer.finish();
}

function pointCoordinate(g: EsriGeometryJson): Coordinate {
  const x = ordinate(g.x);
  const y = ordinate(g.y);
  return [x, y, ordinate(g.z), ordinate(g.m)];
}

/** Esri writes an empty point as x null or "NaN": both become NaN (WKB's empty point). */
function ordinate(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === 'NaN') return Number.NaN;
  throw badGeometry(`an ordinate must be a number, not ${JSON.stringify(value)}`);
}

function arrayOf<T>(value: unknown, name: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badGeometry(`${name} must be an array`);
  return value as T[];
}

function envelopeRings(g: EsriGeometryJson, dims: Dimensions): Ring[][] {
  const [xmin, ymin, xmax, ymax] = [ordinate(g.xmin), ordinate(g.ymin), ordinate(g.xmax), ordinate(g.ymax)];
  if ([xmin, ymin, xmax, ymax].some(Number.isNaN)) return [];
  const z = dims.hasZ ? ordinate(g.zmin) : Number.NaN;
  const m = dims.hasM ? ordinate(g.mmin) : Number.NaN;
  const c = (x: number, y: number): Coordinate => (dims.hasZ && dims.hasM ? [x, y, z, m] : dims.hasZ ? [x, y, z] : dims.hasM ? [x, y, m] : [x, y]);
  // Clockwise, like every Esri outer ring.
  return [[[c(xmin, ymin), c(xmin, ymax), c(xmax, ymax), c(xmax, ymin), c(xmin, ymin)]]];
}

/** Twice the signed area of a ring in the x/y plane: negative for clockwise (y up). */
export function signedArea2(ring: Ring): number {
  let sum = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    sum += (a[0] as number) * (b[1] as number) - (b[0] as number) * (a[1] as number);
  }
  return sum;
}

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function boxOf(ring: Ring): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const c of ring) {
    const x = c[0] as number;
    const y = c[1] as number;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

/** Even-odd ray test; a point on the boundary may go either way (callers try several vertices). */
function ringContains(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0] as number;
    const yi = ring[i]![1] as number;
    const xj = ring[j]![0] as number;
    const yj = ring[j]![1] as number;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Groups Esri's flat ring list into polygons: [polygon][ring][coordinate], outer ring first.
 * Rings keep their order and their vertices untouched. A hole that no outer ring contains (the
 * server broke the orientation rule) becomes a polygon of its own rather than being dropped.
 */
export function organizeRings(rings: readonly Ring[]): Ring[][] {
  const closed = rings.filter((r) => r.length > 0).map(closeRing);
  const outers: { ring: Ring; box: Box; area: number; holes: Ring[] }[] = [];
  const holes: Ring[] = [];
  for (const ring of closed) {
    const area = signedArea2(ring);
    // Zero-area rings (degenerate slivers) are kept as polygons: dropping them would not be exact.
    if (area <= 0) outers.push({ ring, box: boxOf(ring), area: -area, holes: [] });
    else holes.push(ring);
  }
  const orphans: Ring[] = [];
  for (const hole of holes) {
    const owner = ownerOf(hole, outers);
    if (owner) owner.holes.push(hole);
    else orphans.push(hole);
  }
  const polygons: { first: number; rings: Ring[] }[] = outers.map((o) => ({ first: closed.indexOf(o.ring), rings: [o.ring, ...o.holes] }));
  for (const orphan of orphans) polygons.push({ first: closed.indexOf(orphan), rings: [orphan] });
  polygons.sort((a, b) => a.first - b.first);
  return polygons.map((p) => p.rings);
}

function ownerOf(
  hole: Ring,
  outers: readonly { ring: Ring; box: Box; area: number; holes: Ring[] }[],
): { ring: Ring; box: Box; area: number; holes: Ring[] } | undefined {
  const box = boxOf(hole);
  const candidates = outers.filter((o) => o.box.minX <= box.minX && o.box.minY <= box.minY && o.box.maxX >= box.maxX && o.box.maxY >= box.maxY);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) return undefined;
  // Holes often touch their outer ring at a vertex: vote over a few vertices instead of trusting one.
  const probes = hole.length <= 8 ? hole : [0, 1, 2, 3, 4, 5, 6, 7].map((k) => hole[Math.floor((k * (hole.length - 1)) / 8)]!);
  let best: (typeof candidates)[number] | undefined;
  let bestVotes = 0;
  for (const c of candidates) {
    let votes = 0;
    for (const p of probes) if (ringContains(c.ring, p[0] as number, p[1] as number)) votes++;
    if (votes > bestVotes || (votes === bestVotes && votes > 0 && best !== undefined && c.area < best.area)) {
      best = c;
      bestVotes = votes;
    }
  }
  return bestVotes > 0 ? best : undefined;
}

function closeRing(ring: Ring): Ring {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (ring.length > 1 && first[0] === last[0] && first[1] === last[1]) return ring;
  return [...ring, first];
}

/** Writes ISO WKB (little endian) into a buffer that grows as needed. */
class WkbWriter {
  private buffer = Buffer.allocUnsafe(1024);
  private offset = 0;
  private readonly width: number;

  constructor(private readonly dims: Dimensions) {
    this.width = 2 + (dims.hasZ ? 1 : 0) + (dims.hasM ? 1 : 0);
  }

  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.offset));
  }

  point(c: Coordinate): void {
    this.header(1);
    this.coordinatePoint(c);
  }

  multiPoint(points: readonly Coordinate[]): void {
    this.header(4);
    this.uint32(points.length);
    for (const p of points) {
      this.header(1);
      this.coordinate(p);
    }
  }

  multiLineString(paths: readonly Ring[]): void {
    this.header(5);
    this.uint32(paths.length);
    for (const path of paths) {
      this.header(2);
      this.uint32(path.length);
      for (const c of path) this.coordinate(c);
    }
  }

  multiPolygon(polygons: readonly (readonly Ring[])[]): void {
    this.header(6);
    this.uint32(polygons.length);
    for (const rings of polygons) {
      this.header(3);
      this.uint32(rings.length);
      for (const ring of rings) {
        this.uint32(ring.length);
        for (const c of ring) this.coordinate(c);
      }
    }
  }

  private header(base: number): void {
    this.ensure(5);
    this.buffer.writeUInt8(1, this.offset);
    this.buffer.writeUInt32LE(isoWkbType(base, this.dims), this.offset + 1);
    this.offset += 5;
  }

  private uint32(n: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(n, this.offset);
    this.offset += 4;
  }

  /** A point's own ordinates come as [x, y, z, m] (named members), whatever the layer has. */
  private coordinatePoint(c: Coordinate): void {
    this.ensure(this.width * 8);
    this.double(c[0]);
    this.double(c[1]);
    if (this.dims.hasZ) this.double(c[2]);
    if (this.dims.hasM) this.double(c[3]);
  }

  /** Array coordinates: [x, y, z, m], or [x, y, m] when the layer has M but no Z (Esri's layout). */
  private coordinate(c: Coordinate): void {
    if (!Array.isArray(c) || c.length < 2) throw badGeometry(`a coordinate must be an array of at least two numbers, not ${JSON.stringify(c)}`);
    this.ensure(this.width * 8);
    this.double(c[0]);
    this.double(c[1]);
    if (this.dims.hasZ) this.double(c[2]);
    if (this.dims.hasM) this.double(this.dims.hasZ ? c[3] : c[2]);
  }

  private double(v: number | null | undefined): void {
    const value = typeof v === 'number' ? v : v === null || v === undefined ? Number.NaN : ordinate(v);
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }
}

function badGeometry(message: string): TesseraError {
  return new TesseraError('DATASET_UNREADABLE', `Esri geometry: ${message}`);
}
