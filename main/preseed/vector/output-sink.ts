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
import type { PreseedMode } from '../../../preload/contract.js';
import type { TileToWrite, TileWriter } from '../../tile-cache/tile-writer.js';
import { tileKey } from '../../tile-cache/tile-writer.js';

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
