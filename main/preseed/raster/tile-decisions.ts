/**
 * What to do with each tile of a block, given what the output already holds (the modes).
 *
 * A tile written at or after the job was planned was written by this job: by an earlier dataset
 * (several datasets in one job make one mosaic) or by this one before an interruption. It is
 * composed: the new rendering goes over it, so datasets that share a tile along their edges both
 * show in it, and where they overlap the later dataset wins. Anything older belongs to the output
 * as it was before the job, and the mode decides.
 */
import type { PreseedMode } from '../../../shared/contract.js';

/** keep: leave as it is; make: render, nothing there; replace: render over an older tile; compose: render over this job's tile. */
export type TileAction = 'keep' | 'make' | 'replace' | 'compose';

export interface ModeRule {
  mode: PreseedMode;
  /** refresh: tiles written before this instant (ms) are made again. */
  olderThanMs: number | null;
  /** When the job was planned (ms): tiles written since are this job's. */
  plannedAt: number;
  /**
   * When the item itself started (ms; its items run one at a time): tiles written since are its
   * own, finished renderings written just before a crash cut its checkpoint short. Composing
   * over them again would only redo the work and, where pixels are half transparent, darken them.
   */
  ownSince?: number;
}

export function decideTile(writtenAt: number | undefined, rule: ModeRule): TileAction {
  if (writtenAt === undefined) return 'make';
  if (rule.ownSince !== undefined && writtenAt >= rule.ownSince) return 'keep';
  if (writtenAt >= rule.plannedAt) return 'compose';
  switch (rule.mode) {
    case 'resume':
      return 'keep';
    case 'overwrite':
      return 'replace';
    case 'refresh':
      return rule.olderThanMs !== null && writtenAt < rule.olderThanMs ? 'replace' : 'keep';
  }
}
