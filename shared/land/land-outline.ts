/**
 * The one decoder of the land outline (shared/land/world-land.json, made by scripts/make-land.mjs
 * from world-atlas' Natural Earth 1:50m land): used by the report maps (main/reports, which read
 * the file from dist/shared/land/ at run time) and by the preseed extent map (the renderer, which
 * bundles it through Vite). Plain ES2023: no Node, no DOM.
 *
 * The file is JSON: `{ format: 'tessera-land/1', scale: 100, polygons: [[outer, ...holes], ...] }`,
 * each ring flat integers in 1/scale of a degree, the first point absolute (lon, lat), then each
 * point as the difference from the one before; rings close implicitly. A ring that crosses the
 * antimeridian and comes back (Chukotka, Wrangel Island) is continuous, reaching past 180°E, so it
 * draws without a seam; Antarctica, which crosses it once, is closed along the South Pole.
 */

export const LAND_FORMAT = 'tessera-land/1';

/** The file as written (after JSON.parse and parseLandFile). */
export interface LandFile {
  format: typeof LAND_FORMAT;
  scale: number;
  /** Each polygon: its outer ring, then its holes; each ring delta-encoded (see above). */
  polygons: number[][][];
}

/** One decoded ring: flat [lon0, lat0, lon1, lat1, …] in degrees (not closed), with its bounds. */
export interface LandRing {
  coords: Float64Array;
  w: number;
  s: number;
  e: number;
  n: number;
}

/** One decoded polygon: the outer ring first, then its holes. */
export type LandPolygon = LandRing[];

/** Checks parsed JSON for the shape of a land file (throws on anything else). */
export function parseLandFile(json: unknown): LandFile {
  const file = json as Partial<LandFile> | null;
  if (typeof file !== 'object' || file === null || file.format !== LAND_FORMAT) throw new Error(`not a land outline (expected format ${LAND_FORMAT})`);
  if (typeof file.scale !== 'number' || !(file.scale > 0)) throw new Error('land outline: scale must be a positive number');
  if (!Array.isArray(file.polygons)) throw new Error('land outline: polygons must be an array');
  for (const polygon of file.polygons) {
    if (!Array.isArray(polygon) || polygon.length === 0) throw new Error('land outline: a polygon must be a non-empty array of rings');
    for (const ring of polygon) {
      if (!Array.isArray(ring) || ring.length < 6 || ring.length % 2 !== 0 || !ring.every(Number.isInteger)) {
        throw new Error('land outline: a ring must be an even list of at least 6 integers');
      }
    }
  }
  return file as LandFile;
}

/** One delta-encoded ring in degrees. */
export function decodeRing(encoded: readonly number[], scale: number): LandRing {
  const coords = new Float64Array(encoded.length);
  let x = 0;
  let y = 0;
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (let i = 0; i < encoded.length; i += 2) {
    x += encoded[i]!;
    y += encoded[i + 1]!;
    const lon = x / scale;
    const lat = y / scale;
    coords[i] = lon;
    coords[i + 1] = lat;
    if (lon < w) w = lon;
    if (lon > e) e = lon;
    if (lat < s) s = lat;
    if (lat > n) n = lat;
  }
  return { coords, w, s, e, n };
}

/** Every polygon of the file, decoded. */
export function decodeLand(file: LandFile): LandPolygon[] {
  return file.polygons.map((polygon) => polygon.map((ring) => decodeRing(ring, file.scale)));
}

/** The polygons as GeoJSON MultiPolygon coordinates: [lon, lat] positions, each ring closed. */
export function landCoordinates(polygons: readonly LandPolygon[]): [number, number][][][] {
  return polygons.map((polygon) =>
    polygon.map((ring) => {
      const points: [number, number][] = [];
      for (let i = 0; i < ring.coords.length; i += 2) points.push([ring.coords[i]!, ring.coords[i + 1]!]);
      points.push([ring.coords[0]!, ring.coords[1]!]);
      return points;
    }),
  );
}
