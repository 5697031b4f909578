/**
 * One vector dataset on its way into its catalogue draft: its source and its GeoPackage held open
 * from its first layer to its last.
 *
 * Why held open: opening a GeoPackage (and the source) per layer cost more than writing the small
 * layers themselves (world_map.gpkg: 4 layers in 225 ms one handle per layer, 115–180 ms held).
 * Invalid geometries are not counted here: the catalogue counts them just after the commit
 * (main/catalog/catalog.ts), beside drawing the preview.
 */
import gdal from 'gdal-async';
import type { CatalogLayer } from '../../shared/contract.js';
import { describeLayer } from '../catalog/describe.js';
import { type LayerImport, type VectorLayerImport, importVectorLayer } from './import-dataset.js';
import { TesseraError } from '../../shared/errors.js';
import { fromGdal, operatorText } from './ingest-errors.js';
import { openSource } from './inspect.js';
import { fileIdentity, takePlannedHandle } from './planned-sources.js';

export interface WrittenLayer extends LayerImport {
  /** The layer as written (invalidGeometries null: counted after the commit). */
  described: CatalogLayer;
}

export class VectorDraftWriter {
  private constructor(
    private readonly source: gdal.Dataset,
    private readonly target: gdal.Dataset,
    readonly file: string,
  ) {}

  private closed = false;

  /**
   * Opens the source (read-only) and the draft's GeoPackage (created, or opened for update when a
   * retry continues it).
   */
  static async open(sourcePath: string, file: string, label: string, exists: boolean): Promise<VectorDraftWriter> {
    let source: gdal.Dataset;
    try {
      // The plan's handle when the source is the file it opened (hard-linked): not parsed again.
      source = takePlannedHandle(await fileIdentity(sourcePath)) ?? (await openSource(sourcePath));
    } catch (error) {
      throw fromGdal(error, label, { opening: true });
    }
    let target: gdal.Dataset;
    try {
      target = exists ? await gdal.openAsync(file, 'r+') : await gdal.drivers.get('GPKG').createAsync(file, 0, 0, 0, gdal.GDT_Unknown);
    } catch (error) {
      source.close();
      throw new TesseraError(
        fromGdal(error, label).code,
        `${label}: the catalogue's GeoPackage for it cannot be written (${operatorText(String((error as Error)?.message ?? error), { [file]: 'the draft' })})`,
        { cause: error, details: { reason: 'catalogue', gdal: String((error as Error)?.message ?? error), file } },
      );
    }
    if (exists) {
      try {
        await ensureSpatialIndexes(target);
      } catch (error) {
        target.close();
        source.close();
        throw new TesseraError(
          fromGdal(error, label).code,
          `${label}: the catalogue's GeoPackage for it cannot be repaired (${operatorText(String((error as Error)?.message ?? error), { [file]: 'the draft' })})`,
          { cause: error, details: { reason: 'catalogue', gdal: String((error as Error)?.message ?? error), file } },
        );
      }
    }
    return new VectorDraftWriter(source, target, file);
  }

  /**
   * Writes one layer (replacing a half-written one of that name) and describes it as written.
   *
   * Not flushed per layer: GDAL builds the spatial indexes when the GeoPackage is closed, and
   * flushing after each layer made world_map.gpkg's ingest 10% slower (1.16–1.20× ogr2ogr against
   * 1.07–1.08×). A crash before the close leaves finished layers without their index; `open`
   * repairs that when a retry continues the draft.
   */
  async write(input: Omit<VectorLayerImport, 'source' | 'target' | 'notLonLat'>): Promise<WrittenLayer> {
    const written = await importVectorLayer({ ...input, source: this.source, target: this.target });
    let layer: CatalogLayer;
    try {
      layer = await describeLayer(this.target, await this.target.layers.getAsync(written.layer), false);
    } catch (error) {
      throw fromGdal(error, input.label);
    }
    // Counted as invalid by the catalogue with what GEOS finds (they are stored without geometry).
    const described = written.unreadableGeometries ? { ...layer, unreadableGeometries: written.unreadableGeometries } : layer;
    return { ...written, described };
  }

  /** Flushes and closes the GeoPackage (GDAL builds its spatial indexes now) and the source. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
