/**
 * The local catalogue: datasets imported into the data directory (a GeoPackage per vector dataset,
 * a Cloud-Optimized GeoTIFF per raster), each in its own folder under `<dataDir>/catalog/` with a
 * preview MBTiles beside it, and one row in the store describing it.
 *
 * Writers (the ingest kind, Esri migrations) never write into the catalogue directly. They open a
 * draft, write the dataset file the draft names, and commit it:
 *
 *   const draft = await catalog.openDraft({ jobId, key: 'layer-7', kind: 'vector', name: 'parcels' });
 *   await gdal.vectorTranslateAsync(draft.file, source, [...]);          // any number of steps
 *   const dataset = await catalog.commit(draft, { name: 'parcels', jobId, source: { type: 'esri', … } });
 *   // or, on failure or cancel: await catalog.discardDraft(draft);
 *
 * A draft lives in `<dataDir>/catalog/.partial/job<jobId>-<key>/`, so the same job and key open the
 * same draft again (a retried job continues it). `commit` describes the file (layers, counts, CRS,
 * bounds, invalid geometries) unless the writer already did, then renames the draft's folder into
 * the catalogue and inserts the row: until that rename the catalogue does not change, so a failure or
 * a cancel at any earlier point leaves it exactly as it was. `commit(draft, { replaces: id })` swaps
 * a dataset's files for the draft's and keeps its id (a refreshed migration). The thumbnail and
 * preview are drawn right after, one dataset at a time (`analysisPending` until then, then
 * catalog.changed).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BulkResult, CatalogDataset, CatalogLayer, Page } from '../../shared/contract.js';
import { TesseraError, serializeError } from '../../shared/errors.js';
import { directoryBytes } from '../disk/storage.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import type { Db } from '../store/database.js';
import { isInside } from '../disk/disk-guard.js';
// describe.js and preview.js bring GDAL: loaded when a dataset is recorded or analysed, so that
// reading the catalogue (tessera catalog list|show) loads no native geodata library.
import type { DatasetDescription } from './describe.js';
import { type DatasetRow, safeSlug, searchText, toDataset } from './catalog-rows.js';

export { safeSlug };
import type { Preview } from './preview.js';

export interface CatalogListInput {
  text?: string;
  kind?: 'vector' | 'raster';
  cursor?: string;
  limit: number;
}

/** A dataset being written: write `file`, then commit or discard the draft. */
export interface DatasetDraft {
  jobId: number;
  key: string;
  kind: CatalogDataset['kind'];
  /** The draft's folder (the dataset file and anything GDAL puts beside it). */
  dir: string;
  /** The dataset file to write: `<slug>.gpkg` (vector) or `<slug>.tif` (raster). */
  file: string;
}

export interface CommitInput {
  name: string;
  source: CatalogDataset['source'];
  jobId: number | null;
  /** What describeDataset says about the file; described at commit when absent. */
  description?: DatasetDescription;
  /** The dataset whose files the draft replaces (its id, name and creation time stay). */
  replaces?: number;
  signal?: AbortSignal;
}

/** Finished drafts of jobs that can no longer resume them are removed after this long. */
const DRAFT_MAX_AGE_MS = 7 * 24 * 3600_000;
const PARTIAL = '.partial';

export class Catalog {
  /** `<dataDir>/catalog`: one folder per dataset, drafts under `.partial/`. */
  readonly root: string;
  private readonly committing = new Set<string>();
  private swept: Promise<void> | null = null;

  /** Analyses still to do, one after the other (`analyseLater`). */
  private analysing: Promise<void> = Promise.resolve();
  private readonly closing = new AbortController();
  /** The analysis under way: a delete or a replacement of its dataset stops it at its next batch. */
  private current: { id: number; stop: AbortController } | null = null;

