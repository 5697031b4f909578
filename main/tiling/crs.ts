/**
 * The two CRSs tiling works in, made so that coordinates are always x = longitude, y = latitude.
 *
 * GDAL 3 honours EPSG:4326's authority axis order (latitude first) for a SpatialReference made
 * with fromEPSG(4326), so a transform into it silently swaps axes for some inputs. OGC:CRS84 is
 * the same datum with longitude first, which is what GeoJSON, MVT and tile maths expect.
 */
import gdal from 'gdal-async';

let lonLat: gdal.SpatialReference | null = null;
let mercator: gdal.SpatialReference | null = null;

/** WGS84 with longitude first (OGC:CRS84). */
export function wgs84LonLat(): gdal.SpatialReference {
  return (lonLat ??= gdal.SpatialReference.fromUserInput('OGC:CRS84'));
}

/** EPSG:3857, Web Mercator. */
export function webMercator(): gdal.SpatialReference {
  return (mercator ??= gdal.SpatialReference.fromEPSG(3857));
}

/**
 * A transform from `srs` to lon/lat WGS84 (x = longitude), or null when `srs` is already that.
 * `srs` must come from a layer or a dataset (GDAL gives those the traditional x/y order); one made
 * with fromEPSG for a geographic CRS would take its input latitude first.
 */
export function toLonLat(srs: gdal.SpatialReference): gdal.CoordinateTransformation | null {
  const target = wgs84LonLat();
  return srs.isSame(target) ? null : new gdal.CoordinateTransformation(srs, target);
}
