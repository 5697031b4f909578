/**
 * Copies one Esri layer into its GeoPackage table, page by page, resumable at every page, and
 * proves the copy complete at the end.
 *
 * - Layers that support pagination are read by resultOffset/resultRecordCount, ordered by object
 *   id, never asking for more than the layer's maxRecordCount. Others are read by object-id
 *   batches (from returnIdsOnly) of at most maxRecordCount ids. Either way the loop goes on while
 *   the server says exceededTransferLimit: a short page is never taken for the end.
 * - Each page is committed together with the progress after it (see migration-geopackage.ts), so
 *   a retry, restart or crash resumes after the last committed page. Ids already written are
 *   skipped (and counted) if a shifting source serves them again; the primary key makes a double
 *   impossible anyway.
 * - At the end the table is checked against the source: its count against returnCountOnly and
 *   its object-id set against returnIdsOnly. A mismatch fails the layer naming the missing and
 *   extra ids, and empties the table so a retry copies it again.
 */
import { TesseraError, throwIfAborted } from '../../shared/errors.js';
import { type ClientEvent, type ClientStats, type EsriClient, emptyStats } from './esri-client.js';
import { convertValue, planColumns, type ColumnPlan } from './esri-fields.js';
import { esriGeometryToWkb, type Dimensions } from './esri-geometry.js';
import { readLayerInfo, type EsriLayerInfo } from './esri-layer.js';
import { type FeatureRow, GEOMETRY_COLUMN } from './layer-table.js';
import type { MigrationGeoPackage } from './migration-geopackage.js';
import type { LayerProgress } from './migration-progress.js';
import { layerUrl, queryUrl } from './service-url.js';

export interface LayerCopyOptions {
  client: EsriClient;
  serviceUrl: string;
  /** The service's JSON (its maxRecordCount is the fallback for layers that do not say). */
  serviceJson: () => Promise<Record<string, unknown>>;
  layerId: number;
  where: string | null;
  file: MigrationGeoPackage;
  signal: AbortSignal;
  /** Pages are never larger than this, nor than the layer's maxRecordCount. */
  maxPageSize?: number;
  /**
   * The count the plan already read (the item's total): spares a request before the first page.
   * The final check always asks the server again.
   */
  knownCount?: number;
  /** Features written since the last call (and a new total once the source count is known). */
  onProgress(delta: { done?: number; total?: number; bytes?: number }, progress: LayerProgress): void;
  onClientEvent(event: ClientEvent): void;
  onNote(type: string, message: string, data?: Record<string, unknown>): void;
}

/** What a layer's copy did, for the job report. */
export interface LayerCopyResult {
  layerId: number;
  layerName: string;
  table: string;
  mode: 'offset' | 'ids';
  /** returnCountOnly at the final check. */
  sourceCount: number;
  written: number;
  idsChecked: boolean;
  pages: number;
  /** Features a shifting source served again (skipped, never written twice). */
  duplicatesSkipped: number;
  /** Ids listed by returnIdsOnly that were gone when their batch was fetched. */
  vanished: number;
  resumedFrom: { nextOffset: number; lastObjectId: number | null; written: number } | null;
  requests: number;
  retries: number;
  retriesByReason: ClientStats['retriesByReason'];
  breakerOpenings: number;
  waitedMs: number;
  bytes: number;
  columns: ColumnPlan[];
  [key: string]: unknown;
}

/** The largest page asked for, whatever a layer allows: big pages of big polygons time out. */
export const DEFAULT_MAX_PAGE = 2000;

