/**
 * Renders metatiles from one source raster with GDAL's warper, on the engine's main thread through
 * gdal-async's async API (docs/gdal-threading.md, model A).
 *
 * - One dataset handle per concurrent warp: gdal-async serialises async calls on a handle, so a
 *   warp leases a handle for its whole chain (warp, then the band reads) and returns it.
 * - gdal.warpAsync (the gdalwarp library) rather than reprojectImageAsync, because gdalwarp picks
 *   the source overview that fits the destination resolution (-ovr AUTO, its default; with
 *   CPL_DEBUG=ON GDAL 3.6 logs "WARP: Selecting overview level N"), and reprojectImage never does.
 * - The destination is a MEM dataset in EPSG:3857 on the metatile's exact pixel grid, with one more
 *   band than the colour bands: the destination alpha (-dstalpha). Outside the data, nodata, masks
 *   and a source alpha band all end up as transparency there.
 * - Palettes are expanded and bands selected in a VRT first (gdal_translate -of VRT), because
 *   gdalwarp 3.6 warps all of a source's bands and resampling palette indices mixes colours.
 * - A warp that has started cannot be interrupted; `close` waits for running ones.
 */
import gdal from 'gdal-async';
import type { RasterPreseedParams } from '../../../shared/contract.js';
import { AbortError } from '../../../shared/errors.js';
import { tileBoundsMercator } from '../../../shared/tile-grid.js';
import { webMercator } from '../../tiling/crs.js';
import { type DatasetInfo, unreadable } from './dataset-info.js';
import { type RenderSpec, insideFootprint } from './render-spec.js';

/** The pixels of one metatile, interleaved: colour channels then alpha (if any), row by row. */
export interface RenderedPixels {
  width: number;
  height: number;
  /** Colour channels, + 1 when `alpha`. */
  channels: number;
  /** False when the block was known to be wholly inside valid data and warped without alpha. */
  alpha: boolean;
  sample: 'byte' | 'float32';
  /** Uint8 or Float32 values; a fresh buffer each time, so it can be transferred to a worker. */
  data: ArrayBuffer;
}

/** The area to render: a block of tiles of zoom z. */
export interface RenderArea {
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  tileSize: number;
}

const GDAL_RESAMPLING: Record<RasterPreseedParams['resampling'], string> = {
  nearest: 'near',
  bilinear: 'bilinear',
  cubic: 'cubic',
  lanczos: 'lanczos',
  average: 'average',
};

let vrtCounter = 0;

export class WarpSource {
  private readonly idle: gdal.Dataset[];
  /** Leases waiting for a handle; `null` tells them the source closed. */
  private readonly waiting: ((ds: gdal.Dataset | null) => void)[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    readonly info: DatasetInfo,
    readonly spec: RenderSpec,
    private readonly handles: gdal.Dataset[],
    private readonly vrtPath: string | null,
  ) {
    this.idle = [...handles];
  }

  /** Opens `handles` dataset handles on the source (or on its band-selecting VRT). */
  static async open(info: DatasetInfo, spec: RenderSpec, handles: number): Promise<WarpSource> {
    let vrtPath: string | null = null;
    const opened: gdal.Dataset[] = [];
    try {
      let target = info.path;
      if (spec.vrtBands) {
        vrtPath = `/vsimem/tessera-raster-${process.pid}-${++vrtCounter}.vrt`;
        const source = await gdal.openAsync(info.path);
        try {
          const args = ['-of', 'VRT', ...spec.vrtBands.flatMap((b) => ['-b', String(b)]), ...(spec.expand ? ['-expand', spec.expand] : [])];
          const vrt = await gdal.translateAsync(vrtPath, source, args);
          vrt.close();
        } finally {
          source.close();
        }
        target = vrtPath;
      }
      for (let i = 0; i < handles; i++) opened.push(await gdal.openAsync(target));
      return new WarpSource(info, spec, opened, vrtPath);
    } catch (error) {
      for (const ds of opened) ds.close();
      if (vrtPath) releaseVsimem(vrtPath);
      throw unreadable(info.path, error);
    }
  }

  /** How many warps can run at once. */
  get concurrency(): number {
    return this.handles.length;
  }

  /**
   * Per colour band, the [min, max] stretched to 0–255 for non-8-bit data: the given range, or
   * ('auto') the band's stated statistics, else its min and max over a decimated read (GDAL reads
   * an overview when there is one). Nothing is written next to the dataset (no .aux.xml).
   */
  async stretch(scale: RasterPreseedParams['scale']): Promise<[number, number][] | null> {
    if (this.spec.sample === 'byte') return null;
    if (scale !== 'auto') return this.spec.colorBands.map(() => [scale[0], scale[1]]);
    return this.withHandle(async (ds) => {
      const ranges: [number, number][] = [];
      for (const n of this.spec.colorBands) {
        const band = await ds.bands.getAsync(n);
        const stated = this.spec.vrtBands ? this.info.bands[this.spec.vrtBands[n - 1]! - 1]!.statedRange : this.info.bands[n - 1]!.statedRange;
        ranges.push(stated ?? (await sampledRange(band, this.info.path)));
      }
      return ranges;
    });
  }

