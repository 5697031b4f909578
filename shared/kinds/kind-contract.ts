/**
 * What every process knows about a job kind: its params schema and the pure facts its params and
 * items say (which paths it reads and writes, the tile cache it is about, whether it makes
 * catalogue datasets, where its items' work lies). The renderer, the reports, the path policy,
 * the catalogue and upload clean-up ask these instead of guessing at params.
 *
 * The engine's side of a kind (planning, running items) is its plug-in in main/; this is the part
 * that may be imported anywhere: plain functions of plain data, no I/O.
 */
import type { z } from 'zod';
import type { Bbox } from './fields.js';
import type { JobItem } from '../contract.js';
import type { ProgressUnit } from '../format.js';

/** One path a job's params name: the field it came in (`params.datasets.1`), the path, and what the job does with it. */
export interface PathUse {
  field: string;
  path: string;
  access: 'read' | 'write';
}

/** Where one item's work lies: a dataset's or a source's part of the output (WGS84). */
export interface Footprint {
  label: string;
  bounds: Bbox;
}

/** The tile cache a job is about: the output a preseed writes, or the cache a verify reads. */
export interface JobCache {
  path: string;
  role: 'output' | 'cache';
}

export interface KindContract<S extends z.ZodType> {
  /** Validates the params of jobs.start and jobs.estimate; its output type is the kind's params. */
  params: S;
  /** Every path the params name, read or written (a URL or a name is not a path). */
  paths(params: z.output<S>): PathUse[];
  /** The tile cache the job is about; null for kinds that make catalogue datasets. */
  cache(params: z.output<S>): JobCache | null;
  /** Whether a finished job of this kind has added datasets to the catalogue. */
  makesDatasets: boolean;
  /** What its progress counts (done, total, rate), so reports and screens name it. */
  unit: ProgressUnit;
  /** Where each finished item's work lies, read from its stored result; items without a place have none. */
  footprints(params: z.output<S>, items: readonly JobItem[]): Footprint[];
  /**
   * Params a retry may change (jobs.retry's `params`): only those the items read when they run,
   * never what the plan was made from, since a retry does not plan again. None when absent.
   */
  retryParams?: readonly (keyof z.output<S> & string)[];
}

/** Declares a kind's contract, keeping its params type (the identity, for inference). */
export function kindContract<S extends z.ZodType>(contract: KindContract<S>): KindContract<S> {
  return contract;
}

/** `params.<field>.<i>` uses for a list of paths. */
export function pathList(field: string, paths: readonly string[], access: PathUse['access']): PathUse[] {
  return paths.map((path, i) => ({ field: `params.${field}.${i}`, path, access }));
}
