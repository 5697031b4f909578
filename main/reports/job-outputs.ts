/**
 * What a job produced and where, per kind: the tile cache it wrote or checked, the datasets it
 * made in the catalogue, and where each item's work lies on the map (its footprint). The reports
 * draw these; nothing here reads a file.
 *
 * Each kind's contract (shared/kinds/) says which cache a job is about and where its items' work
 * lies; this puts those facts together for the reports, and no consumer guesses at params.
 */
import { type Bbox, type CatalogDataset, type Footprint, type JobItem, type KindedParams, cacheOf, footprintsOf } from '../../shared/contract.js';
import { unionBbox } from '../../shared/tile-grid.js';

export type { Footprint };

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
export function jobOutputs(job: KindedParams, items: readonly JobItem[], datasets: readonly CatalogDataset[] | null): JobOutputs {
  const footprints = footprintsOf(job, items);
  const cache = cacheOf(job);
  if (cache !== null) return { produced: `the tile cache ${cache.path}`, cache, bounds: null, footprints, unknownBecause: '' };
  // A kind that makes datasets: where they lie is the catalogue's knowledge, its items' when it has none.
  const layerFootprints = (datasets ?? []).flatMap((d) => d.layers.flatMap((l) => (l.bounds ? [{ label: l.name, bounds: l.bounds }] : [])));
  return datasetOutputs(datasets, footprints.length > 0 ? footprints : layerFootprints);
}

function datasetOutputs(datasets: readonly CatalogDataset[] | null, footprints: Footprint[]): JobOutputs {
  const placed = (datasets ?? []).flatMap((d) => (d.bounds ? [d.bounds] : []));
  const bounds = placed.length > 0 ? placed.reduce(unionBbox) : footprints.length > 0 ? footprints.map((f) => f.bounds).reduce(unionBbox) : null;
  const names = (datasets ?? []).map((d) => `${d.name} (#${d.id})`);
  return {
    produced:
      datasets === null
        ? 'datasets in the catalogue (not read for this report)'
        : names.length === 0
          ? 'no dataset in the catalogue'
          : `${names.length === 1 ? 'the dataset' : `${names.length} datasets:`} ${names.join(', ')} in the catalogue`,
    cache: null,
    bounds,
    footprints,
    unknownBecause:
      datasets === null
        ? 'the catalogue was not read and no item found a place'
        : datasets.length === 0
          ? 'the job made no dataset that is in the catalogue'
          : 'nothing the job made has a known place',
  };
}