  /** `onChanged` hears of datasets that changed without a request (a preview drawn). */
  constructor(
    readonly db: Db,
    readonly dataDir: string,
    private readonly onChanged: (ids: number[]) => void = () => {},
  ) {
    this.root = join(dataDir, 'catalog');
  }

  /**
   * Queues the dataset's analysis: its invalid geometries counted (GEOS) and its thumbnail and
   * preview MBTiles drawn. Done after the commit, not inside the job: each reads every geometry
   * again, and together they cost more than the import itself (world_map.gpkg: 230 ms of counting
   * and 170 ms of drawing against 150 ms of import), while the dataset is complete and usable
   * without them. `analysisPending` says they are coming; catalog.changed announces them. A
   * dataset deleted or replaced meanwhile keeps nothing of them.
   */
  analyseLater(id: number): void {
    if (this.closing.signal.aborted) return;
    // Not deduplicated: a dataset replaced while its old files are analysed is queued again, and a
    // dataset already analysed is skipped when its turn comes.
    // An analysis that fails (the store closed under it) leaves the dataset to the next open.
    this.analysing = this.analysing.then(() => this.analyse(id)).catch(() => {});
  }

  /** Queues the analyses a stopped engine left undone. */
  resumeAnalyses(): void {
    const rows = this.db
      .prepare(`SELECT id FROM catalog_datasets WHERE (thumbnail IS NULL AND bounds IS NOT NULL) OR instr(layers, '"invalidGeometries":null') > 0 ORDER BY id`)
      .all() as { id: number }[];
    for (const row of rows) this.analyseLater(row.id);
  }

  /** Resolves when every analysis queued so far is done. */
  analysesDone(): Promise<void> {
    return this.analysing;
  }

  /**
   * Takes no more analyses and stops: the one running is given up at its next step, the queued ones
   * are left for the next open (resumeAnalyses). A caller that wants its datasets analysed (the
   * CLI's commands) awaits analysesDone() first.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await this.analysing;
  }

  /**
   * Counts the dataset's invalid geometries (layers recorded without a count) and draws its
   * thumbnail and preview (when it has none), then announces the change. Each result is recorded
   * only if the dataset is still the one analysed (not deleted or replaced meanwhile).
   */
  private async analyse(id: number): Promise<void> {
    const stop = new AbortController();
    this.current = { id, stop };
    try {
      await this.analyseOne(id, AbortSignal.any([this.closing.signal, stop.signal]));
    } finally {
      this.current = null;
    }
  }

  /** The dataset whose analysis is under way, if any. */
  analysingNow(): number | null {
    return this.current?.id ?? null;
  }

  /** Stops the analysis of dataset `id` if it is the one under way (it was deleted or replaced). */
  private stopAnalysisOf(id: number): void {
    if (this.current?.id === id) this.current.stop.abort();
  }

