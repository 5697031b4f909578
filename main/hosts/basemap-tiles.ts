/**
 * The offline basemap's tiles: `tiles/basemap/{z}/{x}/{y}` on the app's own origin, from the vector
 * PMTiles that the build makes with Tessera's own vector preseed (scripts/make-basemap.mjs, Natural
 * Earth land and countries, z0–6) into dist/basemap/.
 *
 * It goes through the same tile route as the caches (so the same session check, and the same
 * gzip handling in each host) under a fixed id that can never be a registry id (those are 12 hex
 * digits), so the page needs no path and nothing is fetched from the internet. A tile of open sea
 * (the archive holds none) within its zooms is an empty answer (the route's quiet 204); a missing
 * file (a build without the basemap step) answers every tile with a 404, which the map draws as nothing.
 */
import { fileURLToPath } from 'node:url';
import { type TileResponse, absentTile, tileResponse } from '../tile-cache/cache-registry.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import type { TileCacheReader } from '../tile-cache/tile-cache.js';
import type { TileSource } from './tile-route.js';

/** The id of the basemap in tile URLs: `tiles/basemap/{z}/{x}/{y}`. */
export const BASEMAP_ID = 'basemap';

/** Where the build puts the basemap: dist/basemap/world.pmtiles, beside dist/main/. */
export function defaultBasemapPath(): string {
  return fileURLToPath(new URL('../../basemap/world.pmtiles', import.meta.url));
}

/** The basemap archive, opened on its first tile and kept open (it is read-only and small). */
export class BasemapTiles {
  private reader: Promise<TileCacheReader | null> | null = null;
  /** The archive's zooms, read once: a tile it lacks within them is empty sea, not an error. */
  private zooms: Promise<{ minZoom: number; maxZoom: number }> | null = null;

  constructor(readonly path: string = defaultBasemapPath()) {}

  /** Tile z/x/y (XYZ) of the basemap, or null when it has no such tile or there is no basemap file. */
  async tile(z: number, x: number, y: number): Promise<TileResponse | null> {
    // A failed open is not remembered as a failure for good: the build may write the file later.
    this.reader ??= openTileCache(this.path).catch(() => {
      this.reader = null;
      return null;
    });
    const reader = await this.reader;
    if (reader === null) return null;
    const data = await reader.readTile(z, x, y);
    if (data === null) {
      this.zooms ??= reader.zoomLevels().then((levels) => ({ minZoom: levels[0]?.z ?? 0, maxZoom: levels.at(-1)?.z ?? -1 }));
      return absentTile(await this.zooms, z);
    }
    return tileResponse(data, 'pbf', reader.metadata.tile_compression);
  }

  /** Closes the archive; a later tile opens it again. */
  async close(): Promise<void> {
    const reader = await this.reader;
    this.reader = null;
    this.zooms = null;
    await reader?.close();
  }
}

/** `caches` with the basemap answering under BASEMAP_ID: what both hosts give their tile route. */
export function withBasemap(caches: TileSource, basemap: Pick<BasemapTiles, 'tile'>): TileSource {
  return { tile: (id, z, x, y) => (id === BASEMAP_ID ? basemap.tile(z, x, y) : caches.tile(id, z, x, y)) };
}
