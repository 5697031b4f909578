/**
 * The tile walk of one partition: depth first from the partition's tile through geojson-vt indexes
 * (one per source layer), cutting each tile once, encoding it, applying the size policy, and
 * handing it on. It never visits the subtree of a tile that is empty in every layer, outside the
 * job's bbox or outside its coverage, and it deletes each tile from the index as soon as its
 * children are cut, so the index only ever holds the current path and its siblings, never the
 * whole pyramid (a plain geojson-vt loop over Natural Earth states at z0–10 peaks at 1.6 GB).
 *
 * Every index gets the same maxZoom, tolerance, extent and buffer whatever part of the data it
 * holds, so a tile cut from a partition's index is the tile one index over all the data would cut.
 */
import type GeoJSONVT from 'geojson-vt';
import type { AbortFlag } from '../abort-flag.js';
import type { CoverageTest, Placement } from './coverage-tiles.js';
import { MvtEncoder, type LayerToEncode, type RawTileFeature } from './mvt-encode.js';
import { MAX_THIN_ROUNDS, thinLayers } from './thin-tile.js';
import { tileBoundsLonLat } from './tile-bounds.js';
import { asVtIndex } from './vt-internals.js';

export interface WalkLayer {
  /** The MVT layer's name; several source layers may share one (their features are merged). */
  name: string;
  minZoom: number;
  maxZoom: number;
  /** Null when this layer has no feature in the partition. */
  index: GeoJSONVT | null;
}