  private async analyseOne(id: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const row = this.db.prepare('SELECT * FROM catalog_datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) return;
    const dataset = toDataset(row);
    let changed = false;
    if (dataset.layers.some((l) => l.invalidGeometries === null)) {
      const layers: CatalogLayer[] = [];
      for (const layer of dataset.layers) {
        if (signal.aborted) return;
        // One that cannot be counted stays uncounted (null) rather than pass for valid; counted in
        // batches, so a delete or a close stops a huge layer's count within one batch.
        // Geometries the import could not read are stored as NULL, which GEOS never sees: added here.
        const counted =
          layer.invalidGeometries === null
            ? await (await import('./describe.js')).countInvalidBatched(row.path, layer.name, { signal }).catch(() => null)
            : layer.invalidGeometries;
        if (signal.aborted) return;
        layers.push(
          layer.invalidGeometries === null ? { ...layer, invalidGeometries: counted === null ? null : counted + (layer.unreadableGeometries ?? 0) } : layer,
        );
      }
      const recorded = this.db
        .prepare('UPDATE catalog_datasets SET layers = @layers WHERE id = @id AND dir = @dir')
        .run({ id, dir: row.dir, layers: JSON.stringify(layers) });
      if (recorded.changes === 0) return;
      changed = true;
    }
    if (row.thumbnail === null && !signal.aborted) changed = (await this.drawPreview(row, dataset, signal)) || changed;
    if (changed) this.onChanged([id]);
  }

  /** Draws and records the thumbnail and preview; false when the dataset changed meanwhile or closing. */
  private async drawPreview(row: DatasetRow, dataset: CatalogDataset, signal: AbortSignal): Promise<boolean> {
    const description: DatasetDescription = { kind: dataset.kind, layers: dataset.layers, raster: dataset.raster, bounds: dataset.bounds };
    // A picture that cannot be drawn is recorded as none (an empty thumbnail), so it is not tried again.
    let drawn: Preview;
    try {
      drawn = await (await import('./preview.js')).renderPreview(row.path, description, join(row.dir, 'preview.mbtiles'), row.name, signal);
    } catch {
      // Closing: left undrawn for the next open; deleted or replaced: nothing to record. Anything
      // else: recorded as no picture (below).
      if (signal.aborted) return false;
      drawn = { mbtiles: null, thumbnail: null };
    }
    const bytes =
      drawn.mbtiles === null
        ? 0
        : await stat(drawn.mbtiles).then(
            (s) => s.size,
            () => 0,
          );
    const recorded = this.db
      .prepare(
        'UPDATE catalog_datasets SET preview = @preview, thumbnail = @thumbnail, size_bytes = size_bytes + @bytes WHERE id = @id AND dir = @dir AND thumbnail IS NULL',
      )
      .run({ id: row.id, dir: row.dir, preview: drawn.mbtiles, thumbnail: drawn.thumbnail ?? '', bytes });
    if (recorded.changes === 0) {
      // Deleted or replaced while it was drawn: nothing of it stays.
      if (drawn.mbtiles !== null) await rm(drawn.mbtiles, { force: true });
      return false;
    }
    return true;
  }

  /** Newest first, by keyset (the cursor is the last id of the previous page). */
  list(input: CatalogListInput): Page<CatalogDataset> {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: input.limit + 1 };
    if (input.cursor !== undefined) {
      const [lastId] = decodeCursor('catalog', input.cursor, ['number'] as const);
      where.push('id < @lastId');
      args.lastId = lastId;
    }
    if (input.kind) {
      where.push('kind = @kind');
      args.kind = input.kind;
    }
    const text = input.text?.trim().toLowerCase();
    if (text) {
      where.push(`instr(search_text, @text) > 0`);
      args.text = text;
    }
    const rows = this.db
      .prepare(`SELECT * FROM catalog_datasets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`)
      .all(args) as DatasetRow[];
    const page = rows.slice(0, input.limit).map(toDataset);
    return { rows: page, nextCursor: rows.length > input.limit ? encodeCursor('catalog', [page[page.length - 1]!.id]) : null };
  }

