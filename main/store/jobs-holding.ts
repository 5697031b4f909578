/**
 * Which jobs hold a path: the in-use checks of the catalogue (a dataset folder a job reads or
 * writes) and of upload clean-up (an upload an ingest may still stage). Paths are read through
 * each kind's contract (`pathsOf`), never by searching the params' JSON text, where a folder name
 * that is a prefix of another, or a path escaped differently, would be mistaken.
 */
import type { JobState } from '../../shared/contract.js';
import { pathsOf } from '../../shared/kinds/index.js';
import type { Db } from './database.js';
import { kindedParams } from './job-rows.js';

export interface HoldingQuery {
  /** Jobs in these states hold their paths. */
  states: readonly JobState[];
  /** And jobs in these states that finished after `since` (a failed ingest may be retried for a while). */
  recent?: { states: readonly JobState[]; since: string };
}

/** The id of the first job (lowest id) that `query` selects and one of whose paths `holds` accepts; null when none does. */
export function jobHolding(db: Db, query: HoldingQuery, holds: (path: string) => boolean): number | null {
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const recent = query.recent;
  const sql = `SELECT id, kind, params FROM jobs WHERE state IN (${marks(query.states.length)})${recent ? ` OR (state IN (${marks(recent.states.length)}) AND (finished_at IS NULL OR finished_at > ?))` : ''} ORDER BY id`;
  const args = recent ? [...query.states, ...recent.states, recent.since] : [...query.states];
  for (const row of db.prepare(sql).iterate(...args) as Iterable<{ id: number; kind: string; params: string }>) {
    const job = kindedParams(row.kind, row.params);
    if (pathsOf(job).some((use) => holds(use.path))) return row.id;
  }
  return null;
}
