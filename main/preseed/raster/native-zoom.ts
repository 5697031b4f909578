/**
 * A raster's native zoom: the Web Mercator zoom whose ground resolution matches the size of the
 * dataset's pixels at its centre, so the form and the CLI dry run can say when a preseed's deeper
 * zooms only upsample the source (Blue Marble's 2,700 columns give ≈ z3.4 at 256-px tiles: its
 * z6 tiles hold no detail that z3 or z4 does not).
 *
 * The pixel's ground size is measured by GDAL where the data is (the centre pixel's corners
 * transformed to lon/lat, see dataset-info.ts); the maths here is pure.
 */
import { ORIGIN_SHIFT } from '../../../shared/tile-grid.js';

/** Metres per degree on the Web Mercator sphere (its radius 6378137 m). */
const METRES_PER_DEGREE = (ORIGIN_SHIFT * 2) / 360;

/**
 * The ground size of one pixel at the dataset's centre: the square root of its ground area, so a
 * pixel that is longer than it is wide (a lon/lat raster far from the equator) is matched by the
 * tile pixel of the same area, and a rotated one counts as it is.
 */
export interface PixelGround {
  /** Side of the square of the same ground area, in metres. */
  metres: number;
  /** Latitude of the dataset's centre, where Web Mercator's ground resolution is compared. */
  latitude: number;
}

/**
 * The ground size of a pixel whose corner is at `origin` and whose column and row steps end at
 * `right` and `down` (all [lon, lat] degrees), on the local tangent plane: fine for one pixel.
 * Null when the three points do not span an area (a degenerate transform).
 */
export function pixelGroundOf(origin: [number, number], right: [number, number], down: [number, number]): PixelGround | null {
  const lat = origin[1];
  const cos = Math.cos((lat * Math.PI) / 180);
  const east = (p: [number, number]) => (p[0] - origin[0]) * METRES_PER_DEGREE * cos;
  const north = (p: [number, number]) => (p[1] - origin[1]) * METRES_PER_DEGREE;
  const area = Math.abs(east(right) * north(down) - north(right) * east(down));
  if (!(area > 0) || !Number.isFinite(area)) return null;
  return { metres: Math.sqrt(area), latitude: lat };
}

/**
 * The fractional zoom at which a `tileSize`-pixel Web Mercator tile's pixel has the ground size of
 * the dataset's pixel at its centre latitude (the ground resolution at zoom z there being
 * 2πR·cos(lat) / (tileSize·2^z)). Null near the poles, where Web Mercator has no finite zoom to offer.
 */
export function nativeZoom(pixel: PixelGround, tileSize: number): number | null {
  const cos = Math.cos((pixel.latitude * Math.PI) / 180);
  if (!(cos > 1e-6) || !(pixel.metres > 0)) return null;
  const z = Math.log2((2 * ORIGIN_SHIFT * cos) / (tileSize * pixel.metres));
  return Number.isFinite(z) ? z : null;
}