  /** The dataset, or NOT_FOUND. */
  get(id: number): CatalogDataset {
    const row = this.db.prepare('SELECT * FROM catalog_datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) throw new TesseraError('NOT_FOUND', `dataset ${id} does not exist in the catalogue`, { details: { id } });
    return toDataset(row);
  }

  /** Datasets a job made (or last refreshed), oldest first. */
  madeBy(jobId: number): CatalogDataset[] {
    return (this.db.prepare('SELECT * FROM catalog_datasets WHERE job_id = ? ORDER BY id').all(jobId) as DatasetRow[]).map(toDataset);
  }

  /** Datasets migrated from this service URL (as CommitInput's esri source recorded it), oldest first. */
  findByServiceUrl(url: string): CatalogDataset[] {
    return (
      this.db
        .prepare(`SELECT * FROM catalog_datasets WHERE json_extract(source, '$.type') = 'esri' AND json_extract(source, '$.url') = ? ORDER BY id`)
        .all(url) as DatasetRow[]
    ).map(toDataset);
  }

  /** Bytes the catalogue's datasets take on disk (their files and previews). */
  usedBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(size_bytes), 0) AS n FROM catalog_datasets').get() as { n: number }).n;
  }

  /**
   * Deletes each dataset: its row, then its folder (which frees its quota). A dataset named by the
   * params of a queued or running job is refused (ILLEGAL_TRANSITION naming the job).
   */
  async delete(ids: readonly number[]): Promise<BulkResult> {
    // Which job holds a folder is read through the kinds' contracts (and their zod schemas):
    // imported here, so that the read-only commands, which open a catalogue too, load no zod.
    const { jobHolding } = await import('../store/jobs-holding.js');
    const activeJobUsing = (dir: string) => jobHolding(this.db, { states: ['queued', 'running', 'cancelling'] }, (path) => isInside(dir, resolve(path)));
    const result: BulkResult = { ok: [], failed: [] };
    for (const id of ids) {
      try {
        const dataset = this.get(id);
        const row = this.db.prepare('SELECT dir FROM catalog_datasets WHERE id = ?').get(id) as { dir: string };
        const user = activeJobUsing(row.dir);
        if (user !== null)
          throw new TesseraError(
            'ILLEGAL_TRANSITION',
            `dataset ${id} (${dataset.name}) is in use by job ${user}, which is ${this.jobState(user)}; cancel it or let it finish first`,
            { details: { id, jobId: user } },
          );
        this.db.prepare('DELETE FROM catalog_datasets WHERE id = ?').run(id);
        this.stopAnalysisOf(id);
        result.ok.push(id);
        try {
          rmSync(row.dir, { recursive: true, force: true });
        } catch {
          // Held open (Windows: its preview being drawn): an orphan now, which the next sweep removes.
        }
      } catch (error) {
        result.failed.push({ id, error: serializeError(error) });
      }
    }
    return result;
  }

  /**
   * The draft `key` of job `jobId`, made empty when new and reopened as it was when it exists
   * (a retried job continues what its earlier run wrote).
   */
  async openDraft(input: { jobId: number; key: string; kind: CatalogDataset['kind']; name: string }): Promise<DatasetDraft> {
    await (this.swept ??= this.sweep().then(
      () => {},
      () => {},
    ));
    const dir = join(this.root, PARTIAL, `job${input.jobId}-${safeSlug(input.key)}`);
    await mkdir(dir, { recursive: true });
    const extension = input.kind === 'vector' ? 'gpkg' : 'tif';
    return { jobId: input.jobId, key: input.key, kind: input.kind, dir, file: join(dir, `${safeSlug(input.name)}.${extension}`) };
  }

  /** Removes a draft and everything in it. */
  async discardDraft(draft: DatasetDraft): Promise<void> {
    await rm(draft.dir, { recursive: true, force: true });
  }

  /** Whether the draft's dataset file exists (something was written into it). */
  draftExists(draft: DatasetDraft): boolean {
    return existsSync(draft.file);
  }

  /**
   * Describes the draft's file, moves the draft's folder into the catalogue and records it; its
   * thumbnail and preview are drawn right after (`analyseLater`). Returns the dataset as catalog.get
   * shows it.
   */
  async commit(draft: DatasetDraft, input: CommitInput): Promise<CatalogDataset> {
    if (!existsSync(draft.file)) throw new TesseraError('INTERNAL', `the draft of ${input.name} has no dataset file (${draft.file})`);
    const description = input.description ?? (await (await import('./describe.js')).describeDataset(draft.file, input.signal));
    const sizeBytes = await directoryBytes(draft.dir);
    const finalDir = join(this.root, `${safeSlug(input.name)}-${randomBytes(4).toString('hex')}`);
    this.committing.add(finalDir);
    try {
      await rename(draft.dir, finalDir);
      const path = join(finalDir, basename(draft.file));
      const now = new Date().toISOString();
      const values = {
        name: input.name,
        kind: description.kind,
        path,
        dir: finalDir,
        layers: JSON.stringify(description.layers),
        raster: description.raster === null ? null : JSON.stringify(description.raster),
        bounds: description.bounds === null ? null : JSON.stringify(description.bounds),
        size: sizeBytes,
        source: JSON.stringify(input.source),
        jobId: input.jobId,
        preview: null,
        thumbnail: null,
        now,
        search: searchText(input.name, description, input.source),
      };
      let id: number;
      let replacedDir: string | null = null;
      try {
        if (input.replaces !== undefined) {
          replacedDir = (this.db.prepare('SELECT dir FROM catalog_datasets WHERE id = ?').get(input.replaces) as { dir: string } | undefined)?.dir ?? null;
          if (replacedDir === null)
            throw new TesseraError('NOT_FOUND', `dataset ${input.replaces} does not exist in the catalogue (nothing to replace)`, {
              details: { field: 'replaces', id: input.replaces },
            });
          this.db
            .prepare(
              `UPDATE catalog_datasets SET kind = @kind, path = @path, dir = @dir, layers = @layers, raster = @raster, bounds = @bounds, size_bytes = @size,
               source = @source, job_id = @jobId, preview = @preview, thumbnail = @thumbnail, updated_at = @now, search_text = @search WHERE id = @id`,
            )
            .run({ ...values, id: input.replaces });
          id = input.replaces;
        } else {
          const info = this.db
            .prepare(
              `INSERT INTO catalog_datasets (name, kind, path, dir, layers, raster, bounds, size_bytes, source, job_id, preview, thumbnail, created_at, updated_at, search_text)
               VALUES (@name, @kind, @path, @dir, @layers, @raster, @bounds, @size, @source, @jobId, @preview, @thumbnail, @now, @now, @search)`,
            )
            .run(values);
          id = Number(info.lastInsertRowid);
        }
      } catch (error) {
        // Not recorded: the folder goes too, so the catalogue is as it was.
        await rm(finalDir, { recursive: true, force: true });
        throw error;
      }
      // The replacement is recorded: old files that cannot go now are an orphan for the sweep.
      if (replacedDir !== null) {
        this.stopAnalysisOf(id);
        await rm(replacedDir, { recursive: true, force: true }).catch(() => {});
      }
      this.analyseLater(id);
      return this.get(id);
    } finally {
      this.committing.delete(finalDir);
    }
  }

  /**
   * Removes what no row and no resumable job needs: dataset folders without a row (a crash between
   * a commit's rename and its insert, a delete whose files could not go), and drafts of jobs that
   * are gone, succeeded, or older than a week.
   */
  async sweep(): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    const known = new Set((this.db.prepare('SELECT dir FROM catalog_datasets').all() as { dir: string }[]).map((r) => r.dir));
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === PARTIAL) continue;
      const dir = join(this.root, entry.name);
      if (known.has(dir) || this.committing.has(dir)) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    const drafts = await readdir(join(this.root, PARTIAL), { withFileTypes: true }).catch(() => []);
    for (const entry of drafts) {
      const dir = join(this.root, PARTIAL, entry.name);
      const jobId = Number(/^job(\d+)-/.exec(entry.name)?.[1] ?? NaN);
      const state = Number.isSafeInteger(jobId) ? this.jobState(jobId) : null;
      if (state === 'queued' || state === 'running' || state === 'cancelling') continue;
      // A failed, partial, cancelled or interrupted job may be retried: it continues its drafts.
      const resumable = state !== null && state !== 'succeeded';
      const old = Date.now() - (await stat(dir)).mtimeMs > DRAFT_MAX_AGE_MS;
      if (resumable && !old) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    return { removed };
  }

  /** The state of job `id`, or null when it does not exist (purged). */
  jobState(id: number): string | null {
    return (this.db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined)?.state ?? null;
  }
}
