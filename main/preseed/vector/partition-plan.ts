/**
 * How a vector preseed splits its work: the partition zoom P (every tile of zoom ≥ P is cut by the
 * task of its z-P ancestor; the zooms above P by one "low band" task) and the bbox as tile ranges.
 *
 * P follows the data's vertex density over its extent: the partitioner clips each feature to the
 * partition tiles it reaches, so a partition holds about (vertices / tiles of the extent at P), and
 * each step down a zoom quarters that. Aiming at VERTICES_PER_PARTITION gives Natural Earth states
 * (407,887 vertices over the world, estimated 602k from world_map.gpkg's bytes, z0–10) P = 4,
 * which measured fastest when partitions held whole features (P=3 5.1 s, P=4 4.4 s, P=5 6.3 s,
 * one index 6.2 s); with clipped partitions P = 5 ran 22.0 s of CPU against the plain loop's 25.7.
 * Whatever the bytes, a small region's dense data gets a deep P and the world's sparse data a
 * shallow one.
 */
import type { Bbox } from '../../../shared/contract.js';
import type { ZoomRange } from '../../../workers/vector/tile-walk.js';
import { clipToWorld } from '../../tiling/tile-plan.js';
import { tileRange } from '../../../shared/tile-grid.js';

const VERTICES_PER_PARTITION = 2400;
const MIN_PARTITION_ZOOM = 2;
const MAX_PARTITION_ZOOM = 6;
/**
 * Zooms a partition keeps below its own tile at least: a partition task reads its file and builds
 * its indexes, which only pays off over a few levels of tiles (at z0–6 with P = 4, each of the 234
 * tasks would cut 21 tiles at most).
 */
const MIN_DEPTH = 3;
/**
 * Bytes a source spends per vertex, for sources whose vertices are not counted: measured 20.3 on
 * world_map.gpkg (631k vertices in 12.8 MB, R-trees included) and 20.1 on @geo-maps GeoJSON
 * (1.90M vertices in 38.2 MB).
 */
export const BYTES_PER_VERTEX = 20;

export interface PartitionData {
  /** Vertices of the chosen layers (counted or estimated). */
  vertices: number;
  /** Where they lie (the layers' bounds ∩ the job's bbox); null: the whole world. */
  extent: Bbox | null;
}

/** Tiles of zoom z the extent covers (the world's 4^z without one). */
export function tilesCovered(extent: Bbox | null, z: number): number {
  const world = extent ? clipToWorld(extent) : null;
  if (!world) return extent ? 1 : 4 ** z;
  const r = tileRange(world, z);
  return Math.max(1, (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1));
}

/** P for `data` tiled down to maxZoom; null: one task does every zoom. */
export function choosePartitionZoom(data: PartitionData, maxZoom: number): number | null {
  let byDensity = MIN_PARTITION_ZOOM;
  while (byDensity < MAX_PARTITION_ZOOM && data.vertices / tilesCovered(data.extent, byDensity) > VERTICES_PER_PARTITION) byDensity++;
  const p = Math.max(MIN_PARTITION_ZOOM, Math.min(byDensity, maxZoom - MIN_DEPTH));
  // A partition must leave zooms below it to cut; otherwise the one low-band task is all there is.
  return p < maxZoom ? p : null;
}

/** The bbox as one tile range per zoom 0..maxZoom (null where it holds no tile). */
export function zoomRanges(bbox: Bbox, maxZoom: number): (ZoomRange | null)[] {
  const world = clipToWorld(bbox);
  const out: (ZoomRange | null)[] = [];
  for (let z = 0; z <= maxZoom; z++) {
    if (!world) {
      out.push(null);
      continue;
    }
    const r = tileRange(world, z);
    out.push(r.maxX < r.minX || r.maxY < r.minY ? null : { minX: r.minX, minY: r.minY, maxX: r.maxX, maxY: r.maxY });
  }
  return out;
}
