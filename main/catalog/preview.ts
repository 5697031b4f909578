/**
 * A look at a dataset without a tile cache: one RGBA picture of it in Web Mercator, at most
 * 512 × 512 px and aligned to the tile grid, drawn by GDAL (rasterized features, or the raster
 * warped and stretched to 8 bits). From it come the catalogue's thumbnail and a small raster
 * MBTiles (PNG tiles cut straight from the picture, and halved down to one tile) that the map screen
 * opens with `caches.open` like any other cache. Encoding is sharp's; the tiles (at most a few
 * dozen) go through the MBTiles writer the preseeds use, in one batch.
 *
 * Vectors are previewed as a picture on purpose: a GeoPackage is not a tile cache, and cutting
 * vector tiles is the preseed's job (the catalogue offers it). Drawing is bounded by the picture's
 * size, so a preview of two million points costs one GDAL rasterize pass, not a tiling run.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import gdal from 'gdal-async';
import sharp from 'sharp';
import type { Bbox } from '../../shared/contract.js';
import { throwIfAborted } from '../../shared/errors.js';
import { settleAll } from './settle-all.js';
import { openMbtilesWriter } from '../tile-cache/mbtiles-writer.js';
import { webMercator } from '../tiling/crs.js';
import { type TileRange, clampLatitude, lonLatToMercator, tileBoundsMercator, tileRange } from '../../shared/tile-grid.js';
import type { DatasetDescription } from './describe.js';

const TILE = 256;
/** The picture spans at most this many tiles each way (512 px: a look, drawn in a fraction of the import's time). */
const MAX_TILES = 2;
/** Deeper than this a picture would only show a few pixels of a point: stop there. */
const MAX_ZOOM = 16;
/** The thumbnail's box in pixels: small, because every catalogue page carries one per dataset (~1–12 KB). */
const THUMBNAIL_SIZE = 128;

export interface Preview {
  /** The MBTiles written (at `mbtilesPath`), or null when the dataset has nothing to draw. */
  mbtiles: string | null;
  /** A PNG data: URL. */
  thumbnail: string | null;
}

/** The picture's place: a block of whole tiles at one zoom level. */
export interface PictureFrame {
  range: TileRange;
  /** Its Web Mercator box. */
  extent: [number, number, number, number];
  width: number;
  height: number;
}

/** A picture: RGBA bytes over a frame. */
interface Picture extends PictureFrame {
  rgba: Uint8Array;
}

/** Draws `file` (described by `description`) and writes its preview MBTiles to `mbtilesPath`. */
export async function renderPreview(file: string, description: DatasetDescription, mbtilesPath: string, name: string, signal?: AbortSignal): Promise<Preview> {
  if (description.bounds === null) return { mbtiles: null, thumbnail: null };
  const frame = pictureFrame(description.bounds);
  const every = description.kind === 'vector' ? sampleEvery((await stat(file)).size) : 1;
  const picture = description.kind === 'vector' ? await drawVector(file, description, frame, every, signal) : await drawRaster(file, frame);
  throwIfAborted(signal);
  const [thumbnail] = await Promise.all([thumbnailOf(picture, description.bounds), writeMbtiles(picture, mbtilesPath, name, description.bounds)]);
  return { mbtiles: mbtilesPath, thumbnail };
}

/** A vector dataset file up to this size is drawn whole; a larger one from a sample of about this much. */
export const PREVIEW_FULL_BYTES = 32 * 1024 * 1024;

/**
 * Every how many features (by FID) a vector preview draws: 1 up to PREVIEW_FULL_BYTES, then so that
 * about that many bytes are read, whatever the file's size. Why: drawing reads every geometry, and
 * a picture of 512 px does not need them all to show where the data is; a sample keeps the time and
 * memory of one dataset's preview bounded (107 MB of coastlines: about a third of the features).
 */
export function sampleEvery(fileBytes: number): number {
  return Math.max(1, Math.ceil(fileBytes / PREVIEW_FULL_BYTES));
}

