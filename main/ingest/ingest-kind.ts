/**
 * ingest: dropped files into the local catalogue.
 *
 * Items: per unit (a file with its side files, or an archive) one `stage` item that copies it into
 * the staging area under the job's quotas, unpacks it and finds its datasets; then one item per
 * vector layer and one per raster, each writing into its dataset's catalogue draft. The plan looks
 * at the sources where they are (archives through /vsizip/ once their directory passed the checks);
 * a unit the plan cannot read gets its stage item only, which fails with the reason when it runs.
 *
 * A dataset is committed to the catalogue by `end` once every item of it has succeeded (in this run
 * or an earlier one): until then its draft waits in the catalogue's `.partial/` folder, so a failure
 * or a cancel leaves the catalogue as it was, and a retry redoes only the items that failed.
 *
 * Here: the plug-in and its plan. Beside it: what items store and share (ingest-spec.ts), the stage
 * items (ingest-stage-item.ts), the vector and raster items (ingest-draft-items.ts), the commit of
 * `end` (ingest-commit.ts) and the staging area's housekeeping (ingest-staging-sweep.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type SerializedError, TesseraError, serializeError, throwIfAborted, toTesseraError } from '../../shared/errors.js';
import { QuotaGuard } from '../disk/quota-guard.js';
import { crsIssues } from '../gdal/crs-issues.js';
import type { JobKindPlugin } from '../kinds/job-kind.js';
import { innerName } from './gzip-file.js';
import { commitDatasets } from './ingest-commit.js';
import { closeWriter, rasterItem, vectorItem } from './ingest-draft-items.js';
import type { IngestSession, IngestSpec, PlannedDataset } from './ingest-spec.js';
import { stageItem, stagingShare } from './ingest-stage-item.js';
import { sweepIngestStaging } from './ingest-staging-sweep.js';
import { type InputFile, groupInputs, localFile } from './inputs.js';
import type { FoundDataset } from './inspect.js';
import { fileIdentity, forgetPlanned } from './planned-sources.js';
import { type PlannedUnit, discoverInPlace, headOf, withSidecarsBeside } from './staging.js';
import { isUploadRef, removeUpload, resolveUpload } from './uploads.js';

/** The engine runs the staging area's housekeeping too (at start and on a timer). */
export { sweepIngestStaging } from './ingest-staging-sweep.js';

