/**
 * What the tile-writer tests share: real tiles to write (GDAL's own PNG hillshade and gzipped MVT
 * countries, from main/testing/real-data.ts), GDAL's view of a file, digests to prove a refused
 * file was not touched, and a small real volume that can be filled up to make writes fail.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, after, before } from 'node:test';
import { promisify } from 'node:util';
import type { Bbox } from '../../../shared/contract.js';
import type { TesseraError } from '../../../shared/errors.js';
import { countriesMbtiles, hillshadeMbtiles } from '../../testing/real-data.js';
import { makeTempDir } from './gdal-fixtures.js';
import { openMbtiles } from '../mbtiles-reader.js';
import { isTileInGrid, type TileCacheReader, type TileRecord } from '../tile-cache.js';
import type { VectorLayerMetadata } from '../tile-writer.js';

const run = promisify(execFile);

export interface RealTiles {
  tiles: TileRecord[];
  bounds: Bbox;
  minzoom: number;
  maxzoom: number;
  /** The source file, for comparing GDAL's view of it with GDAL's view of a copy. */
  source: string;
}

/** Every tile of a reader, zoom by zoom. */
export async function allTiles(reader: TileCacheReader): Promise<TileRecord[]> {
  const tiles: TileRecord[] = [];
  for (const { z } of await reader.zoomLevels()) tiles.push(...(await reader.readBatch(z, null, 1_000_000)));
  return tiles;
}

/** Every tile and the metadata of the cache `opening` opens; the reader is closed again. */
export async function readBack(opening: Promise<TileCacheReader>): Promise<{ tiles: TileRecord[]; metadata: Record<string, string> }> {
  const reader = await opening;
  try {
    return { tiles: await allTiles(reader), metadata: reader.metadata };
  } finally {
    await reader.close();
  }
}

/** The same z/x/y names with the same bytes, in any order. */
export function assertSameTiles(actual: readonly TileRecord[], expected: readonly TileRecord[]): void {
  const names = (tiles: readonly TileRecord[]) => tiles.map((t) => `${t.z}/${t.x}/${t.y}`).sort();
  assert.deepEqual(names(actual), names(expected));
  const byName = new Map(expected.map((t) => [`${t.z}/${t.x}/${t.y}`, t.data]));
  for (const t of actual) assert.deepEqual(Buffer.from(t.data), Buffer.from(byName.get(`${t.z}/${t.x}/${t.y}`)!), `${t.z}/${t.x}/${t.y}`);
}

async function realTiles(source: string): Promise<RealTiles> {
  const reader = await openMbtiles(source);
  try {
    // GDAL's MVT writer leaves a few tiles outside the grid at z0–2 (it does not clip): not tiles a preseed makes.
    const tiles = (await allTiles(reader)).filter((t) => isTileInGrid(t.z, t.x, t.y));
    const bounds = reader.metadata.bounds!.split(',').map(Number) as Bbox;
    const zooms = tiles.map((t) => t.z);
    return { tiles, bounds, minzoom: Math.min(...zooms), maxzoom: Math.max(...zooms), source };
  } finally {
    await reader.close();
  }
}

/** The SRTM hillshade's PNG tiles (z7–10, 41 tiles), as GDAL wrote them. */
export function hillshadeTiles(dir: string): Promise<RealTiles> {
  return realTiles(hillshadeMbtiles(dir));
}

/** Natural Earth countries as gzipped MVT tiles (z0–4), as GDAL's MVT writer made them. */
export function countriesTiles(dir: string): Promise<RealTiles> {
  return realTiles(countriesMbtiles(dir));
}

/** What a writer test file works with: a temp dir and real tiles, made before its tests, removed after. */
export interface RealTileBed {
  readonly dir: string;
  readonly hillshade: RealTiles;
  readonly countries: RealTiles;
  /** The hillshade's tiles of zoom `z`. */
  at(z: number): TileRecord[];
}

