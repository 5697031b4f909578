/**
 * What an ingest job stores per item and shares between its items: the plan's units and datasets
 * (IngestSpec), the session `begin` makes, and where a job's units are staged.
 */
import { join } from 'node:path';
import type { SerializedError, TesseraError } from '../../shared/errors.js';
import type { QuotaGuard } from '../disk/quota-guard.js';
import type { ItemContext } from '../kinds/job-kind.js';
import type { StoredItem } from '../store/job-store.js';
import type { PlannedUnit, StagedUnit } from './staging.js';
import { stagingRoot } from './uploads.js';
import type { VectorDraftWriter } from './vector-draft.js';

/** A dataset as the plan names it; its key is its draft's key. */
export interface PlannedDataset {
  key: string;
  kind: 'vector' | 'raster';
  relPath: string;
  subdataset?: string;
  name: string;
  /** Vector: its layers, in order (one item each). */
  layers: string[];
}

export type IngestSpec =
  | { step: 'stage'; unit: PlannedUnit; datasets: PlannedDataset[]; planError: SerializedError | null }
  | { step: 'vector'; unit: PlannedUnit; dataset: PlannedDataset; layer: string }
  | { step: 'raster'; unit: PlannedUnit; dataset: PlannedDataset };

export type StageSpec = Extract<IngestSpec, { step: 'stage' }>;
export type VectorSpec = Extract<IngestSpec, { step: 'vector' }>;
export type RasterSpec = Extract<IngestSpec, { step: 'raster' }>;
/** An item writing one dataset's draft (a vector layer or a raster). */
export type DatasetSpec = Exclude<IngestSpec, { step: 'stage' }>;

export interface IngestSession {
  guard: QuotaGuard;
  /** Vector datasets being written in this run (their handles stay open between layers), by key. */
  writers: Map<string, Promise<VectorDraftWriter>>;
  /** Units staged (or being staged) in this run, by unit index. */
  staged: Map<number, Promise<StagedUnit>>;
  /** Units whose stage item failed in this run: their datasets' items fail with the same reason. */
  stageFailures: Map<number, TesseraError>;
}

export type IngestItem = StoredItem<IngestSpec>;
export type IngestContext = ItemContext<IngestSession>;

/** The folder a job's units are staged in. */
export function jobStaging(dataDir: string, jobId: number): string {
  return join(stagingRoot(dataDir), `job-${jobId}`);
}
