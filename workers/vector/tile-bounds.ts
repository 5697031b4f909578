/**
 * The Web Mercator tile maths the vector workers use, from the shared tile grid (one set of
 * formulas for every process), plus the unit-square projection their hot loops call per vertex.
 */
import { MAX_LATITUDE, clampLatitude, tileBoundsLonLat } from '../../shared/tile-grid.js';

export { MAX_LATITUDE, tileBoundsLonLat };

/** Fractional Web Mercator position in [0, 1] (x from the antimeridian, y from the north). */
export function lonLatToUnit(lon: number, lat: number): [number, number] {
  const sin = Math.sin((clampLatitude(lat) * Math.PI) / 180);
  return [lon / 360 + 0.5, 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)];
}