export async function copyLayer(options: LayerCopyOptions): Promise<LayerCopyResult> {
  const { client, serviceUrl, layerId, signal } = options;
  const stats = emptyStats();
  // Prefetches are aborted with this when the layer stops early (an error, a cancel).
  const local = new AbortController();
  const stopLocal = () => local.abort();
  signal.addEventListener('abort', stopLocal, { once: true });
  const request = (url: string, params: Record<string, string | number | boolean>) =>
    client.request(url, params, { signal: local.signal, stats, probeUrl: serviceUrl, onEvent: options.onClientEvent });
  try {
    return await copyWith(request);
  } finally {
    signal.removeEventListener('abort', stopLocal);
    local.abort();
  }

  async function copyWith(request: Request): Promise<LayerCopyResult> {
    const where = options.where ?? '1=1';

    const info = readLayerInfo(await request(layerUrl(serviceUrl, layerId), {}), layerId, await options.serviceJson());
    const columns = planColumns(info.fields, info.objectIdField, GEOMETRY_COLUMN);
    const {
      table,
      progress: initial,
      restarted,
    } = await options.file.table({
      layerId,
      layerName: info.name,
      geometryType: info.geometryType,
      hasZ: info.hasZ,
      hasM: info.hasM,
      spatialReference: info.spatialReference,
      objectIdField: info.objectIdField,
      columns,
    });
    if (restarted) options.onNote('layer.restarted', `layer ${layerId} (${info.name}): starting again: ${restarted}`);
    let progress = initial;
    const base = (mode: 'offset' | 'ids'): LayerCopyResult => ({
      layerId,
      layerName: info.name,
      table: table.tableName,
      mode,
      sourceCount: 0,
      written: progress.written,
      idsChecked: false,
      pages: 0,
      duplicatesSkipped: 0,
      vanished: 0,
      resumedFrom:
        progress.written > 0 || progress.verified ? { nextOffset: progress.nextOffset, lastObjectId: progress.lastObjectId, written: progress.written } : null,
      requests: 0,
      retries: 0,
      retriesByReason: {},
      breakerOpenings: 0,
      waitedMs: 0,
      bytes: 0,
      columns,
    });
    const withStats = (r: LayerCopyResult): LayerCopyResult => ({
      ...r,
      requests: stats.requests,
      retries: stats.retries,
      retriesByReason: stats.retriesByReason,
      breakerOpenings: stats.breakerOpenings,
      waitedMs: stats.waitedMs,
      bytes: stats.bytes,
    });

    options.onProgress({}, progress);
    if (progress.verified && progress.check) {
      // Finished and checked before an interruption: nothing to fetch again.
      return withStats({ ...base(progress.mode ?? 'offset'), ...(progress.check as Partial<LayerCopyResult>), resumedFrom: null });
    }

    const expected = options.knownCount !== undefined && options.knownCount > 0 ? options.knownCount : await countOf(request, serviceUrl, layerId, where);
    options.onProgress({ total: expected }, progress);
    const mode: 'offset' | 'ids' = progress.mode ?? (info.supportsPagination ? 'offset' : 'ids');
    const pageSize = Math.max(1, Math.min(info.maxRecordCount, options.maxPageSize ?? DEFAULT_MAX_PAGE));
    const result = base(mode);
    result.sourceCount = expected;
    const written = new Set(progress.written > 0 ? await table.ids() : []);
    const dims: Dimensions = { hasZ: info.hasZ, hasM: info.hasM };
    const common: Record<string, string | number | boolean> = {
      where,
      outFields: '*',
      returnGeometry: info.geometryType !== null,
      ...(info.hasZ && { returnZ: true }),
      ...(info.hasM && { returnM: true }),
      ...(outSrFor(info) !== null && { outSR: outSrFor(info)! }),
    };

    /** Converts a page, skipping ids already written; then commits it with the progress after it. */
    const writePage = async (features: readonly EsriFeature[], after: { nextOffset: number }) => {
      const rows: FeatureRow[] = [];
      const inPage = new Set<number>();
      let lastObjectId = progress.lastObjectId;
      for (const f of features) {
        const row = toRow(f, info, columns, dims);
        if (written.has(row.id) || inPage.has(row.id)) {
          result.duplicatesSkipped++;
          continue;
        }
        rows.push(row);
        inPage.add(row.id);
        if (lastObjectId === null || row.id > lastObjectId) lastObjectId = row.id;
      }
      const next = { mode, nextOffset: after.nextOffset, lastObjectId, written: progress.written + rows.length };
      await table.writePage(rows, next);
      for (const r of rows) written.add(r.id);
      progress = { ...progress, ...next };
      result.pages++;
      result.written = progress.written;
      options.onProgress({ done: rows.length, bytes: stats.bytes - reportedBytes }, progress);
      reportedBytes = stats.bytes;
    };
    let reportedBytes = 0;

    if (mode === 'offset') {
      const pageAt = (offset: number) =>
        ahead(
          request(queryUrl(serviceUrl, layerId), {
            ...common,
            ...(info.supportsOrderBy && { orderByFields: `${info.objectIdField} ASC` }),
            resultOffset: offset,
            resultRecordCount: pageSize,
          }),
        );
      let offset = progress.nextOffset;
      let next = pageAt(offset);
      for (;;) {
        throwIfAborted(signal);
        const page = await next;
        const features = featuresOf(page, serviceUrl, layerId);
        const exceeded = page.exceededTransferLimit === true;
        if (features.length === 0) break;
        offset += features.length;
        // A full page without the flag, short of the count: some servers omit it; asking once more is cheap.
        const more = exceeded || (features.length >= pageSize && progress.written + features.length < expected);
        // The next page is on its way while this one is written; only written pages are checkpointed.
        if (more) next = pageAt(offset);
        await writePage(features, { nextOffset: offset });
        if (!more) break;
      }
    } else {
      // A queue of ids still to fetch; a batch the server cut short goes back at its end.
      let remaining = (await allIds(request, serviceUrl, layerId, where, info)).filter((id) => !written.has(id));
      let batchSize = pageSize;
      const batchOf = (ids: number[]) => ({ ids, page: ahead(request(queryUrl(serviceUrl, layerId), { ...common, objectIds: ids.join(',') })) });
      let next = remaining.length > 0 ? batchOf(remaining.slice(0, batchSize)) : null;
      remaining = remaining.slice(next?.ids.length ?? 0);
      while (next) {
        throwIfAborted(signal);
        const { ids: batch, page: pending } = next;
        const page = await pending;
        const features = featuresOf(page, serviceUrl, layerId);
        const asked = new Set(batch);
        const got = new Set<number>();
        const inBatch = features.filter((f) => {
          const id = objectIdOf(f, info);
          got.add(id);
          return asked.has(id);
        });
        const missing = batch.filter((id) => !got.has(id));
        if (page.exceededTransferLimit === true && missing.length > 0) {
          // The server capped the batch below maxRecordCount: ask again for the rest, in smaller batches.
          if (got.size === 0) batchSize = Math.max(1, Math.floor(batchSize / 2));
          remaining = [...remaining, ...missing];
        } else {
          result.vanished += missing.length;
        }
        next = remaining.length > 0 ? batchOf(remaining.slice(0, batchSize)) : null;
        remaining = remaining.slice(next?.ids.length ?? 0);
        await writePage(inBatch, { nextOffset: progress.nextOffset });
      }
    }

    // The final check: the table against the source, by count and by id set.
    const [sourceCount, sourceIds, tableIds] = await Promise.all([
      countOf(request, serviceUrl, layerId, where),
      allIds(request, serviceUrl, layerId, where, info),
      table.ids(),
    ]);
    const source = new Set(sourceIds);
    const inTable = new Set(tableIds);
    const missing = sourceIds.filter((id) => !inTable.has(id));
    const extra = tableIds.filter((id) => !source.has(id));
    result.sourceCount = sourceCount;
    result.written = tableIds.length;
    if (missing.length > 0 || extra.length > 0 || sourceCount !== tableIds.length || sourceIds.length !== sourceCount) {
      await table.reset();
      const details = {
        ...withStats(result),
        sourceCount,
        sourceIds: sourceIds.length,
        written: tableIds.length,
        missingCount: missing.length,
        extraCount: extra.length,
        missing: missing.slice(0, 200),
        extra: extra.slice(0, 200),
      };
      throw new TesseraError(
        'DATASET_UNREADABLE',
        `layer ${layerId} (${info.name}): the copy does not match the source: ${tableIds.length} written, the server counts ${sourceCount} and lists ${sourceIds.length} ids; ` +
          `${missing.length} missing${missing.length ? ` (${idList(missing)})` : ''}, ${extra.length} extra${extra.length ? ` (${idList(extra)})` : ''}. The table was emptied: a retry copies the layer again.`,
        { details, transient: false },
      );
    }
    result.idsChecked = true;
    const check = {
      sourceCount,
      written: tableIds.length,
      idsChecked: true,
      pages: result.pages,
      duplicatesSkipped: result.duplicatesSkipped,
      vanished: result.vanished,
      mode,
    };
    await table.markVerified(check);
    return withStats(result);
  }
}

