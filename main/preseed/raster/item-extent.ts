/**
 * The area one dataset tiles: its WGS84 footprint ∩ the bbox asked for ∩ the coverage's box,
 * clipped to Web Mercator's ±85.0511°. OUTSIDE_EXTENT names the file and both boxes when
 * nothing is left.
 */
import type { Bbox } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import type { Coverage } from '../../tiling/coverage.js';
import { clipToWorld } from '../../tiling/tile-plan.js';
import { intersectBbox } from '../../../shared/tile-grid.js';

export function itemExtent(path: string, footprint: Bbox, bbox: Bbox | undefined, coverage: Coverage | undefined): Bbox {
  const world = clipToWorld(footprint);
  if (!world) throw outside(path, footprint, 'lies beyond Web Mercator’s ±85.0511° latitude');
  const inBbox = bbox ? intersectBbox(world, bbox) : world;
  if (!inBbox) throw outside(path, footprint, `does not overlap the bbox ${formatBbox(bbox!)}`);
  const inCoverage = coverage ? intersectBbox(inBbox, coverage.bbox) : inBbox;
  if (!inCoverage) throw outside(path, footprint, `does not overlap the coverage (its polygons span ${formatBbox(coverage!.bbox)})`);
  return inCoverage;
}

function outside(path: string, footprint: Bbox, why: string): TesseraError {
  return new TesseraError('OUTSIDE_EXTENT', `${path}: its footprint ${formatBbox(footprint)} ${why}`, { details: { path, footprint } });
}

export function formatBbox(b: Bbox): string {
  return `[${b.map((v) => Number(v.toFixed(5))).join(', ')}]`;
}