/** The deepest zoom level at which the bounds fit in 2 × 2 tiles (16 at most), and that block of tiles. */
export function pictureFrame(bounds: Bbox): PictureFrame {
  const box: Bbox = [bounds[0], clampLatitude(bounds[1]), bounds[2], clampLatitude(bounds[3])];
  for (let z = MAX_ZOOM; ; z--) {
    const r = tileRange(box, z);
    const range = { ...r, maxX: Math.max(r.minX, r.maxX), maxY: Math.max(r.minY, r.maxY) };
    const cols = range.maxX - range.minX + 1;
    const rows = range.maxY - range.minY + 1;
    if ((cols <= MAX_TILES && rows <= MAX_TILES) || z === 0) {
      const [x0, , , y1] = tileBoundsMercator(z, range.minX, range.minY);
      const [, y0, x1] = tileBoundsMercator(z, range.maxX, range.maxY);
      return { range, extent: [x0, y0, x1, y1], width: cols * TILE, height: rows * TILE };
    }
  }
}
async function memDataset(width: number, height: number, bands: number, extent: [number, number, number, number]): Promise<gdal.Dataset> {
  const ds = await gdal.drivers.get('MEM').createAsync('', width, height, bands, gdal.GDT_Byte);
  const [x0, y0, x1, y1] = extent;
  ds.geoTransform = [x0, (x1 - x0) / width, 0, y1, 0, -(y1 - y0) / height];
  ds.srs = webMercator();
  return ds;
}

const FILL = [56, 132, 196, 150];
const OUTLINE = [24, 72, 128, 255];
const LINE = [20, 60, 110, 255];
const POINT = [200, 60, 40, 255];

/** Layers drawn at once, each into its own canvas from its own dataset handle (GDAL serialises calls on one handle). */
const DRAW_CONCURRENCY = 2;

/**
 * Polygons filled with an outline, then lines, then points (3×3 dots), each layer in its own CRS.
 * Layers are rasterized side by side on GDAL's thread pool, then merged: points over lines over
 * polygons.
 */
async function drawVector(file: string, description: DatasetDescription, frame: PictureFrame, every: number, signal?: AbortSignal): Promise<Picture> {
  const { width, height, extent } = frame;
  const burn = (geometryType: string | null) => (geometryType === null ? 0 : /polygon|surface/i.test(geometryType) ? 1 : /point/i.test(geometryType) ? 3 : 2);
  const queue = description.layers.filter((l) => burn(l.geometryType) > 0 && l.featureCount > 0);
  const values = new Uint8Array(width * height);
  const lane = async () => {
    const source = await gdal.openAsync(file);
    const canvas = await memDataset(width, height, 1, extent);
    try {
      for (let layer = queue.shift(); layer; layer = queue.shift()) {
        throwIfAborted(signal);
        const value = burn(layer.geometryType);
        const band = await canvas.bands.getAsync(1);
        await band.fillAsync(0);
        // ROWID is a GeoPackage's FID: a sample spread evenly over the layer (sampleEvery).
        const from = every > 1 ? ['-sql', `SELECT * FROM "${layer.name.replaceAll('"', '""')}" WHERE ROWID % ${every} = 0`] : ['-l', layer.name];
        await gdal.rasterizeAsync(canvas, source, [...from, '-burn', String(value)]);
        const drawn = (await band.pixels.readAsync(0, 0, width, height)) as Uint8Array;
        for (let i = 0; i < drawn.length; i++) if (drawn[i]! > values[i]!) values[i] = drawn[i]!;
      }
    } finally {
      canvas.close();
      source.close();
    }
  };
  // A lane that stops (aborted, or failed) must not hand back while the other still rasterizes: the
  // caller goes on to close the engine, and that lane's handles with it.
  await settleAll(Array.from({ length: Math.min(DRAW_CONCURRENCY, Math.max(1, queue.length)) }, lane));
  return { ...frame, rgba: colourise(values, width, height) };
}

/** Burn values to colours: polygon edges darker, points grown to 3×3 so they show. */
export function colourise(values: Uint8Array, width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const put = (i: number, colour: number[]) => rgba.set(colour, i * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = values[i]!;
      if (v === 1) {
        const edge =
          x === 0 ||
          y === 0 ||
          x === width - 1 ||
          y === height - 1 ||
          values[i - 1] !== 1 ||
          values[i + 1] !== 1 ||
          values[i - width] !== 1 ||
          values[i + width] !== 1;
        put(i, edge ? OUTLINE : FILL);
      } else if (v === 2) put(i, LINE);
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (values[y * width + x] !== 3) continue;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && x + dx < width && y + dy >= 0 && y + dy < height) put((y + dy) * width + x + dx, POINT);
    }
  }
  return rgba;
}

