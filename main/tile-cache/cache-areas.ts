/**
 * The separate areas a cache covers (Chicago and Sweden in one MBTiles), found from its tiles: the
 * map opens on the largest instead of the middle of their combined bounds (mid-Atlantic, where the
 * cache has no tile), and lists them all to jump to.
 *
 * An area is a cluster of tiles of one zoom, tiles with up to GAP missing tiles between them counting as touching: a
 * vector preseed skips empty tiles (open sea, a lake), and a coast's islands are not areas of their
 * own. The zoom is the deepest that has at most MAX_AREA_TILES tiles, so areas that are far apart
 * are told apart and reading the tiles stays cheap. The antimeridian is a seam: an area across it
 * is two, each with bounds the map can fit.
 */
import type { TileCacheReader } from './tile-cache.js';

type Bounds = [number, number, number, number];

/** One area: its WGS84 bounds (west, south, east, north), and how many tiles of zoom `z` it holds. */
export interface CacheArea {
  bounds: Bounds;
  tiles: number;
  z: number;
}

/** Tiles read to find areas: at most this many of one zoom (a few hundred KB of vector tiles). */
export const MAX_AREA_TILES = 1024;
/** Tiles read at once while finding areas. */
const AREA_BATCH = 64;
/** Tiles with at most this many missing tiles between them (on either axis) belong to one area. */
export const GAP = 2;
/** Areas listed, largest first; beyond this they are specks that no one jumps to. */
export const MAX_AREAS = 20;

/**
 * The clusters of `tiles` (XYZ, all of zoom `z`), largest first (ties: the one further north-west
 * first, so the order is stable), at most MAX_AREAS.
 */
export function clusterTiles(tiles: readonly { x: number; y: number }[], z: number, gap = GAP): CacheArea[] {
  const index = new Map<string, number>();
  tiles.forEach((t, i) => index.set(`${t.x}/${t.y}`, i));
  const parent = tiles.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const reach = gap + 1;
  tiles.forEach((t, i) => {
    for (let dx = -reach; dx <= reach; dx++) {
      for (let dy = -reach; dy <= reach; dy++) {
        const j = index.get(`${t.x + dx}/${t.y + dy}`);
        if (j !== undefined) parent[find(i)] = find(j);
      }
    }
  });
  const groups = new Map<number, { x: number; y: number }[]>();
  tiles.forEach((t, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group) group.push(t);
    else groups.set(root, [t]);
  });
  const side = 2 ** z;
  const areas = [...groups.values()].map((group) => {
    const xs = group.map((t) => t.x);
    const ys = group.map((t) => t.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs) + 1, Math.min(...ys), Math.max(...ys) + 1];
    const bounds: Bounds = [(minX / side) * 360 - 180, latOfRow(maxY / side), (maxX / side) * 360 - 180, latOfRow(minY / side)];
    return { bounds, tiles: group.length, z };
  });
  areas.sort((a, b) => b.tiles - a.tiles || b.bounds[3] - a.bounds[3] || a.bounds[0] - b.bounds[0]);
  return areas.slice(0, MAX_AREAS);
}

/** The zoom to find areas at: the deepest with tiles and at most `limit` of them; null when there is none. */
export function areaZoom(levels: readonly { z: number; count: number }[], limit = MAX_AREA_TILES): number | null {
  const fitting = levels.filter((l) => l.count > 0 && l.count <= limit);
  return fitting.length === 0 ? null : Math.max(...fitting.map((l) => l.z));
}

/** The cache's areas (see the module's comment); empty when every zoom has too many tiles to read. */
export async function findAreas(reader: Pick<TileCacheReader, 'readBatch'>, levels: readonly { z: number; count: number }[]): Promise<CacheArea[]> {
  const z = areaZoom(levels);
  if (z === null) return [];
  // In small batches, keeping only the coordinates: the readers return tiles with their bytes, and
  // a cache's tiles may be large (or, in a hostile file, huge), so memory stays at one batch.
  const tiles: { x: number; y: number }[] = [];
  for (let after: { x: number; y: number } | null = null; tiles.length < MAX_AREA_TILES; ) {
    const batch = await reader.readBatch(z, after, AREA_BATCH);
    for (const t of batch) tiles.push({ x: t.x, y: t.y });
    const last = batch[batch.length - 1];
    if (batch.length < AREA_BATCH || last === undefined) break;
    after = { x: last.x, y: last.y };
  }
  return clusterTiles(tiles, z);
}

/** The latitude of a Web Mercator row given as a fraction of the world (0 = north edge). */
function latOfRow(fraction: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * fraction))) * 180) / Math.PI;
}
