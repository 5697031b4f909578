/**
 * gdal2tiles' output kept small: every tile it made, as an 8×8 RGBA thumbnail (the mean of each
 * 32×32 block of the 256-px tile), or null for a tile with no visible pixel: about 350 bytes a tile. Our tiles are shrunk
 * the same way and compared with the same per-zoom limits as the live comparison: a mean over a
 * block is never further apart than the pixels it averages, so what passes live passes here, and
 * a shift by a fraction of a tile, a colour or stretch change, a missing or extra tile fails here
 * too. Finer drift (a pixel or two) is for the live comparison in the reference suite.
 */
import { PerZoomDifferences, hasContent, readMbtilesTiles, readTileDirectory, rgba, type ComparisonResult } from './gdal2tiles-reference.js';

export const THUMBNAIL = 8;

export interface GoldenTiles {
  /** What made the tiles, for the reader of the file. */
  tool: string;
  /** Thumbnail side in pixels. */
  thumbnail: number;
  /** "z/x/y" → base64 of the thumbnail's RGBA bytes, or null when the tile has no visible pixel. */
  tiles: Record<string, string | null>;
}

/** The tile shrunk to THUMBNAIL×THUMBNAIL RGBA by block means (rounded). */
export async function thumbnail(data: Uint8Array): Promise<Buffer> {
  const { width, height, data: px } = await rgba(data);
  const bw = width / THUMBNAIL;
  const bh = height / THUMBNAIL;
  if (!Number.isInteger(bw) || !Number.isInteger(bh)) throw new Error(`tile ${width}×${height} is not a multiple of ${THUMBNAIL}`);
  const out = Buffer.alloc(THUMBNAIL * THUMBNAIL * 4);
  for (let ty = 0; ty < THUMBNAIL; ty++) {
    for (let tx = 0; tx < THUMBNAIL; tx++) {
      const sum = [0, 0, 0, 0];
      for (let y = ty * bh; y < (ty + 1) * bh; y++) {
        for (let x = tx * bw; x < (tx + 1) * bw; x++) {
          const i = (y * width + x) * 4;
          for (let c = 0; c < 4; c++) sum[c]! += px[i + c]!;
        }
      }
      for (let c = 0; c < 4; c++) out[(ty * THUMBNAIL + tx) * 4 + c] = Math.round(sum[c]! / (bw * bh));
    }
  }
  return out;
}

/** The golden form of a z/x/y tile directory (gdal2tiles' output). */
export async function goldenFromDirectory(dir: string, tool: string): Promise<GoldenTiles> {
  const tiles = await readTileDirectory(dir);
  const keys = [...tiles.keys()].sort(byTile);
  const out: Record<string, string | null> = {};
  for (const key of keys) {
    const data = tiles.get(key)!;
    out[key] = (await hasContent(data)) ? (await thumbnail(data)).toString('base64') : null;
  }
  return { tool, thumbnail: THUMBNAIL, tiles: out };
}

function byTile(a: string, b: string): number {
  const pa = a.split('/').map(Number);
  const pb = b.split('/').map(Number);
  return pa[0]! - pb[0]! || pa[1]! - pb[1]! || pa[2]! - pb[2]!;
}

/** Differences of two thumbnails, measured as compareTiles measures tiles. */
function thumbnailDifference(a: Buffer, b: Buffer): { colour: number; alpha: number } {
  let colour = 0;
  let alpha = 0;
  let opaque = 0;
  for (let i = 0; i < a.length; i += 4) {
    alpha += Math.abs(a[i + 3]! - b[i + 3]!);
    if (a[i + 3] === 255 && b[i + 3] === 255) {
      opaque++;
      colour += Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!);
    }
  }
  return { colour: opaque > 0 ? colour / (opaque * 3) : 0, alpha: alpha / (a.length / 4) };
}

/** Our MBTiles against the golden tiles: the same result the live comparison gives (compareWithGdal2Tiles). */
export async function compareWithGolden(ours: string, golden: GoldenTiles, zooms?: number[]): Promise<ComparisonResult> {
  if (golden.thumbnail !== THUMBNAIL) throw new Error(`golden thumbnails are ${golden.thumbnail} px, this code makes ${THUMBNAIL}: run with UPDATE=1`);
  const mine = readMbtilesTiles(ours);
  const inZoom = (key: string) => !zooms || zooms.includes(Number(key.split('/')[0]));
  const reference = new Map(Object.entries(golden.tiles).filter(([k]) => inZoom(k)));
  const onlyOurs = [...mine.keys()].filter((k) => inZoom(k) && !reference.has(k));
  const onlyReference = [...reference].filter(([k, t]) => t !== null && !mine.has(k)).map(([k]) => k);
  const empty = Buffer.alloc(THUMBNAIL * THUMBNAIL * 4);
  const perZoom = new PerZoomDifferences();
  for (const [key, data] of mine) {
    if (!reference.has(key)) continue;
    const ref = reference.get(key);
    const d = thumbnailDifference(await thumbnail(data), ref ? Buffer.from(ref, 'base64') : empty);
    perZoom.add(key, d);
  }
  return { perZoom: perZoom.means(), onlyOurs, onlyReference };
}
