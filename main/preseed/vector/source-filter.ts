/**
 * The job's bbox as ogr2ogr's spatial filter, in the source layer's own CRS.
 *
 * Why not `-spat W S E N -spat_srs EPSG:4326`: GDAL 3.6 turns that box into the layer's CRS by its
 * outline, and a box reaching past a projected CRS's area (a z2 tile of the world over a British
 * National Grid file: "Point outside of projection domain") fails there. ogr2ogr then selects no
 * feature at all, silently (the CLI too), and in our process it leaves the layer a filter geometry
 * whose CRS it has already freed: closing the dataset crashed the engine (SIGSEGV in
 * OGRSpatialReference::Dereference, seen on a vector dry run of scot_BNG.shp z0–6).
 * So the box is first cut to the layer's own lon/lat bounds (where its CRS is defined, since its
 * data is there), then carried into the layer's CRS here, point by point over a grid, skipping
 * points that fail; ogr2ogr gets plain `-spat` in the layer's units.
 */
import gdal from 'gdal-async';
import type { Bbox } from '../../../shared/contract.js';
import { intersectBbox } from '../../../shared/tile-grid.js';
import { toLonLat, wgs84LonLat } from '../../tiling/crs.js';
import { layerBounds } from './source-info.js';

/** Points per side of the grid carried into the layer's CRS (a curved outline's extremes lie inside). */
const GRID_STEPS = 24;

/**
 * ogr2ogr's arguments that keep the layer's features within `bbox` (lon/lat): `-spat` in the layer's
 * CRS (`srs`: its own, or the one the job assigns); `-spat -spat_srs` in lon/lat for a lon/lat layer;
 * none when the box could not be carried over (every feature is read; the tile ranges still clip).
 */
export function spatialFilterArgs(layer: gdal.Layer, srs: gdal.SpatialReference | null, bbox: Bbox): string[] {
  const lonLat = ['-spat', ...bbox.map(String), '-spat_srs', 'EPSG:4326'];
  if (!srs) return lonLat;
  const toLayer = fromLonLat(srs);
  if (!toLayer) return lonLat;
  const bounds = layerBounds(layer, srs);
  if (!bounds) return [];
  const within = intersectBbox(bbox, grow(bounds));
  // Nothing of the layer in the box: a box in the layer's units beside its extent selects nothing.
  if (!within) return ['-spat', ...besideExtent(layer).map(String)];
  const out: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= GRID_STEPS; i++) {
    for (let j = 0; j <= GRID_STEPS; j++) {
      const lon = within[0] + ((within[2] - within[0]) * i) / GRID_STEPS;
      const lat = within[1] + ((within[3] - within[1]) * j) / GRID_STEPS;
      try {
        const p = toLayer.transformPoint(lon, lat);
        if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        out[0] = Math.min(out[0], p.x);
        out[1] = Math.min(out[1], p.y);
        out[2] = Math.max(out[2], p.x);
        out[3] = Math.max(out[3], p.y);
      } catch {
        // outside the CRS's area: the other points still bound the box
      }
    }
  }
  if (!(out[0] <= out[2] && out[1] <= out[3])) return [];
  // A margin of a grid cell: between grid points a curved edge can bulge outwards.
  const mx = (out[2] - out[0]) / GRID_STEPS;
  const my = (out[3] - out[1]) / GRID_STEPS;
  return ['-spat', String(out[0] - mx), String(out[1] - my), String(out[2] + mx), String(out[3] + my)];
}

/** From lon/lat into `srs`, or null when `srs` is lon/lat WGS84 already. */
function fromLonLat(srs: gdal.SpatialReference): gdal.CoordinateTransformation | null {
  return toLonLat(srs) ? new gdal.CoordinateTransformation(wgs84LonLat(), srs) : null;
}

/** `b` grown by 1 % of its size and 0.01° at least (a layer of one point has bounds of no size). */
function grow(b: Bbox): Bbox {
  const dx = Math.max(0.01, (b[2] - b[0]) / 100);
  const dy = Math.max(0.01, (b[3] - b[1]) / 100);
  return [Math.max(-180, b[0] - dx), Math.max(-90, b[1] - dy), Math.min(180, b[2] + dx), Math.min(90, b[3] + dy)];
}

function besideExtent(layer: gdal.Layer): Bbox {
  const e = layer.getExtent();
  const size = Math.max(1, e.maxX - e.minX, e.maxY - e.minY);
  return [e.maxX + size, e.maxY + size, e.maxX + 2 * size, e.maxY + 2 * size];
}