/**
 * A request started ahead of its use: awaited later, so a rejection must not count as unhandled in
 * the meantime (it is still thrown where the page is awaited).
 */
function ahead<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

type Request = (url: string, params: Record<string, string | number | boolean>) => Promise<Record<string, unknown>>;

interface EsriFeature {
  attributes?: Record<string, unknown>;
  geometry?: unknown;
}

async function countOf(request: Request, serviceUrl: string, layerId: number, where: string): Promise<number> {
  const answer = await request(queryUrl(serviceUrl, layerId), { where, returnCountOnly: true });
  if (typeof answer.count !== 'number' || !Number.isInteger(answer.count) || answer.count < 0) {
    throw new TesseraError('IO_ERROR', `layer ${layerId}: returnCountOnly gave no count (${JSON.stringify(answer).slice(0, 120)})`, {
      details: { reason: 'truncated', url: queryUrl(serviceUrl, layerId) },
    });
  }
  return answer.count;
}

/**
 * Every object id matching `where`, ascending. Servers that cap id lists set exceededTransferLimit:
 * the rest is asked for by id range (`oid > last`), which works on every server version.
 */
async function allIds(request: Request, serviceUrl: string, layerId: number, where: string, info: EsriLayerInfo): Promise<number[]> {
  const ids: number[] = [];
  let clause = where;
  for (;;) {
    const answer = await request(queryUrl(serviceUrl, layerId), { where: clause, returnIdsOnly: true });
    if (!Array.isArray(answer.objectIds) && answer.objectIds !== null) {
      throw new TesseraError('IO_ERROR', `layer ${layerId}: returnIdsOnly gave no objectIds (${JSON.stringify(answer).slice(0, 120)})`, {
        details: { reason: 'truncated', url: queryUrl(serviceUrl, layerId) },
      });
    }
    const page = ((answer.objectIds as unknown[] | null) ?? []).map((id) => {
      if (typeof id !== 'number' || !Number.isSafeInteger(id))
        throw new TesseraError('DATASET_UNREADABLE', `layer ${layerId}: object id ${JSON.stringify(id)} is not an integer`);
      return id;
    });
    ids.push(...page);
    if (answer.exceededTransferLimit !== true || page.length === 0) break;
    const last = Math.max(...page);
    clause = `(${where}) AND ${info.objectIdField} > ${last}`;
  }
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  return unique;
}

