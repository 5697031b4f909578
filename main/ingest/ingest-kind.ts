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
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import gdal from 'gdal-async';
import type { CatalogLayer, IngestParams } from '../../shared/contract.js';
import { type SerializedError, TesseraError, serializeError, throwIfAborted, toTesseraError } from '../../shared/errors.js';
import type { DatasetDraft } from '../catalog/catalog.js';
import { type DatasetDescription, describeDataset, unionBounds } from '../catalog/describe.js';
import { geopackageLayerNames } from '../gdal/translate-layer.js';
import { importRaster } from './import-dataset.js';
import { VectorDraftWriter } from './vector-draft.js';
import { refused } from './ingest-errors.js';
import { type InputFile, groupInputs, localFile } from './inputs.js';
import { type FoundDataset, gdalPathOf } from './inspect.js';
import { QuotaGuard } from '../disk/quota-guard.js';
import { innerName } from './gzip-file.js';
import { type PlannedUnit, type StagedUnit, discoverInPlace, headOf, stageUnit, unitDir, withSidecarsBeside } from './staging.js';
import { isUploadRef, removeUpload, resolveUpload, stagingRoot, sweepUploads, uploadInUse } from './uploads.js';
import type { StoredItem } from '../store/job-store.js';
import type { ItemContext, JobKindPlugin, KindEnvironment } from '../kinds/job-kind.js';

/** A dataset as the plan names it; its key is its draft's key. */
interface PlannedDataset {
  key: string;
  kind: 'vector' | 'raster';
  relPath: string;
  subdataset?: string;
  name: string;
  /** Vector: its layers, in order (one item each). */
  layers: string[];
}

type IngestSpec =
  | { step: 'stage'; unit: PlannedUnit; datasets: PlannedDataset[]; planError: SerializedError | null }
  | { step: 'vector'; unit: PlannedUnit; dataset: PlannedDataset; layer: string }
  | { step: 'raster'; unit: PlannedUnit; dataset: PlannedDataset };

interface Session {
  guard: QuotaGuard;
  /** Vector datasets being written in this run (their handles stay open between layers), by key. */
  writers: Map<string, Promise<VectorDraftWriter>>;
  /** Units staged (or being staged) in this run, by unit index. */
  staged: Map<number, Promise<StagedUnit>>;
  /** Units whose stage item failed in this run: their datasets' items fail with the same reason. */
  stageFailures: Map<number, TesseraError>;
}

/** Incomplete uploads idle this long, and complete ones unused this long, are removed. */
const UPLOAD_IDLE_MS = 3600_000;
const UPLOAD_MAX_AGE_MS = 24 * 3600_000;

