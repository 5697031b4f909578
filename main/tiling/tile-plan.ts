/**
 * Which tiles a preseed makes: those of each zoom level inside the real extent (a dataset's extent
 * ∩ the bbox asked for) and, with a coverage, touching its polygons. Counting never walks the whole
 * world: a coverage is classified by descending the quadtree, and a tile wholly inside (or outside)
 * settles its whole subtree at once.
 */
import type { Bbox } from '../../shared/contract.js';
import { type Coverage, type CoverageRelation, coverageTouches } from './coverage.js';
import { MAX_LATITUDE, type TileRange, intersectBbox, rangeSize, tileBoundsLonLat, tileRange } from '../../shared/tile-grid.js';

export interface ZoomPlan {
  z: number;
  range: TileRange;
  /** Tiles of the range that the coverage keeps (all of the range without one). */
  tiles: number;
}

/** The extent clipped to the Web Mercator world; null when nothing of it is left. */
export function clipToWorld(extent: Bbox): Bbox | null {
  return intersectBbox(extent, [-180, -MAX_LATITUDE, 180, MAX_LATITUDE]);
}

/** Tiles per zoom level for `extent` (and `coverage`), from minZoom to maxZoom. */
export function planTiles(extent: Bbox, minZoom: number, maxZoom: number, coverage?: Coverage): ZoomPlan[] {
  const clipped = clipToWorld(extent);
  const ranges: TileRange[] = [];
  for (let z = minZoom; z <= maxZoom; z++) ranges.push(clipped ? tileRange(clipped, z) : { z, minX: 0, minY: 0, maxX: -1, maxY: -1 });
  if (!clipped) return ranges.map((range) => ({ z: range.z, range, tiles: 0 }));
  if (!coverage) return ranges.map((range) => ({ z: range.z, range, tiles: rangeSize(range) }));

  const counts = new Map<number, number>(ranges.map((r) => [r.z, 0]));
  const byZoom = new Map(ranges.map((r) => [r.z, r]));
  // Depth-first over the quadtree from z0: an inside tile adds its descendants in each range
  // arithmetically; a partial one is counted where it is in range and split further.
  const visit = (z: number, x: number, y: number): void => {
    if (!overlapsAnyRange(z, x, y, ranges)) return;
    const relation = coverageTouches(coverage, tileBoundsLonLat(z, x, y));
    if (relation === 'outside') return;
    if (relation === 'inside') {
      for (const r of ranges) if (r.z >= z) counts.set(r.z, counts.get(r.z)! + descendantsInRange(z, x, y, r));
      return;
    }
    const own = byZoom.get(z);
    if (own && x >= own.minX && x <= own.maxX && y >= own.minY && y <= own.maxY) counts.set(z, counts.get(z)! + 1);
    if (z < maxZoom) for (const [cx, cy] of children(x, y)) visit(z + 1, cx, cy);
  };
  visit(0, 0, 0);
  return ranges.map((range) => ({ z: range.z, range, tiles: counts.get(range.z)! }));
}

/**
 * Answers "does this tile touch the coverage?" for many tiles, remembering each ancestor's answer so
 * a whole zoom level costs about what its coverage boundary does.
 */
export class CoverageIndex {
  private readonly memo = new Map<string, CoverageRelation>();
  constructor(private readonly coverage: Coverage) {}

  relation(z: number, x: number, y: number): CoverageRelation {
    const key = `${z}/${x}/${y}`;
    const known = this.memo.get(key);
    if (known) return known;
    const parent = z > 0 ? this.relation(z - 1, x >> 1, y >> 1) : 'partial';
    const relation = parent === 'partial' ? coverageTouches(this.coverage, tileBoundsLonLat(z, x, y)) : parent;
    // Settled subtrees need no memo below them; partial tiles are the ones asked about again.
    if (relation === 'partial' || z < 8) this.memo.set(key, relation);
    return relation;
  }

  touches(z: number, x: number, y: number): boolean {
    return this.relation(z, x, y) !== 'outside';
  }
}

/** Whether tile z/x/y is to be made: always without a coverage. */
export function tileTouchesCoverage(z: number, x: number, y: number, coverage?: Coverage | CoverageIndex): boolean {
  if (!coverage) return true;
  if (coverage instanceof CoverageIndex) return coverage.touches(z, x, y);
  return coverageTouches(coverage, tileBoundsLonLat(z, x, y)) !== 'outside';
}

/** Visits the tiles of zoom z inside `extent` that touch the coverage, row by row (north to south). */
export function forEachTile(extent: Bbox, z: number, coverage: Coverage | CoverageIndex | undefined, visit: (x: number, y: number) => void): void {
  const clipped = clipToWorld(extent);
  if (!clipped) return;
  const range = tileRange(clipped, z);
  const index = coverage instanceof CoverageIndex || coverage === undefined ? coverage : new CoverageIndex(coverage);
  for (let y = range.minY; y <= range.maxY; y++) {
    for (let x = range.minX; x <= range.maxX; x++) {
      if (!index || index.touches(z, x, y)) visit(x, y);
    }
  }
}

function children(x: number, y: number): [number, number][] {
  return [
    [2 * x, 2 * y],
    [2 * x + 1, 2 * y],
    [2 * x, 2 * y + 1],
    [2 * x + 1, 2 * y + 1],
  ];
}

function descendantsInRange(z: number, x: number, y: number, r: TileRange): number {
  const f = 2 ** (r.z - z);
  const minX = Math.max(x * f, r.minX);
  const maxX = Math.min((x + 1) * f - 1, r.maxX);
  const minY = Math.max(y * f, r.minY);
  const maxY = Math.min((y + 1) * f - 1, r.maxY);
  return maxX < minX || maxY < minY ? 0 : (maxX - minX + 1) * (maxY - minY + 1);
}

/** Whether the tile has any descendant (or is itself) inside one of the ranges at or below its zoom. */
function overlapsAnyRange(z: number, x: number, y: number, ranges: readonly TileRange[]): boolean {
  for (const r of ranges) {
    if (r.z < z) continue;
    if (descendantsInRange(z, x, y, r) > 0) return true;
  }
  return false;
}
