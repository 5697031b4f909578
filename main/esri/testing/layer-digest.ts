/**
 * Digests of a layer's content for tests and benchmarks (not shipped logic): the count, the id
 * set, and a SHA-256 over every feature's id, attributes and geometry, computed the same way from
 * the fixture's GeoJSON (what the server serves) and from a migrated GeoPackage table (read with
 * SQLite, not GDAL, so the digest does not trust the code it checks).
 *
 * Canonical form, so that only real differences count: polygons as multipolygons with outer rings
 * counter-clockwise and holes clockwise (Esri and GeoJSON wind them oppositely; the start vertex
 * is kept), holes and polygons in a stable order (Koop's Esri writer reverses them; the order has
 * no meaning), lines as multilines, dates as epoch milliseconds, numbers by their shortest exact
 * text. Every coordinate must match exactly.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface LayerDigest {
  count: number;
  ids: number[];
  checksum: string;
  /** Each feature's canonical text by id, to name the ones that differ. */
  features: Map<number, string>;
}

type Position = number[];
type Canonical =
  | { type: 'Point'; c: Position }
  | { type: 'MultiPoint'; c: Position[] }
  | { type: 'MultiLineString'; c: Position[][] }
  | { type: 'MultiPolygon'; c: Position[][][] }
  | null;

function area2(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    s += a[0]! * b[1]! - b[0]! * a[1]!;
  }
  return s;
}

function orient(polygon: Position[][]): Position[][] {
  const rings = polygon.map((ring, i) => {
    const ccw = area2(ring) > 0;
    return (i === 0) === ccw ? ring : [...ring].reverse();
  });
  // The order of holes carries no meaning (Esri writers reorder them): sort them.
  return [rings[0]!, ...rings.slice(1).sort(byFirstVertex)];
}

function byFirstVertex(a: Position[], b: Position[]): number {
  const ka = JSON.stringify(a[0]);
  const kb = JSON.stringify(b[0]);
  return ka < kb ? -1 : ka > kb ? 1 : a.length - b.length;
}

/** Nor does the order of a multipolygon's polygons. */
function sortPolygons(polygons: Position[][][]): Position[][][] {
  return [...polygons].sort((a, b) => byFirstVertex(a[0]!, b[0]!));
}

function canonicalFromGeojson(g: { type: string; coordinates: unknown } | null): Canonical {
  if (!g) return null;
  switch (g.type) {
    case 'Point':
      return { type: 'Point', c: g.coordinates as Position };
    case 'MultiPoint':
      return { type: 'MultiPoint', c: g.coordinates as Position[] };
    case 'LineString':
      return { type: 'MultiLineString', c: [g.coordinates as Position[]] };
    case 'MultiLineString':
      return { type: 'MultiLineString', c: g.coordinates as Position[][] };
    case 'Polygon':
      return { type: 'MultiPolygon', c: [orient(g.coordinates as Position[][])] };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', c: sortPolygons((g.coordinates as Position[][][]).map(orient)) };
    default:
      throw new Error(`unexpected GeoJSON type ${g.type}`);
  }
}

/** Reads a GeoPackage geometry blob (header + ISO or 2.5D WKB). */
export function canonicalFromGpkg(blob: Buffer | null): Canonical {
  if (!blob) return null;
  if (blob[0] !== 0x47 || blob[1] !== 0x50) throw new Error('not a GeoPackage geometry blob');
  const flags = blob[3]!;
  const envelope = [0, 32, 48, 48, 64][(flags >> 1) & 7] ?? 0;
  let o = 8 + envelope;
  const readGeometry = (): { base: number; value: unknown } => {
    const little = blob[o] === 1;
    o += 1;
    let type = little ? blob.readUInt32LE(o) : blob.readUInt32BE(o);
    o += 4;
    let hasZ = (type & 0x80000000) !== 0;
    let hasM = (type & 0x40000000) !== 0;
    type &= 0x0fffffff;
    if (type >= 3000) (hasZ = true), (hasM = true), (type -= 3000);
    else if (type >= 2000) (hasM = true), (type -= 2000);
    else if (type >= 1000) (hasZ = true), (type -= 1000);
    const u32 = () => {
      const v = little ? blob.readUInt32LE(o) : blob.readUInt32BE(o);
      o += 4;
      return v;
    };
    const f64 = () => {
      const v = little ? blob.readDoubleLE(o) : blob.readDoubleBE(o);
      o += 8;
      return v;
    };
    const position = () => {
      const p = [f64(), f64()];
      if (hasZ) p.push(f64());
      if (hasM) p.push(f64());
      return p;
    };
    const positions = () => Array.from({ length: u32() }, position);
    switch (type) {
      case 1:
        return { base: 1, value: position() };
      case 2:
        return { base: 2, value: positions() };
      case 3:
        return { base: 3, value: Array.from({ length: u32() }, positions) };
      case 4:
      case 5:
      case 6:
        return { base: type, value: Array.from({ length: u32() }, () => readGeometry().value) };
      default:
        throw new Error(`unexpected WKB type ${type}`);
    }
  };
  const g = readGeometry();
  switch (g.base) {
    case 1:
      return { type: 'Point', c: g.value as Position };
    case 4:
      return { type: 'MultiPoint', c: g.value as Position[] };
    case 5:
      return { type: 'MultiLineString', c: g.value as Position[][] };
    case 6:
      return { type: 'MultiPolygon', c: sortPolygons((g.value as Position[][][]).map(orient)) };
    default:
      throw new Error(`unexpected top-level WKB type ${g.base}`);
  }
}

function attributeText(value: unknown, isDate: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (isDate) return String(typeof value === 'number' ? value : Date.parse(String(value)));
  return JSON.stringify(value);
}

function digest(entries: [number, string][]): LayerDigest {
  entries.sort((a, b) => a[0] - b[0]);
  const hash = createHash('sha256');
  for (const [id, text] of entries) hash.update(`${id}|${text}\n`);
  return { count: entries.length, ids: entries.map((e) => e[0]), checksum: hash.digest('hex'), features: new Map(entries) };
}

/** The digest of a fixture GeoJSON file (the server's source), over `fields` (OBJECTID is the id). */
export function geojsonDigest(path: string, fields: readonly string[], dateFields: readonly string[] = []): LayerDigest {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as {
    features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } | null }[];
  };
  return digest(
    doc.features.map((f) => {
      const attributes = fields.map((name) => `${name}=${attributeText(f.properties[name], dateFields.includes(name))}`).join(';');
      return [f.properties.OBJECTID as number, `${attributes}#${JSON.stringify(canonicalFromGeojson(f.geometry))}`];
    }),
  );
}

/** The digest of a table in a GeoPackage, its primary key as the id. */
export function gpkgDigest(path: string, table: string, fields: readonly string[], dateFields: readonly string[] = []): LayerDigest {
  const db = new Database(path, { readonly: true });
  try {
    const info = db.prepare(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).all() as { name: string; pk: number }[];
    const pk = info.find((c) => c.pk === 1)!.name;
    const geometry =
      (db.prepare('SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?').get(table) as { column_name: string } | undefined)?.column_name ?? null;
    const rows = db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).all() as Record<string, unknown>[];
    return digest(
      rows.map((r) => {
        const attributes = fields.map((name) => `${name}=${attributeText(r[name], dateFields.includes(name))}`).join(';');
        return [Number(r[pk]), `${attributes}#${JSON.stringify(geometry ? canonicalFromGpkg(r[geometry] as Buffer | null) : null)}`];
      }),
    );
  } finally {
    db.close();
  }
}
