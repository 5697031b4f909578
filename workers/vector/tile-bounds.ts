/**
 * The little Web Mercator tile maths a worker needs (workers/ may not import main/tiling; these
 * are the same formulas as shared/tile-grid.ts).
 */

/** Web Mercator's latitude limit: atan(sinh(π)) in degrees. */
export const MAX_LATITUDE = 85.0511287798066;

/** A tile's [west, south, east, north] in degrees. */
export function tileBoundsLonLat(z: number, x: number, y: number): [number, number, number, number] {
  const n = 2 ** z;
  const lat = (row: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * row) / n))) * 180) / Math.PI;
  return [(x / n) * 360 - 180, lat(y + 1), ((x + 1) / n) * 360 - 180, lat(y)];
}

/** Fractional Web Mercator position in [0, 1] (x from the antimeridian, y from the north). */
export function lonLatToUnit(lon: number, lat: number): [number, number] {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return [lon / 360 + 0.5, 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)];
}