export interface ZoomRange {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface WalkOptions {
  layers: WalkLayer[];
  extent: number;
  /** Tiles below this zoom are cut (to reach deeper ones) but not written. */
  minZoom: number;
  /** The deepest zoom this walk goes to (the job's max zoom, or the band's last zoom). */
  stopZoom: number;
  /** The job's bbox as a tile range per zoom (index = z); absent: no bbox. */
  ranges?: (ZoomRange | null)[];
  coverage?: CoverageTest | null;
  maxTileBytes: number;
  thin: boolean;
  abort: AbortFlag;
  /** A finished tile (the MVT bytes, not yet compressed). */
  emit(z: number, x: number, y: number, tile: Uint8Array): void;
  /** A tile over maxTileBytes: `written` false when it could not be thinned to fit and was left out. */
  issue(z: number, x: number, y: number, issue: 'oversized' | 'failed', detail: string): void;
}

export interface WalkStats {
  tiles: number;
  rawBytes: number;
  oversized: number;
  thinned: number;
  failed: number;
  droppedFeatures: number;
  droppedVertices: number;
}

/**
 * The two private fields of a geojson-vt 5 index this walk reads and prunes (src/index.js): its tile
 * cache by tileId, and the list of tiles cut (which only grows). tile-walk.test.ts checks them on a
 * real index, so an upgrade that renames or reshapes them fails there, not as a memory blow-up.
 */
export interface IndexInternals {
  tiles: Record<number, unknown>;
  tileCoords: unknown[];
}

/** geojson-vt's tile cache key (src/index.js toID). */
export function tileId(z: number, x: number, y: number): number {
  return ((1 << z) * y + x) * 32 + z;
}

/** The index's private fields; the one cast lives with geojson-vt's other internals (vt-internals.ts). */
function internals(index: GeoJSONVT): IndexInternals {
  return asVtIndex(index);
}

/** Source features the index clipped into a tile it has cut, drawn at its zoom or not (geojson-vt's `numFeatures`). */
function heldFeatures(index: GeoJSONVT, z: number, x: number, y: number): number {
  const tile = internals(index).tiles[tileId(z, x, y)];
  return typeof tile === 'object' && tile !== null && 'numFeatures' in tile && typeof tile.numFeatures === 'number' ? tile.numFeatures : 0;
}

/** Walks the subtree of (z, x, y). */
export function walkTiles(root: { z: number; x: number; y: number }, options: WalkOptions): WalkStats {
  const stats: WalkStats = { tiles: 0, rawBytes: 0, oversized: 0, thinned: 0, failed: 0, droppedFeatures: 0, droppedVertices: 0 };
  const encoder = new MvtEncoder(options.extent);
  const { layers } = options;

  // Reaching the root cuts its ancestors and their other children: drop all but the root.
  for (const layer of layers) {
    if (!layer.index || root.z > layer.maxZoom) continue;
    layer.index.getTileRaw(root.z, root.x, root.y);
    const own = internals(layer.index);
    const keep = tileId(root.z, root.x, root.y);
    for (const key of Object.keys(own.tiles)) if (Number(key) !== keep) delete own.tiles[Number(key)];
    own.tileCoords.length = 0;
  }

  const forget = (z: number, x: number, y: number) => {
    const id = tileId(z, x, y);
    for (const layer of layers) if (layer.index) delete internals(layer.index).tiles[id];
  };

  const raws: (RawTileFeature[] | null)[] = new Array(layers.length).fill(null);
  const uniqueNames = new Set(layers.map((l) => l.name)).size === layers.length;

  const visit = (z: number, x: number, y: number, placement: Placement): void => {
    options.abort.throwIfAborted();
    const range = options.ranges?.[z];
    if (options.ranges && (!range || x < range.minX || x > range.maxX || y < range.minY || y > range.maxY)) {
      forget(z, x, y);
      return;
    }
    if (options.coverage && placement !== 'inside') {
      placement = options.coverage.place(tileBoundsLonLat(z, x, y));
      if (placement === 'outside') {
        forget(z, x, y);
        return;
      }
    }
    let any = false;
    let drawn = false;
    const content: boolean[] = [];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const raw = layer.index && z <= layer.maxZoom ? layer.index.getTileRaw(z, x, y) : null;
      const features = raw && raw.features.length > 0 ? (raw.features as RawTileFeature[]) : null;
      raws[i] = features;
      // A tile can be empty only because its features are too small to draw at its zoom (a 60 m
      // parcel at z6, simplified away): they are drawn deeper, so the walk goes on below it.
      const held = features !== null || (raw !== null && heldFeatures(layer.index!, z, x, y) > 0);
      content.push(held);
      if (held) any = true;
      if (features) drawn = true;
    }
    if (!any) {
      forget(z, x, y);
      return;
    }
    if (drawn && z >= options.minZoom) writeTile(z, x, y);

    if (z >= options.stopZoom) {
      forget(z, x, y);
      return;
    }
    // Cut the children now (one split per index), then let go of this tile.
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      if (content[i] && z < layer.maxZoom) {
        layer.index!.getTileRaw(z + 1, x * 2, y * 2);
        internals(layer.index!).tileCoords.length = 0;
      }
    }
    forget(z, x, y);
    visit(z + 1, x * 2, y * 2, placement);
    visit(z + 1, x * 2 + 1, y * 2, placement);
    visit(z + 1, x * 2, y * 2 + 1, placement);
    visit(z + 1, x * 2 + 1, y * 2 + 1, placement);
  };

  const writeTile = (z: number, x: number, y: number): void => {
    const toEncode: LayerToEncode[] = [];
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const features = raws[i];
      if (!features || z < layer.minZoom) continue;
      const same = uniqueNames ? undefined : toEncode.find((l) => l.name === layer.name);
      if (same) same.features = [...same.features, ...features];
      else toEncode.push({ name: layer.name, features });
    }
    if (toEncode.length === 0) return;
    let tile = encoder.encode(toEncode);
    if (!tile) return;
    if (tile.length > options.maxTileBytes) {
      stats.oversized++;
      const size = tile.length;
      if (!options.thin) {
        options.issue(
          z,
          x,
          y,
          'oversized',
          `${size.toLocaleString('en')} bytes > ${options.maxTileBytes.toLocaleString('en')} (written as it is: thinning is off)`,
        );
      } else {
        let fitted: Uint8Array | null = null;
        let round = 0;
        let dropped = { features: 0, vertices: 0 };
        while (!fitted && round < MAX_THIN_ROUNDS) {
          round++;
          options.abort.throwIfAborted();
          const thinned = thinLayers(toEncode, round, options.extent);
          dropped = thinned.dropped;
          const candidate = encoder.encode(thinned.layers);
          if (!candidate || candidate.length <= options.maxTileBytes) fitted = candidate ?? new Uint8Array(0);
        }
        if (!fitted || fitted.length === 0) {
          stats.failed++;
          options.issue(
            z,
            x,
            y,
            'failed',
            `${size.toLocaleString('en')} bytes > ${options.maxTileBytes.toLocaleString('en')}, and still too large after ${round} rounds of thinning: not written`,
          );
          return;
        }
        stats.thinned++;
        stats.droppedFeatures += dropped.features;
        stats.droppedVertices += dropped.vertices;
        options.issue(
          z,
          x,
          y,
          'oversized',
          `${size.toLocaleString('en')} bytes > ${options.maxTileBytes.toLocaleString('en')}: thinned in ${round} round(s) to ${fitted.length.toLocaleString('en')} bytes, dropping ${dropped.features} feature(s) and ${dropped.vertices} vertices`,
        );
        tile = fitted;
      }
    }
    stats.tiles++;
    stats.rawBytes += tile.length;
    options.emit(z, x, y, tile);
  };

  visit(root.z, root.x, root.y, 'partial');
  return stats;
}
