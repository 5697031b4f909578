/**
 * One vector dataset on its way into its catalogue draft: its source and its GeoPackage held open
 * from its first layer to its last, and its geometries checked by GEOS on a second lane while the
 * layers are written.
 *
 * Why held open: opening a GeoPackage (and the source) per layer cost more than writing the small
 * layers themselves (world_map.gpkg: 4 layers in 225 ms one handle per layer, 115–180 ms held).
 * Why a second lane: counting invalid geometries reads every feature again and costs more than the
 * import does (GEOS checks every ring); on handles of its own it runs on other threads of GDAL's
 * pool than the import's, so it overlaps the writing instead of following it.
 */
import gdal from 'gdal-async';
import type { CatalogLayer } from '../../preload/contract.js';
import { countInvalid, describeLayer } from '../catalog/describe.js';
import { type LayerImport, importVectorLayer } from './import-dataset.js';
import { fromGdal } from './ingest-errors.js';
import { openSource } from './inspect.js';

export interface WrittenLayer extends LayerImport {
  /** The layer as written (invalidGeometries is the source's count, filled by `countInvalid`). */
  described: CatalogLayer;
}

export class VectorDraftWriter {
  private constructor(
    private readonly source: gdal.Dataset,
    private readonly target: gdal.Dataset,
    readonly file: string,
    private readonly validity: ValidityLane,
  ) {}

  private finished = false;

  /**
   * Opens the source (read-only) and the draft's GeoPackage (created, or opened for update when a
   * retry continues it).
   */
  static async open(sourcePath: string, file: string, label: string, exists: boolean): Promise<VectorDraftWriter> {
    let source: gdal.Dataset;
    try {
      source = await openSource(sourcePath);
    } catch (error) {
      throw fromGdal(error, `${label}: GDAL cannot open it`);
    }
    let target: gdal.Dataset;
    try {
      target = exists ? await gdal.openAsync(file, 'r+') : await gdal.drivers.get('GPKG').createAsync(file, 0, 0, 0, gdal.GDT_Unknown);
    } catch (error) {
      source.close();
      throw fromGdal(error, `${label}: the catalogue's GeoPackage ${file} cannot be written`);
    }
    if (exists) {
      try {
        await ensureSpatialIndexes(target);
      } catch (error) {
        target.close();
        source.close();
        throw fromGdal(error, `${label}: the catalogue's GeoPackage ${file} cannot be repaired`);
      }
    }
    return new VectorDraftWriter(source, target, file, new ValidityLane(sourcePath));
  }

  /**
   * Writes one layer (replacing a half-written one of that name) and describes it as written. Its
   * invalid geometries start being counted on the second lane at once, beside the import.
   *
   * Not flushed per layer: GDAL builds the spatial indexes when the GeoPackage is closed, and
   * flushing after each layer made world_map.gpkg's ingest 10% slower (1.16–1.20× ogr2ogr against
   * 1.07–1.08×). A crash before the close leaves finished layers without their index; `open`
   * repairs that when a retry continues the draft.
   */
  async write(input: { layer: string; label: string; assignCrs?: string; targetCrs?: string; onProgress?(fraction: number): void }): Promise<WrittenLayer> {
    void this.validity.count(input.layer);
    const written = await importVectorLayer({ ...input, source: this.source, target: this.target });
    const described = await describeLayer(this.target, await this.target.layers.getAsync(input.layer), false);
    return { ...written, described };
  }

  /**
   * Invalid geometries of `layer`: counted on the source by the second lane, or on the written
   * layer (a handle of its own) when the source's driver cannot count them and its scan failed too.
   */
  async invalidGeometries(layer: string): Promise<number> {
    const counted = await this.validity.count(layer);
    if (counted !== null) return counted;
    const ds = await gdal.openAsync(this.file);
    try {
      return await countInvalid(ds, await ds.layers.getAsync(layer));
    } finally {
      ds.close();
    }
  }

  /** Flushes and closes the source and the GeoPackage; the validity lane goes on. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.target.flushAsync();
    } finally {
      try {
        this.target.close();
      } finally {
        this.source.close();
      }
    }
  }

  /** Finishes writing and stops the validity lane (the count running ends first: GDAL cannot stop it). */
  async close(): Promise<void> {
    try {
      await this.finish();
    } finally {
      await this.validity.close();
    }
  }
}

/**
 * Builds the spatial index of every layer of a draft that lacks one: GDAL defers building them to
 * the GeoPackage's close, so layers written before a crash have none.
 */
export async function ensureSpatialIndexes(target: gdal.Dataset): Promise<string[]> {
  const built: string[] = [];
  const count = await target.layers.countAsync();
  for (let i = 0; i < count; i++) {
    const layer = await target.layers.getAsync(i);
    if (layer.geomType === gdal.wkbNone || !layer.geomColumn) continue;
    const args = `'${layer.name.replaceAll("'", "''")}', '${layer.geomColumn.replaceAll("'", "''")}'`;
    // GDAL answers this statement itself, in a column it names (HasSpatialIndex), whatever AS says.
    const has = await target.executeSQLAsync(`SELECT HasSpatialIndex(${args})`);
    const present = Object.values((await has.features.nextAsync())?.fields.toObject() ?? {})[0];
    if (present === 1) continue;
    await target.executeSQLAsync(`SELECT CreateSpatialIndex(${args})`);
    built.push(layer.name);
  }
  return built;
}

/**
 * Counts invalid geometries layer after layer, each layer split between COUNT_SHARES read-only
 * handles of its own (by FID) that GDAL's pool runs side by side: on world_map.gpkg two shares
 * took 161–179 ms against 239–299 for one. A count that fails (the driver's SQL cannot, and the
 * scan broke) is null, never an exception: the import decides.
 */
class ValidityLane {
  private readonly counts = new Map<string, Promise<number | null>>();
  private handles: Promise<(gdal.Dataset | null)[]> | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  /** Set by close: counts not yet started are not worth starting (a cancel, a failed layer). */
  private closing = false;

  constructor(private readonly sourcePath: string) {}

  count(layer: string): Promise<number | null> {
    const known = this.counts.get(layer);
    if (known) return known;
    const counted = this.tail.then(async () => {
      if (this.closing) return null;
      this.handles ??= Promise.all(Array.from({ length: COUNT_SHARES }, () => openSource(this.sourcePath).catch(() => null)));
      const handles = await this.handles;
      if (handles.some((h) => h === null)) return null;
      const shares = await Promise.all(
        handles.map(async (ds, part) => {
          const l = await ds!.layers.getAsync(layer);
          return l.geomType === gdal.wkbNone ? 0 : countInvalid(ds!, l, { part, parts: handles.length });
        }),
      );
      return shares.reduce((a, b) => a + b, 0);
    });
    const settled = counted.catch(() => null);
    this.counts.set(layer, settled);
    this.tail = settled;
    return settled;
  }

  /** Lets the count running finish (GDAL cannot stop it), skips the rest, closes the handles. */
  async close(): Promise<void> {
    this.closing = true;
    await this.tail;
    for (const ds of (await this.handles) ?? []) ds?.close();
    this.handles = null;
  }
}

/** Handles counting one layer side by side: the engine's machines have 2 cores and more. */
const COUNT_SHARES = 2;
