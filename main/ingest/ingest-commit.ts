/**
 * The end of an ingest: its items grouped by dataset, and each dataset whose items all succeeded
 * (in this run or an earlier one) committed to the catalogue from its draft, described from its
 * items' results. Until then a draft waits in the catalogue's `.partial/` folder, so a failure or
 * a cancel leaves the catalogue as it was and a retry redoes only the items that failed.
 */
import { rm } from 'node:fs/promises';
import type { CatalogLayer } from '../../shared/contract.js';
import { type TesseraError, toTesseraError } from '../../shared/errors.js';
import { type DatasetDescription, unionBounds } from '../catalog/describe.js';
import type { KindEnvironment } from '../kinds/job-kind.js';
import { type IngestItem, type PlannedDataset, jobStaging } from './ingest-spec.js';
import type { PlannedUnit } from './staging.js';
import { isUploadRef } from './uploads.js';

interface DatasetGroup {
  dataset: PlannedDataset;
  unit: PlannedUnit;
  items: IngestItem[];
}

/**
 * Commits the datasets ready to be (none when the job was cancelled), discards drafts none of
 * whose items succeeded, and removes the job's staging folder. `unclosed` datasets are left alone.
 * Returns what failed to commit.
 */
export async function commitDatasets(
  jobId: number,
  outcome: { cancelled: boolean; items: readonly IngestItem[] },
  unclosed: ReadonlySet<string>,
  env: KindEnvironment,
): Promise<TesseraError[]> {
  const errors: TesseraError[] = [];
  try {
    for (const group of datasetGroups(outcome.items)) {
      if (unclosed.has(group.dataset.key)) continue;
      const draft = await env.catalog.openDraft({ jobId, key: group.dataset.key, kind: group.dataset.kind, name: group.dataset.name });
      const succeeded = group.items.filter((i) => i.state === 'succeeded');
      if (succeeded.length === 0) {
        await env.catalog.discardDraft(draft);
        continue;
      }
      // A cancel commits nothing; datasets with failed items wait for a retry in their drafts.
      if (outcome.cancelled || succeeded.length < group.items.length || !env.catalog.draftExists(draft)) continue;
      try {
        const dataset = await env.catalog.commit(draft, {
          name: group.dataset.name,
          jobId,
          source: { type: 'file', files: group.unit.files.map(sourceName) },
          description: descriptionOf(group),
        });
        env.logger.info(`job ${jobId}: ${dataset.name} is in the catalogue as dataset ${dataset.id}`);
      } catch (error) {
        errors.push(toTesseraError(error));
      }
    }
  } finally {
    await rm(jobStaging(env.dataDir, jobId), { recursive: true, force: true });
  }
  return errors;
}

function sourceName(file: PlannedUnit['files'][number]): string {
  return isUploadRef(file.ref) ? `${file.name} (uploaded)` : file.path;
}

function datasetGroups(items: readonly IngestItem[]): DatasetGroup[] {
  const groups = new Map<string, DatasetGroup>();
  for (const item of items) {
    const spec = item.spec;
    if (spec.step === 'stage') continue;
    const group = groups.get(spec.dataset.key) ?? { dataset: spec.dataset, unit: spec.unit, items: [] };
    group.items.push(item);
    groups.set(spec.dataset.key, group);
  }
  return [...groups.values()];
}

/** The dataset as its items' results found it, so committing does not read it all again. */
function descriptionOf(group: DatasetGroup): DatasetDescription | undefined {
  if (group.dataset.kind === 'raster') {
    const result = group.items[0]?.result as { raster?: DatasetDescription['raster']; bounds?: DatasetDescription['bounds'] } | null;
    return result?.raster ? { kind: 'raster', layers: [], raster: result.raster, bounds: result.bounds ?? null } : undefined;
  }
  const layers = group.items.map((i) => (i.result as { layer?: CatalogLayer } | null)?.layer);
  if (layers.some((l) => l === undefined)) return undefined;
  const present = layers as CatalogLayer[];
  return { kind: 'vector', layers: present, raster: null, bounds: unionBounds(present.map((l) => l.bounds)) };
}