export const ingestKind: JobKindPlugin<'ingest', IngestSpec, object, Session> = {
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
    for (const field of ['assignCrs', 'targetCrs'] as const) {
      const value = params[field];
      if (value === undefined) continue;
      try {
        await gdal.SpatialReference.fromUserInputAsync(value);
      } catch {
        issues.push({ field: `params.${field}`, message: `GDAL does not know the CRS ${JSON.stringify(value.slice(0, 100))} (try EPSG:4326)` });
      }
    }
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
      items.push({ label: unit.name, spec: { step: 'stage', unit, datasets, planError }, total: Math.max(1, unit.bytes) });
      const share = Math.max(1, Math.round(unit.bytes / Math.max(1, found.length)));
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
        dataset.layers.forEach((layer, l) =>
          items.push({
            label: `${prefix} › ${layer}`,
            spec: { step: 'vector', unit, dataset, layer },
            total: Math.max(1, Math.round((share * counts[l]!) / all)),
          }),
        );
      }
    }
    return items;
  },

  async begin(params, env) {
    const settings = env.settings();
    await sweepStaging(env);
    const session: Session = {
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
    const session = context.session;
    switch (spec.step) {
      case 'stage':
        return stageItem(spec, item, context, session);
      case 'vector':
        return vectorItem(params, spec, item, context, session);
      case 'raster':
        return rasterItem(params, spec, item, context, session);
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
    if (jobId === undefined) return;
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
    const everything = !outcome.cancelled && errors.length === 0 && outcome.items.every((i) => i.state === 'succeeded');
    if (everything) for (const ref of params.files.filter(isUploadRef)) await removeUpload(ref, env.dataDir);
    if (errors[0]) throw new TesseraError(errors[0].code, `recording the imported datasets failed: ${errors[0].message}`, { details: errors[0].details });
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

function sourceName(file: PlannedUnit['files'][number]): string {
  return isUploadRef(file.ref) ? `${file.name} (uploaded)` : file.path;
}

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function jobStaging(dataDir: string, jobId: number): string {
  return join(stagingRoot(dataDir), `job-${jobId}`);
}

async function stageItem(
  spec: Extract<IngestSpec, { step: 'stage' }>,
  item: StoredItem,
  context: ItemContext,
  session: Session,
): Promise<Record<string, unknown>> {
  const dir = unitDir(jobStaging(context.dataDir, item.jobId), spec.unit.index);
  let done = 0;
  const staging = stageUnit(spec.unit, dir, {
    guard: session.guard,
    signal: context.signal,
    onBytes: (n) => {
      const step = Math.min(n, Math.max(0, item.total - done));
      done += step;
      context.progress({ done: step, bytes: n });
    },
  });
  session.staged.set(spec.unit.index, staging);
  session.stageFailures.delete(spec.unit.index);
  let staged: StagedUnit;
  try {
    staged = await staging;
  } catch (error) {
    session.staged.delete(spec.unit.index);
    const failure = toTesseraError(error);
    session.stageFailures.set(spec.unit.index, failure);
    throw failure;
  }
  context.progress({ done: Math.max(0, item.total - done) });
  const planned = new Set(spec.datasets.map(datasetId));
  const unplanned = staged.datasets.filter((d) => !planned.has(datasetId(d))).map((d) => d.relPath);
  if (unplanned.length > 0)
    context.event(
      'ingest.unplanned',
      `${spec.unit.name}: ${unplanned.length} dataset(s) appeared only once it was staged and are not imported: ${unplanned.join(', ')}`,
      { unplanned },
    );
  for (const s of staged.skipped) context.event('ingest.skipped', `${spec.unit.name}: skipped ${s.file}: ${s.reason}`, s);
  return {
    bytes: staged.bytes,
    datasets: staged.datasets.map((d) => ({ name: d.name, kind: d.kind, file: d.relPath.replace(/^x\//, ''), layers: d.layers.map((l) => l.name) })),
    skipped: staged.skipped,
  };
}

function datasetId(d: { relPath: string; subdataset?: string | undefined }): string {
  return `${d.relPath}\u0000${d.subdataset ?? ''}`;
}

/** The staged unit, staged again when this run has not (a retry of a layer whose stage succeeded before). */
async function stagedUnit(spec: Exclude<IngestSpec, { step: 'stage' }>, item: StoredItem, context: ItemContext, session: Session): Promise<StagedUnit> {
  const failed = session.stageFailures.get(spec.unit.index);
  if (failed) {
    // The file is named once: the item's label says it already.
    const why = failed.message.startsWith(`${spec.unit.name}: `) ? failed.message.slice(spec.unit.name.length + 2) : failed.message;
    throw new TesseraError(failed.code, `${item.label}: not imported, because ${why}`, { details: failed.details });
  }
  let staging = session.staged.get(spec.unit.index);
  if (!staging) {
    staging = stageUnit(spec.unit, unitDir(jobStaging(context.dataDir, item.jobId), spec.unit.index), {
      guard: session.guard,
      signal: context.signal,
      onBytes: (n) => context.progress({ bytes: n }),
    });
    session.staged.set(spec.unit.index, staging);
    staging.catch(() => session.staged.delete(spec.unit.index));
  }
  const staged = await staging;
  const found = staged.datasets.find((d) => datasetId(d) === datasetId(spec.dataset));
  if (!found) throw refused('layer-missing', `${item.label}: ${spec.dataset.relPath.replace(/^x\//, '')} is no longer in ${spec.unit.name}`);
  return staged;
}

/** Runs an import into the dataset's draft under the quota: admitted first, the growth counted after. */
async function intoDraft<T>(
  spec: Exclude<IngestSpec, { step: 'stage' }>,
  item: StoredItem,
  context: ItemContext,
  session: Session,
  write: (draft: DatasetDraft, onProgress: (f: number) => void) => Promise<T>,
): Promise<{ draft: DatasetDraft; value: T }> {
  throwIfAborted(context.signal);
  const draft = await context.catalog.openDraft({ jobId: item.jobId, key: spec.dataset.key, kind: spec.dataset.kind, name: spec.dataset.name });
  // The import's size is not known before it is written: the source's share stands in for it.
  await session.guard.admit(item.label, item.total);
  const before = await fileSize(draft.file);
  let reported = 0;
  const onProgress = (fraction: number) => {
    const target = Math.floor(fraction * item.total);
    if (target > reported) {
      context.progress({ done: target - reported });
      reported = target;
    }
  };
  const value = await write(draft, onProgress);
  const grown = Math.max(0, (await fileSize(draft.file)) - before);
  context.progress({ done: Math.max(0, item.total - reported), bytes: grown });
  await session.guard.wrote(item.label, grown);
  return { draft, value };
}

async function vectorItem(
  params: IngestParams,
  spec: Extract<IngestSpec, { step: 'vector' }>,
  item: StoredItem,
  context: ItemContext,
  session: Session,
): Promise<Record<string, unknown>> {
  const staged = await stagedUnit(spec, item, context, session);
  const key = spec.dataset.key;
  const layers = spec.dataset.layers;
  const last = layers.indexOf(spec.layer) >= layers.length - 1;
  try {
    const { value } = await intoDraft(spec, item, context, session, async (d, onProgress) => {
      const writer = await writerFor(session, spec, gdalPathOf(spec.dataset, staged.dir), d, item.label);
      // GeoPackage refuses some names ("-x", "$x", "gpkg_x"): those layers get one it takes.
      const targetLayer = geopackageLayerNames(layers).get(spec.layer) ?? spec.layer;
      const written = await writer.write({
        layer: spec.layer,
        targetLayer,
        label: item.label,
        onProgress,
        ...(params.assignCrs ? { assignCrs: params.assignCrs } : {}),
        ...(params.targetCrs ? { targetCrs: params.targetCrs } : {}),
      });
      // The dataset's last layer: the spatial indexes are built now, inside the growth counted.
      if (last) await writer.close();
      return written;
    });
    // Its invalid geometries are counted by the catalogue once the dataset is recorded.
    if (value.unreadableGeometries !== 0) {
      const n = value.unreadableGeometries;
      context.event(
        'ingest.unreadable-geometries',
        n === null
          ? `${item.label}: some features have no geometry, and the file is too large to tell whether GDAL could not read theirs`
          : `${item.label}: ${n} feature(s) have a geometry GDAL cannot read (such as "coordinates": ["x"]); they are kept without geometry and counted as invalid`,
        { layer: value.layer, unreadable: n },
      );
    }
    if (value.sourceLayer !== undefined)
      context.event(
        'ingest.renamed',
        `${item.label}: GeoPackage does not take the layer name ${JSON.stringify(value.sourceLayer)}; it is ${JSON.stringify(value.layer)} in the catalogue`,
        { from: value.sourceLayer, to: value.layer },
      );
    return {
      dataset: key,
      layer: value.described,
      crs: value.crs,
      reprojectedTo: value.reprojectedTo,
      unreadableGeometries: value.unreadableGeometries,
      ...(value.sourceLayer === undefined ? {} : { sourceLayer: value.sourceLayer }),
    };
  } finally {
    if (last) await closeWriter(session, key);
  }
}

/** The dataset's open writer, opened by its first layer in this run. */
function writerFor(
  session: Session,
  spec: Extract<IngestSpec, { step: 'vector' }>,
  source: string,
  draft: DatasetDraft,
  label: string,
): Promise<VectorDraftWriter> {
  const key = spec.dataset.key;
  let writer = session.writers.get(key);
  if (!writer) {
    writer = VectorDraftWriter.open(source, draft.file, label, existsSync(draft.file));
    session.writers.set(key, writer);
    writer.catch(() => session.writers.delete(key));
  }
  return writer;
}

async function closeWriter(session: Session, key: string): Promise<void> {
  const writer = session.writers.get(key);
  session.writers.delete(key);
  await (await writer?.catch(() => undefined))?.close();
}

async function rasterItem(
  params: IngestParams,
  spec: Extract<IngestSpec, { step: 'raster' }>,
  item: StoredItem,
  context: ItemContext,
  session: Session,
): Promise<Record<string, unknown>> {
  const staged = await stagedUnit(spec, item, context, session);
  const source = gdalPathOf(spec.dataset, staged.dir);
  const { draft, value } = await intoDraft(spec, item, context, session, (d, onProgress) =>
    importRaster({ source, target: d.file, label: item.label, onProgress, ...(params.assignCrs ? { assignCrs: params.assignCrs } : {}) }),
  );
  const description = await describeDataset(draft.file, context.signal);
  return { dataset: spec.dataset.key, raster: description.raster, bounds: description.bounds, crs: value.crs };
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

interface DatasetGroup {
  dataset: PlannedDataset;
  unit: PlannedUnit;
  items: StoredItem[];
}

function datasetGroups(items: readonly StoredItem<IngestSpec>[]): DatasetGroup[] {
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

/**
 * Removes staging folders of jobs that are no longer running (a crash, an engine stopped mid-job)
 * and uploads nobody finished or used.
 */
async function sweepStaging(env: KindEnvironment): Promise<void> {
  await sweepIngestStaging(env, { jobFolders: 'not-running' });
}

/**
 * The staging area's housekeeping, also run by the engine at start and on a timer (not only when an
 * ingest begins or an upload arrives): uploads no job needs any more (uploadInUse: a failed ingest's
 * upload is kept for a retry, for UPLOAD_RETRY_WINDOW_MS after it failed), incomplete uploads left
 * idle, and staging folders of jobs that cannot be using them. With `jobFolders: 'finished'` (while
 * jobs may start) only folders of finished or deleted jobs go: a queued job may start at any moment.
 */
export async function sweepIngestStaging(
  env: Pick<KindEnvironment, 'dataDir' | 'catalog'>,
  options: { jobFolders: 'not-running' | 'finished' } = { jobFolders: 'finished' },
): Promise<string[]> {
  const root = stagingRoot(env.dataDir);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const id = Number(/^job-(\d+)$/.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(id)) continue;
    const state = env.catalog.jobState(id);
    if (state === 'running' || state === 'cancelling') continue;
    if (options.jobFolders === 'finished' && (state === 'queued' || state === 'interrupted')) continue;
    await rm(join(root, name), { recursive: true, force: true });
  }
  return sweepUploads(env.dataDir, { idleMs: UPLOAD_IDLE_MS, maxAgeMs: UPLOAD_MAX_AGE_MS, keep: (id) => uploadInUse(env.catalog.db, id) });
}