  /**
   * Warps the area into a fresh EPSG:3857 buffer with `resampling`; DATASET_UNREADABLE on a GDAL
   * error. An area wholly inside an opaque source's data is warped without the alpha band.
   */
  async render(area: RenderArea, resampling: RasterPreseedParams['resampling']): Promise<RenderedPixels> {
    const [west, , , north] = tileBoundsMercator(area.z, area.minX, area.minY);
    const [, south, east] = tileBoundsMercator(area.z, area.maxX, area.maxY);
    const alpha = !(this.spec.opaque && insideFootprint(this.info, [west, south, east, north]));
    return this.withHandle(async (ds) => {
      const width = (area.maxX - area.minX + 1) * area.tileSize;
      const height = (area.maxY - area.minY + 1) * area.tileSize;
      const channels = this.spec.colorBands.length + (alpha ? 1 : 0);
      const sample = this.spec.sample;
      const mem = await gdal.drivers.get('MEM').createAsync('', width, height, channels, sample === 'byte' ? gdal.GDT_Byte : gdal.GDT_Float32);
      try {
        // Sync calls on the fresh MEM dataset are safe: no async call has touched it yet.
        mem.srs = webMercator();
        mem.geoTransform = [west, (east - west) / width, 0, north, 0, -(north - south) / height];
        const args = ['-r', GDAL_RESAMPLING[resampling], '-et', '0.125'];
        if (alpha) args.push('-dstalpha', '-wo', 'DST_ALPHA_MAX=255');
        if (this.spec.alphaBand !== null) args.push('-srcalpha');
        try {
          await gdal.warpAsync(null, mem, [ds], args);
        } catch (error) {
          throw unreadable(this.info.path, error);
        }
        const bytesPerValue = sample === 'byte' ? 1 : 4;
        const data = new ArrayBuffer(width * height * channels * bytesPerValue);
        const view = sample === 'byte' ? new Uint8Array(data) : new Float32Array(data);
        // One read per band straight into its interleaved place (pixel_space in bytes, offset in values).
        for (let b = 1; b <= channels; b++) {
          const band = await mem.bands.getAsync(b);
          await band.pixels.readAsync(0, 0, width, height, view, {
            pixel_space: channels * bytesPerValue,
            line_space: width * channels * bytesPerValue,
            offset: b - 1,
          });
        }
        return { width, height, channels, alpha, sample, data };
      } finally {
        mem.close();
      }
    });
  }

  /** Closes the handles once the warps running on them have finished. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running]);
    for (const waiter of this.waiting.splice(0)) waiter(null);
    for (const ds of this.handles) ds.close();
    if (this.vrtPath) releaseVsimem(this.vrtPath);
  }

  private async withHandle<T>(work: (ds: gdal.Dataset) => Promise<T>): Promise<T> {
    const ds = await this.lease();
    const run = work(ds);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
      this.giveBack(ds);
    }
  }

  private lease(): Promise<gdal.Dataset> {
    if (this.closed) return Promise.reject(new AbortError('the source is closed'));
    const ds = this.idle.pop();
    if (ds) return Promise.resolve(ds);
    return new Promise((resolve, reject) =>
      this.waiting.push((next) => {
        if (this.closed || !next) reject(new AbortError('the source is closed'));
        else resolve(next);
      }),
    );
  }

  private giveBack(ds: gdal.Dataset): void {
    const next = this.waiting.shift();
    if (next) next(ds);
    else this.idle.push(ds);
  }
}

/** Min and max of a band over a read of at most 1024 × 1024 values, nodata and NaN left out. */
async function sampledRange(band: gdal.RasterBand, path: string): Promise<[number, number]> {
  const { x: width, y: height } = band.size;
  const scale = Math.min(1, 1024 / Math.max(width, height));
  const bufferWidth = Math.max(1, Math.round(width * scale));
  const bufferHeight = Math.max(1, Math.round(height * scale));
  let values: ArrayLike<number | bigint>;
  try {
    values = await band.pixels.readAsync(0, 0, width, height, undefined, {
      buffer_width: bufferWidth,
      buffer_height: bufferHeight,
      data_type: gdal.GDT_Float64,
    });
  } catch (error) {
    throw unreadable(path, error);
  }
  const noData = band.noDataValue;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (Number.isNaN(v) || v === noData) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min < max)) return Number.isFinite(min) ? [min, min + 1] : [0, 255];
  return [min, max];
}

function releaseVsimem(path: string): void {
  try {
    gdal.vsimem.release(path);
  } catch {
    // Already gone: nothing to free.
  }
}
