/**
 * What a job produced and where, per kind: the tile cache it wrote or checked, the datasets it
 * made in the catalogue, and where each item's work lies on the map (its footprint). The reports
 * draw these; nothing here reads a file.
 *
 * One typed function per kind, picked by an exhaustive switch, so a new kind cannot be forgotten
 * and no consumer guesses at params (the architecture issue moves each function into its kind's
 * plug-in as an `outputs` hook; until then they live together here).
 */
import type { z } from 'zod';
import type { Bbox, CatalogDataset, JobItem, JobKind, JobStartInput, JobSummary } from '../../shared/contract.js';
import { MAX_LATITUDE, unionBbox } from '../../shared/tile-grid.js';
import { assertNever } from '../../shared/assert-never.js';

/** A job's kind with its own params type: what JobSummary does not yet tie together. */
export type KindedJob = { [K in JobKind]: { kind: K; params: Extract<z.output<typeof JobStartInput>, { kind: K }>['params'] } }[JobKind];

/**
 * The job's params typed by its kind. The store accepts only params that passed the kind's own
 * schema at jobs.start, so the pair is consistent; this is the one place that says so.
 */
export function kindedJob(job: Pick<JobSummary, 'kind' | 'params'>): KindedJob {
  return { kind: job.kind, params: job.params } as KindedJob;
}

/** Where one item's work lies: a dataset's or a source's part of the output (WGS84). */
export interface Footprint {
  label: string;
  bounds: Bbox;
}

export interface JobOutputs {
  /** What the job wrote or checked, for a report's summary ("the tile cache /a/b.mbtiles"). */
  produced: string;
  /**
   * The tile cache whose own bounds are the job's extent (a preseed's output, a verified cache),
   * and what to call it in a sentence ("the output", "the cache"); null for kinds that make datasets.
   */
  cache: { path: string; role: 'output' | 'cache' } | null;
  /** WGS84 bounds of what the job made when it is not a tile cache: its datasets together. */
  bounds: Bbox | null;
  /** Each item's footprint, in item order; items that found nothing with a place have none. */
  footprints: Footprint[];
  /** Why `bounds` is null when there is no cache (a sentence fragment). */
  unknownBecause: string;
}

/**
 * What `job` produced and where, from its items' results and the catalogue's datasets it made
 * (`datasets`: null when the catalogue was not read, as from a CLI without an engine).
 */
export function jobOutputs(job: KindedJob, items: readonly JobItem[], datasets: readonly CatalogDataset[] | null): JobOutputs {
  switch (job.kind) {
    case 'verify':
      return { produced: `the tile cache ${job.params.cache}`, cache: { path: job.params.cache, role: 'cache' }, bounds: null, footprints: [], unknownBecause: '' };
    case 'preseed-raster':
      return preseedOutputs(job.params.output, rasterFootprints(items));
    case 'preseed-vector':
      return preseedOutputs(job.params.output, vectorFootprints(items, job.params.bbox));
    case 'ingest':
      return datasetOutputs(datasets, ingestFootprints(items));
    case 'migrate-esri':
      return datasetOutputs(datasets, (datasets ?? []).flatMap((d) => d.layers.flatMap((l) => (l.bounds ? [{ label: l.name, bounds: l.bounds }] : []))));
    default:
      return assertNever(job);
  }
}

function preseedOutputs(output: string, footprints: Footprint[]): JobOutputs {
  return { produced: `the tile cache ${output}`, cache: { path: output, role: 'output' }, bounds: null, footprints, unknownBecause: '' };
}

function datasetOutputs(datasets: readonly CatalogDataset[] | null, footprints: Footprint[]): JobOutputs {
  const placed = (datasets ?? []).flatMap((d) => (d.bounds ? [d.bounds] : []));
  const bounds = placed.length > 0 ? placed.reduce(unionBbox) : footprints.length > 0 ? footprints.map((f) => f.bounds).reduce(unionBbox) : null;
  const names = (datasets ?? []).map((d) => `${d.name} (#${d.id})`);
  return {
    produced: datasets === null ? 'datasets in the catalogue (not read for this report)' : names.length === 0 ? 'no dataset in the catalogue' : `${names.length === 1 ? 'the dataset' : `${names.length} datasets:`} ${names.join(', ')} in the catalogue`,
    cache: null,
    bounds,
    footprints,
    unknownBecause: datasets === null ? 'the catalogue was not read and no item found a place' : datasets.length === 0 ? 'the job made no dataset that is in the catalogue' : 'nothing the job made has a known place',
  };
}

/** preseed-raster: each dataset's part of the output (its extent ∩ bbox ∩ coverage), as its item rendered it. */
function rasterFootprints(items: readonly JobItem[]): Footprint[] {
  return items.flatMap((i) => {
    const b = bboxOf(i.result?.bounds);
    return b ? [{ label: i.label, bounds: b }] : [];
  });
}

/** preseed-vector: the union of each source's tiled layers, within the bbox and Web Mercator's latitudes. */
function vectorFootprints(items: readonly JobItem[], bbox: Bbox | undefined): Footprint[] {
  return items.flatMap((i) => {
    const layers = Array.isArray(i.result?.layers) ? (i.result.layers as unknown[]) : [];
    let b: Bbox | null = null;
    for (const layer of layers) {
      const lb = layer !== null && typeof layer === 'object' && 'bounds' in layer ? bboxOf(layer.bounds) : null;
      if (lb) b = b ? unionBbox(b, lb) : lb;
    }
    const clipped = b && clip(b, bbox ?? [-180, -MAX_LATITUDE, 180, MAX_LATITUDE]);
    return clipped ? [{ label: i.label, bounds: clipped }] : [];
  });
}

/** ingest: a raster's bounds, or the layer a vector item imported. */
function ingestFootprints(items: readonly JobItem[]): Footprint[] {
  return items.flatMap((i) => {
    const layer = i.result?.layer;
    const b = bboxOf(i.result?.bounds) ?? (layer !== null && typeof layer === 'object' && 'bounds' in layer ? bboxOf(layer.bounds) : null);
    return b ? [{ label: i.label, bounds: b }] : [];
  });
}

/** `b` within `limit`, kept when it has no area (a single point still has a place); null when outside. */
function clip(b: Bbox, limit: Bbox): Bbox | null {
  const out: Bbox = [Math.max(b[0], limit[0]), Math.max(b[1], Math.max(limit[1], -MAX_LATITUDE)), Math.min(b[2], limit[2]), Math.min(b[3], Math.min(limit[3], MAX_LATITUDE))];
  return out[0] <= out[2] && out[1] <= out[3] ? out : null;
}

/** A WGS84 bbox read from an item's stored result (JSON): four finite numbers in range, else null. */
export function bboxOf(value: unknown): Bbox | null {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const [w, s, e, n] = value as Bbox;
  return Math.abs(w) <= 180 && Math.abs(e) <= 180 && s >= -90 && n <= 90 && s <= n ? [w, s, e, n] : null;
}
