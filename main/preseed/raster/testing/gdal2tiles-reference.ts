/**
 * The reference that raster preseed output is held to: GDAL's own gdal2tiles.py (Debian's
 * python3-gdal, GDAL 3.6, run by /usr/bin/python3, which has `osgeo`), and a tile-by-tile
 * comparison of two outputs decoded with sharp. Used by the tests and the bench.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { flipY } from '../../../../shared/tile-grid.js';

const run = promisify(execFile);

export const GDAL2TILES = '/usr/bin/gdal2tiles.py';
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface Gdal2TilesOptions {
  minZoom: number;
  maxZoom: number;
  resampling: 'near' | 'bilinear' | 'cubic' | 'lanczos' | 'average';
  processes?: number;
  tileSize?: number;
}

/** Runs gdal2tiles.py --xyz into `outDir` (PNG tiles as z/x/y.png). */
export async function runGdal2Tiles(input: string, outDir: string, options: Gdal2TilesOptions): Promise<void> {
  const args = [
    GDAL2TILES,
    '--xyz',
    '-q',
    '-w',
    'none',
    `--processes=${options.processes ?? 1}`,
    '-z',
    `${options.minZoom}-${options.maxZoom}`,
    '-r',
    options.resampling,
  ];
  if (options.tileSize) args.push(`--tilesize=${options.tileSize}`);
  await run(SYSTEM_PYTHON, [...args, input, outDir], { maxBuffer: 16 * 1024 * 1024 });
}

/** Every tile of a z/x/y directory, keyed "z/x/y". */
export async function readTileDirectory(dir: string): Promise<Map<string, Buffer>> {
  const tiles = new Map<string, Buffer>();
  for (const z of await readdir(dir)) {
    if (!/^\d+$/.test(z)) continue;
    for (const x of await readdir(join(dir, z))) {
      for (const file of await readdir(join(dir, z, x))) {
        // GDAL leaves .aux.xml files beside some tiles.
        if (!/^\d+\.(png|jpg|jpeg|webp)$/.test(file)) continue;
        const y = file.split('.')[0]!;
        tiles.set(`${z}/${x}/${y}`, await readFile(join(dir, z, x, file)));
      }
    }
  }
  return tiles;
}

/** Every tile of an MBTiles file, keyed "z/x/y" (XYZ rows). */
export function readMbtilesTiles(path: string): Map<string, Buffer> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level z, tile_column x, tile_row r, tile_data d FROM tiles').all() as { z: number; x: number; r: number; d: Buffer }[];
    return new Map(rows.map((t) => [`${t.z}/${t.x}/${flipY(t.z, t.r)}`, t.d]));
  } finally {
    db.close();
  }
}

export interface TileDifference {
  /** Mean absolute difference per colour channel (0–255) over pixels opaque in both. */
  colour: number;
  /** Mean absolute difference of alpha over all pixels. */
  alpha: number;
  /** Pixels opaque in both tiles. */
  opaquePixels: number;
}

/** Decodes two encoded tiles to RGBA and measures how far apart they are. */
export async function compareTiles(a: Uint8Array, b: Uint8Array): Promise<TileDifference> {
  const [pa, pb] = await Promise.all([rgba(a), rgba(b)]);
  if (pa.width !== pb.width || pa.height !== pb.height) throw new Error(`tile sizes differ: ${pa.width}×${pa.height} and ${pb.width}×${pb.height}`);
  let colour = 0;
  let alpha = 0;
  let opaque = 0;
  for (let i = 0; i < pa.data.length; i += 4) {
    alpha += Math.abs(pa.data[i + 3]! - pb.data[i + 3]!);
    if (pa.data[i + 3] === 255 && pb.data[i + 3] === 255) {
      opaque++;
      colour += Math.abs(pa.data[i]! - pb.data[i]!) + Math.abs(pa.data[i + 1]! - pb.data[i + 1]!) + Math.abs(pa.data[i + 2]! - pb.data[i + 2]!);
    }
  }
  const pixels = pa.data.length / 4;
  return { colour: opaque > 0 ? colour / (opaque * 3) : 0, alpha: alpha / pixels, opaquePixels: opaque };
}

/** The decoded tile as 8-bit RGBA. */
export async function rgba(data: Uint8Array): Promise<{ width: number; height: number; data: Buffer }> {
  const { data: pixels, info } = await sharp(data).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: pixels };
}

/** Whether a decoded tile has any pixel that is not fully transparent. */
export async function hasContent(data: Uint8Array): Promise<boolean> {
  const { data: pixels } = await rgba(data);
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}

/**
 * The tiles of zoom z within a tile range as gdalwarp makes them in one call straight onto the
 * Web Mercator tile grid: the closest independent reference for where pixels belong, without
 * gdal2tiles' intermediate native-resolution VRT (nearest-neighbour), which shifts detailed
 * imagery by up to half a source pixel. Keyed "z/x/y", PNG-encoded.
 */