function featuresOf(page: Record<string, unknown>, serviceUrl: string, layerId: number): EsriFeature[] {
  if (!Array.isArray(page.features)) {
    // A query answer without a features array is a broken answer, not an empty page.
    throw new TesseraError('IO_ERROR', `layer ${layerId}: the query answer has no features array`, {
      details: { reason: 'truncated', url: queryUrl(serviceUrl, layerId) },
    });
  }
  return page.features as EsriFeature[];
}

function objectIdOf(f: EsriFeature, info: EsriLayerInfo): number {
  const attributes = f.attributes ?? {};
  let id = attributes[info.objectIdField];
  if (id === undefined) {
    // Some servers change the field's case in query results.
    const key = Object.keys(attributes).find((k) => k.toLowerCase() === info.objectIdField.toLowerCase());
    id = key === undefined ? undefined : attributes[key];
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id))
    throw new TesseraError('DATASET_UNREADABLE', `layer ${info.id}: a feature has no integer ${info.objectIdField} (${JSON.stringify(id)})`);
  return id;
}

function toRow(f: EsriFeature, info: EsriLayerInfo, columns: readonly ColumnPlan[], dims: Dimensions): FeatureRow {
  const id = objectIdOf(f, info);
  const attributes = f.attributes ?? {};
  const values = columns.map((c) => {
    try {
      return convertValue(attributes[c.source], c);
    } catch (error) {
      throw new TesseraError('DATASET_UNREADABLE', `layer ${info.id}, feature ${id}: ${(error as Error).message}`);
    }
  });
  let wkb: Buffer | null = null;
  if (info.geometryType) {
    try {
      wkb = esriGeometryToWkb(f.geometry, info.geometryType, dims);
    } catch (error) {
      throw new TesseraError('DATASET_UNREADABLE', `layer ${info.id}, feature ${id}: ${(error as Error).message}`);
    }
  }
  return { id, values, wkb };
}

/** Asks for the layer's own spatial reference explicitly: some servers default to the service's. */
function outSrFor(info: EsriLayerInfo): string | null {
  const sr = info.spatialReference;
  if (!sr) return null;
  if (sr.wkid !== undefined) return JSON.stringify({ wkid: sr.wkid, ...(sr.latestWkid !== undefined && { latestWkid: sr.latestWkid }) });
  if (sr.wkt) return JSON.stringify({ wkt: sr.wkt });
  return null;
}

function idList(ids: readonly number[]): string {
  return ids.length <= 20 ? ids.join(', ') : `${ids.slice(0, 20).join(', ')}, … ${ids.length - 20} more`;
}