/** The raster warped into the frame: 16-bit and float data stretched over its min–max, palettes expanded. */
async function drawRaster(file: string, frame: PictureFrame): Promise<Picture> {
  const { width, height, extent } = frame;
  const source = await gdal.openAsync(file);
  const vrtPath = `/vsimem/tessera-preview-${randomBytes(6).toString('hex')}.vrt`;
  let vrt: gdal.Dataset | null = null;
  let warped: gdal.Dataset | null = null;
  try {
    const band = await source.bands.getAsync(1);
    const bands = await source.bands.countAsync();
    const args = ['-of', 'VRT'];
    const paletted = band.colorInterpretation === 'Palette' || Boolean(band.colorTable);
    // Read at about the picture's resolution: GDAL then takes the raster's overviews, rather than
    // every pixel of a gigabyte to average them down to 512.
    const { x: sourceWidth, y: sourceHeight } = source.rasterSize;
    const scale = Math.min(1, (2 * Math.max(width, height)) / Math.max(sourceWidth, sourceHeight));
    if (scale < 1)
      args.push(
        '-outsize',
        String(Math.max(1, Math.round(sourceWidth * scale))),
        String(Math.max(1, Math.round(sourceHeight * scale))),
        '-r',
        paletted ? 'nearest' : 'average',
      );
    if (paletted) args.push('-expand', 'rgb');
    else if (band.dataType !== gdal.GDT_Byte) {
      const stats = await band.computeStatisticsAsync(true);
      args.push('-ot', 'Byte', '-scale', String(stats.min), String(stats.max === stats.min ? stats.min + 1 : stats.max), '0', '255');
    }
    // Only what a picture can show: grey, grey + alpha, RGB or RGBA.
    if (bands > 4) args.push('-b', '1', '-b', '2', '-b', '3');
    vrt = await gdal.translateAsync(vrtPath, source, args);
    const count = (await vrt.bands.countAsync()) + 1;
    warped = await memDataset(width, height, count, extent);
    await gdal.warpAsync(null, warped, [vrt], ['-r', 'average', '-dstalpha']);
    const planes: Uint8Array[] = [];
    for (let b = 1; b <= count; b++) planes.push((await (await warped.bands.getAsync(b)).pixels.readAsync(0, 0, width, height)) as Uint8Array);
    return { ...frame, rgba: interleave(planes, width * height) };
  } finally {
    warped?.close();
    vrt?.close();
    source.close();
    try {
      gdal.vsimem.release(vrtPath);
    } catch {
      // translate may not have written it
    }
  }
}

/** Planes (grey|RGB, optional source alpha, warp alpha last) as RGBA. */
export function interleave(planes: readonly Uint8Array[], pixels: number): Uint8Array {
  const alpha = planes[planes.length - 1]!;
  const colour = planes.length >= 4 ? planes.slice(0, 3) : [planes[0]!, planes[0]!, planes[0]!];
  const sourceAlpha = planes.length === 5 || planes.length === 3 ? planes[planes.length - 2] : undefined;
  const rgba = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    rgba[i * 4] = colour[0]![i]!;
    rgba[i * 4 + 1] = colour[1]![i]!;
    rgba[i * 4 + 2] = colour[2]![i]!;
    rgba[i * 4 + 3] = sourceAlpha ? Math.min(alpha[i]!, sourceAlpha[i]!) : alpha[i]!;
  }
  return rgba;
}