export async function gdalwarpTiles(
  input: string,
  workDir: string,
  range: { z: number; minX: number; minY: number; maxX: number; maxY: number },
  resampling: Gdal2TilesOptions['resampling'],
  tileSize = 256,
): Promise<Map<string, Buffer>> {
  const origin = 20037508.342789244;
  const size = (2 * origin) / 2 ** range.z;
  const west = -origin + range.minX * size;
  const north = origin - range.minY * size;
  const east = -origin + (range.maxX + 1) * size;
  const south = origin - (range.maxY + 1) * size;
  const columns = range.maxX - range.minX + 1;
  const rows = range.maxY - range.minY + 1;
  const mosaic = join(workDir, `gdalwarp-z${range.z}-${range.minX}-${range.minY}.tif`);
  await run('gdalwarp', [
    '-q',
    '-overwrite',
    '-t_srs',
    'EPSG:3857',
    '-te',
    String(west),
    String(south),
    String(east),
    String(north),
    '-ts',
    String(columns * tileSize),
    String(rows * tileSize),
    '-r',
    resampling,
    '-dstalpha',
    input,
    mosaic,
  ]);
  const tiles = new Map<string, Buffer>();
  for (let y = range.minY; y <= range.maxY; y++) {
    for (let x = range.minX; x <= range.maxX; x++) {
      const png = await sharp(mosaic)
        .extract({ left: (x - range.minX) * tileSize, top: (y - range.minY) * tileSize, width: tileSize, height: tileSize })
        .png()
        .toBuffer();
      tiles.set(`${range.z}/${x}/${y}`, png);
    }
  }
  return tiles;
}

/** Two tile sets compared: tiles only in one of them, and per zoom the mean and worst differences. */
export interface ComparisonResult {
  perZoom: Map<number, { tiles: number; colour: number; alpha: number; worst: number }>;
  onlyOurs: string[];
  onlyReference: string[];
}

/** Differences tile by tile, gathered per zoom: `means` gives each zoom's mean colour and alpha and its worst colour. */
export class PerZoomDifferences {
  private readonly perZoom: ComparisonResult['perZoom'] = new Map();

  add(key: string, d: { colour: number; alpha: number }): void {
    const z = Number(key.split('/')[0]);
    const s = this.perZoom.get(z) ?? { tiles: 0, colour: 0, alpha: 0, worst: 0 };
    s.tiles++;
    s.colour += d.colour;
    s.alpha += d.alpha;
    s.worst = Math.max(s.worst, d.colour);
    this.perZoom.set(z, s);
  }

  means(): ComparisonResult['perZoom'] {
    for (const s of this.perZoom.values()) {
      s.colour /= s.tiles;
      s.alpha /= s.tiles;
    }
    return this.perZoom;
  }
}

/** Compares our MBTiles with gdal2tiles' directory: the same tiles with content, and per-zoom mean differences. */
export async function compareWithGdal2Tiles(ours: string, reference: string): Promise<ComparisonResult> {
  const a = readMbtilesTiles(ours);
  const b = await readTileDirectory(reference);
  const onlyOurs = [...a.keys()].filter((k) => !b.has(k));
  const onlyReference: string[] = [];
  for (const [k, data] of b) if (!a.has(k) && (await hasContent(data))) onlyReference.push(k);
  const perZoom = new PerZoomDifferences();
  for (const [k, data] of a) {
    const ref = b.get(k);
    if (!ref) continue;
    const d: TileDifference = await compareTiles(data, ref);
    perZoom.add(k, d);
  }
  return { perZoom: perZoom.means(), onlyOurs, onlyReference };
}

/** The same tiles with content on both sides, and per zoom the differences under the limits. */
export function assertClose(result: ComparisonResult, limits: { colour: number; alpha: number; worst: number }, label: string): void {
  assert.deepEqual(result.onlyOurs, [], `${label}: tiles only we made`);
  assert.deepEqual(result.onlyReference, [], `${label}: tiles with content only gdal2tiles made`);
  assert.ok(result.perZoom.size > 0, `${label}: nothing compared`);
  for (const [z, s] of result.perZoom) {
    const at = `${label} z${z} (${s.tiles} tiles): mean colour ${s.colour.toFixed(2)}, alpha ${s.alpha.toFixed(2)}, worst tile ${s.worst.toFixed(2)}`;
    assert.ok(s.colour < limits.colour, at);
    assert.ok(s.alpha < limits.alpha, at);
    assert.ok(s.worst < limits.worst, at);
  }
}

/** The DEM stretched as `gdal_translate -ot Byte -scale min max 0 255` does (a VRT in `dir`): what gdal2tiles is given for scale auto. */
export function demScaledLikeGdalTranslate(dem: string, dir: string): string {
  // gdalinfo -mm computes the exact min/max without writing an .aux.xml next to the DEM.
  const mm = execFileSync('gdalinfo', ['-mm', dem], { encoding: 'utf8' }).match(/Computed Min\/Max=(-?[\d.]+),(-?[\d.]+)/)!;
  const scaled = join(dir, 'dem-scaled.vrt');
  execFileSync('gdal_translate', ['-q', '-of', 'VRT', '-ot', 'Byte', '-scale', mm[1]!, mm[2]!, '0', '255', dem, scaled]);
  return scaled;
}