/** Registers the before/after hooks of a test file and returns its bed (filled once `before` ran). */
export function realTileBed(prefix: string): RealTileBed {
  let made: { dir: string; cleanup: () => Promise<void>; hillshade: RealTiles; countries: RealTiles } | undefined;
  const get = () => {
    if (made === undefined) throw new Error('the real tiles are made in before(): use them inside tests');
    return made;
  };
  before(async () => {
    const { dir, cleanup } = await makeTempDir(prefix);
    made = { dir, cleanup, hillshade: await hillshadeTiles(dir), countries: await countriesTiles(dir) };
  });
  after(() => made?.cleanup());
  return {
    get dir() {
      return get().dir;
    },
    get hillshade() {
      return get().hillshade;
    },
    get countries() {
      return get().countries;
    },
    at: (z) => get().hillshade.tiles.filter((t) => t.z === z),
  };
}

/** The layer GDAL wrote into the countries tiles. */
export const COUNTRIES_LAYER: VectorLayerMetadata = { id: 'countries', minzoom: 0, maxzoom: 4, fields: { id: 'String', name: 'String' } };

/** `gdalinfo -json -checksum` of a raster. */
export async function gdalInfo(path: string): Promise<GdalInfo> {
  const { stdout } = await run('gdalinfo', ['-json', '-checksum', path]);
  return JSON.parse(stdout) as GdalInfo;
}

export interface GdalInfo {
  driverShortName: string;
  size: [number, number];
  geoTransform: number[];
  metadata: Record<string, Record<string, string>>;
  bands: { checksum: number; overviews?: { size: [number, number]; checksum: number }[] }[];
  wgs84Extent: { coordinates: [number, number][][] };
}

/** `ogrinfo -ro -so -al` of a vector source: its layers with geometry type and feature count. */
export async function ogrLayers(path: string): Promise<{ name: string; geometry: string; features: number; fields: string[] }[]> {
  const { stdout } = await run('ogrinfo', ['-ro', '-so', '-al', path]);
  const layers: { name: string; geometry: string; features: number; fields: string[] }[] = [];
  for (const block of stdout.split(/\n(?=Layer name: )/).slice(1)) {
    const value = (label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(block)?.[1] ?? '';
    const fields = [...block.matchAll(/^(\w+): (?:String|Integer|Integer64|Real)/gm)].map((m) => m[1]!);
    layers.push({ name: value('Layer name'), geometry: value('Geometry'), features: Number(value('Feature Count')), fields });
  }
  return layers;
}

/** Size, modification time and SHA-256 of a file: equal before and after means untouched. */
export async function fingerprint(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size}:${info.mtimeMs}:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}

/** A small tmpfs whose free space can be taken away and given back. */
export interface SmallVolume {
  path: string;
  /** Fills the volume to the last byte. */
  fill(): Promise<void>;
  /** Frees what `fill` took. */
  free(): Promise<void>;
}

/** Fills `volume`, then checks that `write` fails with a transient WRITE_FAILED naming `path`, its errno matching. */
export async function assertFailsWhenFull(volume: SmallVolume, write: () => Promise<void>, path: string, errno: RegExp): Promise<void> {
  await volume.fill();
  await assert.rejects(write(), (e: TesseraError) => {
    assert.equal(e.code, 'WRITE_FAILED');
    assert.equal(e.transient, true);
    assert.ok(e.message.includes(path), e.message);
    assert.match(String((e.details as { errno?: string }).errno), errno);
    return true;
  });
}

/**
 * Runs `use` with a tmpfs of `megabytes` mounted at `<dir>/<name>`, unmounted afterwards. Mounting
 * needs root (as in CI): elsewhere the test is skipped with that reason rather than failed.
 */
export async function withSmallVolume(t: TestContext, dir: string, megabytes: number, use: (volume: SmallVolume) => Promise<void>): Promise<void> {
  const path = join(dir, `volume-${megabytes}m-${Date.now()}`);
  await mkdir(path, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path]);
  } catch {
    t.skip('mounting a tmpfs needs root');
    return;
  }
  const filler = join(path, 'filler');
  try {
    await use({
      path,
      async fill() {
        const { bavail, bsize } = await statfs(path);
        await writeFile(filler, Buffer.alloc(bavail * bsize)).catch((error: { code?: unknown }) => {
          if (error.code !== 'ENOSPC') throw error;
        });
      },
      async free() {
        await rm(filler, { force: true });
      },
    });
  } finally {
    await run('umount', [path]);
  }
}
