/**
 * Where a vector preseed's tile batches go: the modes decide which tiles of a batch replace what
 * the output holds, then the rest is written as one writer batch.
 *
 * A tile written at or after the job was planned is this job's own (an earlier item's, or this
 * item's before an interruption): it is always written again, since the new tile holds at least
 * what it held. Older tiles belong to the output as it was: `resume` keeps them, `overwrite`
 * replaces them, `refresh` replaces those written before `olderThan`. An output that did not
 * exist when the run began holds nothing older, so its batches skip the look-up.
 */
import type { Bbox, PreseedMode } from '../../../shared/contract.js';
import type { TileToWrite, TileWriter } from '../../tile-cache/tile-writer.js';
import { tileKey } from '../../tile-cache/tile-writer.js';
import type { Coverage } from '../../tiling/coverage.js';
import { tileRange } from '../../../shared/tile-grid.js';
import { CoverageIndex, tileTouchesCoverage } from '../../tiling/tile-plan.js';

export interface ModeRule {
  mode: PreseedMode;
  olderThanMs: number | null;
  plannedAt: number;
  /** The output did not exist when this run began. */
  fresh: boolean;
}

export function keepsExisting(writtenAt: number, rule: ModeRule): boolean {
  if (writtenAt >= rule.plannedAt) return false;
  switch (rule.mode) {
    case 'resume':
      return true;
    case 'overwrite':
      return false;
    case 'refresh':
      return rule.olderThanMs === null || writtenAt >= rule.olderThanMs;
  }
}

/** The tiles of `tiles` to write; the others are kept as the output has them. */
export async function tilesToWrite(writer: TileWriter, tiles: TileToWrite[], rule: ModeRule): Promise<TileToWrite[]> {
  if (rule.fresh || rule.mode === 'overwrite') return tiles;
  const byZoom = new Map<number, TileToWrite[]>();
  for (const t of tiles) {
    const list = byZoom.get(t.z);
    if (list) list.push(t);
    else byZoom.set(t.z, [t]);
  }
  const out: TileToWrite[] = [];
  for (const [z, list] of byZoom) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const t of list) {
      minX = Math.min(minX, t.x);
      maxX = Math.max(maxX, t.x);
      minY = Math.min(minY, t.y);
      maxY = Math.max(maxY, t.y);
    }
    const written = await writer.writtenAt(z, minX, minY, maxX, maxY);
    for (const t of list) {
      const at = written.get(tileKey(t.x, t.y));
      if (at === undefined || !keepsExisting(at, rule)) out.push(t);
    }
  }
  return out;
}

/** What an overwrite job answers for: its zooms, within its bbox (or the world) and coverage. */
export interface JobScope {
  bbox: Bbox;
  minZoom: number;
  maxZoom: number;
  coverage?: Coverage;
}

const TIMESTAMP_MARGIN_MS = 2000;

/** Rows of tiles looked up at once: bounds the memory a zoom of a large output takes. */
const ROWS_PER_LOOKUP = 512;

/**
 * Overwrite mode, once every source is cut: a tile of the output inside the job's scope that the
 * job did not write is one the sources no longer put anything in (features deleted or moved away),
 * and left there it would still draw them. Such tiles are removed, so the scope holds exactly what
 * the job made; tiles outside it (other zooms, beyond the bbox or the coverage) stay as they were.
 * Returns how many were removed.
 */
export async function removeUnwrittenTiles(writer: TileWriter, scope: JobScope, plannedAt: number): Promise<number> {
  const coverage = scope.coverage ? new CoverageIndex(scope.coverage) : undefined;
  // "Written by this job" is a time comparison, and a tile wrongly taken for an old one would be
  // deleted: the threshold moves back by the output's clock lag (a file server's clock behind ours)
  // and by the coarsest timestamps file systems keep (FAT: 2 s). Erring this way keeps a stale tile
  // written in those seconds before the job, never removes one the job wrote.
  const lag = Math.min(0, (await writer.clockOffsetMs?.()) ?? 0);
  const threshold = plannedAt + lag - TIMESTAMP_MARGIN_MS;
  let removed = 0;
  for (let z = scope.minZoom; z <= scope.maxZoom; z++) {
    const range = tileRange(scope.bbox, z);
    for (let y0 = range.minY; y0 <= range.maxY; y0 += ROWS_PER_LOOKUP) {
      const written = await writer.writtenAt(z, range.minX, y0, range.maxX, Math.min(range.maxY, y0 + ROWS_PER_LOOKUP - 1));
      const stale: { z: number; x: number; y: number }[] = [];
      for (const [key, at] of written) {
        if (at >= threshold) continue;
        const [x, y] = key.split('/').map(Number) as [number, number];
        if (coverage && !tileTouchesCoverage(z, x, y, coverage)) continue;
        stale.push({ z, x, y });
      }
      if (stale.length > 0) await writer.remove(stale);
      removed += stale.length;
    }
  }
  return removed;
}
