/**
 * How a vector preseed splits its work: the partition zoom P (every tile of zoom ≥ P is cut by the
 * task of its z-P ancestor; the zooms above P by one "low band" task) and the bbox as tile ranges.
 *
 * P grows with the data: each step down a zoom quarters a partition's share. The rule puts about
 * 48 KiB of source data in an average partition; on Natural Earth states (≈12 MB, z0–10) it gives
 * P = 4, which measured fastest (cutting z0–10 on one thread: P=3 5.1 s, P=4 4.4 s, P=5 6.3 s,
 * one index 6.2 s: deeper partitions repeat the cuts above P and rebuild more indexes, shallower
 * ones balance worse and hold more in each worker).
 */
import type { Bbox } from '../../../shared/contract.js';
import type { ZoomRange } from '../../../workers/vector/tile-walk.js';
import { clipToWorld } from '../../tiling/tile-plan.js';
import { tileRange } from '../../../shared/tile-grid.js';

const BYTES_PER_PARTITION = 48 * 1024;
const MIN_PARTITION_ZOOM = 2;
const MAX_PARTITION_ZOOM = 6;
/**
 * Zooms a partition keeps below its own tile at least: a partition task reads its file and builds
 * its indexes, which only pays off over a few levels of tiles (at z0–6 with P = 4, each of the 234
 * tasks would cut 21 tiles at most).
 */
const MIN_DEPTH = 3;

/** P for about `sourceBytes` of data tiled down to maxZoom; null: one task does every zoom. */
export function choosePartitionZoom(sourceBytes: number, maxZoom: number): number | null {
  const byData = Math.round(Math.log(Math.max(1, sourceBytes / BYTES_PER_PARTITION)) / Math.log(4));
  const p = Math.max(MIN_PARTITION_ZOOM, Math.min(MAX_PARTITION_ZOOM, byData, maxZoom - MIN_DEPTH));
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
