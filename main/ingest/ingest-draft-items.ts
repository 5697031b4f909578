/**
 * An ingest's `vector` and `raster` items: each writes into its dataset's catalogue draft under the
 * job's quota. A vector dataset's GeoPackage stays open between its layers (one writer per dataset
 * in the session) and is closed by its last layer, or by `end` when the job stops half-way.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IngestParams } from '../../shared/contract.js';
import { throwIfAborted } from '../../shared/errors.js';
import type { DatasetDraft } from '../catalog/catalog.js';
import { describeDataset } from '../catalog/describe.js';
import { geopackageLayerNames } from '../gdal/translate-layer.js';
import { importRaster } from './import-dataset.js';
import type { DatasetSpec, IngestContext, IngestItem, IngestSession, RasterSpec, VectorSpec } from './ingest-spec.js';
import { stagedUnit } from './ingest-stage-item.js';
import { gdalPathOf } from './inspect.js';
import { VectorDraftWriter } from './vector-draft.js';

/** Runs an import into the dataset's draft under the quota: admitted first, the growth counted after. */
async function intoDraft<T>(
  spec: DatasetSpec,
  item: IngestItem,
  context: IngestContext,
  write: (draft: DatasetDraft, onProgress: (f: number) => void) => Promise<T>,
): Promise<{ draft: DatasetDraft; value: T }> {
  const session = context.session;
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

export async function vectorItem(params: IngestParams, spec: VectorSpec, item: IngestItem, context: IngestContext): Promise<Record<string, unknown>> {
  const session = context.session;
  const staged = await stagedUnit(spec, item, context);
  const key = spec.dataset.key;
  const layers = spec.dataset.layers;
  const last = layers.indexOf(spec.layer) >= layers.length - 1;
  try {
    const { value } = await intoDraft(spec, item, context, async (d, onProgress) => {
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
function writerFor(session: IngestSession, spec: VectorSpec, source: string, draft: DatasetDraft, label: string): Promise<VectorDraftWriter> {
  const key = spec.dataset.key;
  let writer = session.writers.get(key);
  if (!writer) {
    writer = VectorDraftWriter.open(source, draft.file, label, existsSync(draft.file));
    session.writers.set(key, writer);
    writer.catch(() => session.writers.delete(key));
  }
  return writer;
}

/** Closes the dataset's writer if this run opened one. */
export async function closeWriter(session: IngestSession, key: string): Promise<void> {
  const writer = session.writers.get(key);
  session.writers.delete(key);
  await (await writer?.catch(() => undefined))?.close();
}

export async function rasterItem(params: IngestParams, spec: RasterSpec, item: IngestItem, context: IngestContext): Promise<Record<string, unknown>> {
  const staged = await stagedUnit(spec, item, context);
  const source = gdalPathOf(spec.dataset, staged.dir);
  const { draft, value } = await intoDraft(spec, item, context, (d, onProgress) =>
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