export const ingestKind: JobKindPlugin<'ingest', IngestSpec, object, IngestSession> = {
  kind: 'ingest',
  itemConcurrency: 1,

  describe(params) {
    // An upload's name is in its folder, which describe() cannot see: the console names such jobs.
    const first = params.files[0]!;
    const name = isUploadRef(first) ? 'an uploaded file' : first.split(/[\\/]/).at(-1)!;
    return `ingest ${name}${params.files.length > 1 ? ` and ${params.files.length - 1} more` : ''}`;
  },

  async validate(params, env) {
    const issues: { field: string; message: string }[] = [];
    for (const [i, ref] of params.files.entries()) {
      if (isUploadRef(ref)) {
        try {
          resolveUpload(ref, env.dataDir);
        } catch (error) {
          issues.push({ field: `params.files.${i}`, message: toTesseraError(error).message });
        }
        continue;
      }
      const info = await stat(resolve(ref)).catch(() => null);
      if (info === null) issues.push({ field: `params.files.${i}`, message: `no such file: ${ref}` });
      else if (!info.isFile()) issues.push({ field: `params.files.${i}`, message: `not a file: ${ref}` });
    }
    issues.push(...(await crsIssues(params, ['assignCrs', 'targetCrs'])));
    if (issues.length) throw new TesseraError('BAD_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
  },

  // A retry may give a CRS (retryParams): GDAL must know it; the files were checked at the start.
  async validateRetry(params, changed) {
    const issues = await crsIssues(
      params,
      (['assignCrs', 'targetCrs'] as const).filter((f) => changed.includes(f)),
    );
    if (issues.length) throw new TesseraError('BAD_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
  },

  async plan(params, signal, env) {
    // A Shapefile named alone brings its .shx/.dbf/.prj/.cpg… from beside it.
    const files = await withSidecarsBeside(params.files.map((ref) => inputFile(ref, env.dataDir)));
    const heads = new Map<string, Uint8Array | null>();
    for (const file of files) heads.set(file.path, await headOf(file.path));
    const items: { label: string; spec: IngestSpec; total: number }[] = [];
    for (const [index, group] of groupInputs(files, heads).entries()) {
      throwIfAborted(signal);
      const sizes = await Promise.all(
        group.files.map((f) =>
          stat(f.path).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      const unit: PlannedUnit = {
        index,
        name: group.name,
        archive: group.archive,
        files: group.files.map(({ ref, path, name }) => ({ ref, path, name })),
        bytes: sizes.reduce((a, b) => a + b, 0),
      };
      let found: FoundDataset[] = [];
      let planError: SerializedError | null = null;
      try {
        found = (await discoverInPlace(unit)).datasets;
      } catch (error) {
        planError = serializeError(error);
      }
      const datasets: PlannedDataset[] = found.map((d, i) => ({
        key: `u${index}-d${i}`,
        kind: d.kind,
        relPath: d.relPath,
        ...(d.subdataset === undefined ? {} : { subdataset: d.subdataset }),
        name: d.name,
        layers: d.layers.map((l) => l.name),
      }));
      // A unit's bytes are counted once across the job: half as they are staged, half as they are
      // imported (per dataset, per layer by its features), so a 3.7 MiB file reads "3.7 MiB / 3.7 MiB"
      // at the end, not twice that, and the bar moves through both phases.
      // A unit with no dataset found (a lone .shp, an unreadable file) has no import to count the
      // other half: its stage item counts all its bytes, so the bar ends at the file's size.
      const staging = datasets.length > 0 ? stagingShare(unit.bytes) : Math.max(1, unit.bytes);
      items.push({ label: unit.name, spec: { step: 'stage', unit, datasets, planError }, total: staging });
      const share = Math.max(1, Math.round((unit.bytes - staging) / Math.max(1, found.length)));
      for (const [i, dataset] of datasets.entries()) {
        const prefix = datasets.length > 1 || dataset.name !== stem(innerName(unit.name)) ? `${unit.name} › ${dataset.relPath.replace(/^x\//, '')}` : unit.name;
        if (dataset.kind === 'raster') {
          items.push({
            label: dataset.subdataset ? `${prefix} › ${dataset.name}` : `${prefix} › raster`,
            spec: { step: 'raster', unit, dataset },
            total: share,
          });
          continue;
        }
        const counts = found[i]!.layers.map((l) => Math.max(1, l.features));
        const all = counts.reduce((a, b) => a + b, 0);
        for (const [l, layer] of dataset.layers.entries()) {
          items.push({
            label: `${prefix} › ${layer}`,
            spec: { step: 'vector', unit, dataset, layer },
            total: Math.max(1, Math.round((share * counts[l]!) / all)),
          });
        }
      }
    }
    return items;
  },

  async begin(params, env) {
    const settings = env.settings();
    // Staging folders of jobs no longer running (a crash, an engine stopped mid-job), and uploads
    // nobody finished or used.
    await sweepIngestStaging(env, { jobFolders: 'not-running' });
    const session: IngestSession = {
      guard: new QuotaGuard(
        { jobLimit: params.quotaBytes ?? settings.ingestJobQuotaBytes, globalLimit: settings.cacheQuotaBytes, floorBytes: settings.freeSpaceFloorBytes },
        { dataDir: env.dataDir, volumePath: env.dataDir },
      ),
      staged: new Map(),
      stageFailures: new Map(),
      writers: new Map(),
    };
    return session;
  },

  jobQuota(_params, session) {
    const guard = session?.guard;
    return guard && guard.limits.jobLimit !== null ? { limitBytes: guard.limits.jobLimit, usedBytes: guard.used } : null;
  },

  async runItem(params, item, context) {
    const spec = item.spec;
    switch (spec.step) {
      case 'stage':
        return stageItem(spec, item, context);
      case 'vector':
        return vectorItem(params, spec, item, context);
      case 'raster':
        return rasterItem(params, spec, item, context);
    }
  },

  async end(params, session, outcome, env) {
    const jobId = outcome.items[0]?.jobId;
    const errors: TesseraError[] = [];
    // Datasets left half-way (a cancel, a failure): their GeoPackages are closed for a retry. One
    // that cannot be closed is not committed; the others are.
    const unclosed = new Set<string>();
    for (const key of [...session.writers.keys()]) {
      await closeWriter(session, key).catch((error: unknown) => {
        unclosed.add(key);
        errors.push(toTesseraError(error));
      });
    }
    // Handles the plan kept for imports that did not run (a failed stage, a cancel) are closed now.
    for (const ref of params.files) {
      const identity = await fileIdentity(inputFile(ref, env.dataDir).path);
      if (identity !== null) forgetPlanned(identity);
    }
    if (jobId === undefined) return;
    errors.push(...(await commitDatasets(jobId, outcome, unclosed, env)));
    const everything = !outcome.cancelled && errors.length === 0 && outcome.items.every((i) => i.state === 'succeeded');
    if (everything) for (const ref of params.files.filter(isUploadRef)) await removeUpload(ref, env.dataDir);
    if (errors[0]) throw new TesseraError(errors[0].code, `recording the imported datasets failed: ${errors[0].message}`, { details: errors[0].details });
    if (!outcome.cancelled) throwIfNothingMade(outcome.items);
  },
};

function inputFile(ref: string, dataDir: string): InputFile {
  if (!isUploadRef(ref)) return localFile(resolve(ref));
  try {
    const upload = resolveUpload(ref, dataDir);
    return { ref, path: upload.file, name: upload.name, folder: 'uploads' };
  } catch {
    // Gone since the job was accepted: its stage item fails with the reason.
    return { ref, path: ref, name: ref, folder: 'uploads' };
  }
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * A run that made no dataset failed, whatever its stage items did: staging a file is not a
 * product, so "1 of 2 succeeded" with nothing in the catalogue would read as a partial success.
 * The job fails with its first failed item's error (code and words), said as what happened.
 */
function throwIfNothingMade(items: readonly { state: string; spec: { step: string }; error: SerializedError | null }[]): void {
  if (items.some((i) => i.spec.step !== 'stage' && i.state === 'succeeded')) return;
  const first = items.find((i) => i.state === 'failed');
  if (!first?.error) return;
  const failed = items.filter((i) => i.state === 'failed').length;
  throw new TesseraError(first.error.code, `made no dataset: ${failed} of ${items.length} item(s) failed; first: ${first.error.message}`, {
    details: { failedItems: failed, datasetsMade: 0 },
  });
}