/** The picture cropped to the data's own box, fitted into the thumbnail's square. */
async function thumbnailOf(picture: Picture, bounds: Bbox): Promise<string> {
  const [x0, y0, x1, y1] = picture.extent;
  const toPx = (lon: number, lat: number) => {
    const [mx, my] = lonLatToMercator(lon, lat);
    return [((mx - x0) / (x1 - x0)) * picture.width, ((y1 - my) / (y1 - y0)) * picture.height] as const;
  };
  const [left, top] = toPx(bounds[0], bounds[3]);
  const [right, bottom] = toPx(bounds[2], bounds[1]);
  const crop = {
    left: Math.max(0, Math.min(picture.width - 1, Math.floor(left))),
    top: Math.max(0, Math.min(picture.height - 1, Math.floor(top))),
    width: 1,
    height: 1,
  };
  crop.width = Math.max(1, Math.min(picture.width - crop.left, Math.ceil(right) - crop.left));
  crop.height = Math.max(1, Math.min(picture.height - crop.top, Math.ceil(bottom) - crop.top));
  const png = await sharp(Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, picture.rgba.byteLength), {
    raw: { width: picture.width, height: picture.height, channels: 4 },
  })
    .extract(crop)
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' })
    .png({ compressionLevel: 9, palette: true, colours: 64, dither: 0 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/**
 * The picture as an MBTiles: its tiles at its own zoom, then each zoom level above made by halving
 * the level below, until the data fits one tile. Fully transparent tiles are left out (a missing
 * tile draws as empty). Written beside its final name, then renamed.
 */
async function writeMbtiles(picture: Picture, path: string, name: string, bounds: Bbox): Promise<void> {
  const levels: { range: TileRange; rgba: Buffer; width: number; height: number }[] = [];
  let level = {
    range: picture.range,
    rgba: Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, picture.rgba.byteLength),
    width: picture.width,
    height: picture.height,
  };
  levels.push(level);
  while (level.range.z > 0 && (level.range.minX !== level.range.maxX || level.range.minY !== level.range.maxY)) {
    level = await halve(level);
    levels.push(level);
  }
  const tiles: { z: number; x: number; y: number; png: Promise<Buffer> }[] = [];
  for (const l of levels) {
    for (let ty = l.range.minY; ty <= l.range.maxY; ty++) {
      for (let tx = l.range.minX; tx <= l.range.maxX; tx++) {
        const left = (tx - l.range.minX) * TILE;
        const top = (ty - l.range.minY) * TILE;
        if (transparent(l.rgba, l.width, left, top)) continue;
        // Cut here rather than by sharp's extract, which would take in the whole picture per tile.
        const tile = Buffer.alloc(TILE * TILE * 4);
        for (let row = 0; row < TILE; row++) l.rgba.copy(tile, row * TILE * 4, ((top + row) * l.width + left) * 4, ((top + row) * l.width + left + TILE) * 4);
        tiles.push({
          z: l.range.z,
          x: tx,
          y: ty,
          png: sharp(tile, { raw: { width: TILE, height: TILE, channels: 4 } })
            .png({ compressionLevel: 6 })
            .toBuffer(),
        });
      }
    }
  }
  // Encoded side by side on sharp's threads.
  const pngs = await Promise.all(tiles.map((t) => t.png));
  const partial = `${path}.${randomBytes(4).toString('hex')}.part`;
  try {
    const writer = await openMbtilesWriter(partial, { format: 'png', name, writtenTimes: false });
    try {
      await writer.write(tiles.map((t, i) => ({ z: t.z, x: t.x, y: t.y, data: pngs[i]! })));
      await writer.finish({
        name,
        format: 'png',
        type: 'overlay',
        version: '1.3',
        description: `Preview of ${name}`,
        bounds,
        minzoom: levels.at(-1)!.range.z,
        maxzoom: picture.range.z,
      });
    } finally {
      await writer.close();
    }
    await rename(partial, path);
  } catch (error) {
    await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${partial}${suffix}`, { force: true })));
    throw error;
  }
}

/** The level above: the tiles' parents, each made of its four children scaled to half. */
async function halve(level: {
  range: TileRange;
  rgba: Buffer;
  width: number;
  height: number;
}): Promise<{ range: TileRange; rgba: Buffer; width: number; height: number }> {
  const r = level.range;
  const range: TileRange = { z: r.z - 1, minX: r.minX >> 1, minY: r.minY >> 1, maxX: r.maxX >> 1, maxY: r.maxY >> 1 };
  const width = (range.maxX - range.minX + 1) * TILE;
  const height = (range.maxY - range.minY + 1) * TILE;
  const half = await sharp(level.rgba, { raw: { width: level.width, height: level.height, channels: 4 } })
    .resize(level.width / 2, level.height / 2)
    .raw()
    .toBuffer();
  const rgba = await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([
      {
        input: half,
        raw: { width: level.width / 2, height: level.height / 2, channels: 4 },
        left: (r.minX - range.minX * 2) * (TILE / 2),
        top: (r.minY - range.minY * 2) * (TILE / 2),
      },
    ])
    .raw()
    .toBuffer();
  return { range, rgba, width, height };
}

function transparent(rgba: Buffer, width: number, left: number, top: number): boolean {
  for (let y = top; y < top + TILE; y++) {
    const row = (y * width + left) * 4;
    for (let x = 3; x < TILE * 4; x += 4) if (rgba[row + x] !== 0) return false;
  }
  return true;
}
