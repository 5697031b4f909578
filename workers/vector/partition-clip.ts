/**
 * Cuts one feature down to the partition tiles it reaches, the way one geojson-vt index over all the
 * data would: the same date-line wrap (wrap.js) and, zoom by zoom from z0 to the partition zoom P,
 * the same stripe clips (splitTile in index.js) with the same numbers. geojson-vt clips each feature
 * of a tile on its own, so a partition task that starts from these pieces at (P, x, y) holds exactly
 * the features the big index holds there, in the same order once sorted by wrap copy (wrap.js puts
 * every west copy first, then the world, then every east copy), and cuts the same tiles below it.
 *
 * A multi-part feature loses its parts outside each tile on the way down (a clip drops the rings
 * outside its stripe), so a partition holds only what lies in its tile plus the buffer, not the
 * whole feature its bounding box touches.
 */
import type { WrapCopy } from './spill-format.js';
import { SINGLE_POINT, type VtAnyFeature, type VtIndex, type VtOptions, emptyIndex, vtClip, vtCreateFeature, vtCreateSinglePoint } from './vt-internals.js';

/** wrap.js for one feature: its west copy (shifted a world east), the world's part, its east copy. */
export function wrapFeature(feature: VtAnyFeature, options: VtOptions): [WrapCopy, VtAnyFeature][] {
  const S = options.worldScale;
  const O = options.originShift;
  const buf = (options.buffer * S) / options.extent;
  const w0 = -O * S;
  const w1 = (1 - O) * S;
  const one = [feature];
  const left = vtClip(one, w0 - S - buf, w0 + buf, 0, w0 - S, w1 + S, options);
  const right = vtClip(one, w1 - buf, w1 + S + buf, 0, w0 - S, w1 + S, options);
  if (!left && !right) return [[1, feature]];
  const out: [WrapCopy, VtAnyFeature][] = [];
  for (const f of left ?? []) out.push([0, shift(f, S)]);
  for (const f of vtClip(one, w0 - buf, w1 + buf, 0, w0 - S, w1 + S, options) ?? []) out.push([1, f]);
  for (const f of right ?? []) out.push([2, shift(f, -S)]);
  return out;
}

/** wrap.js shiftFeatureCoords: a copy moved by `offset` in x (ring headers left alone). */
function shift(f: VtAnyFeature, offset: number): VtAnyFeature {
  if (f.type === SINGLE_POINT) return vtCreateSinglePoint(f.id, f.x + offset, f.y, f.tags);
  const g = f.geometry.slice();
  if (f.type === 1) {
    for (let i = 0; i < g.length; i += 3) g[i]! += offset;
  } else {
    for (let i = 0; i < g.length; ) {
      const end = i + 2 + g[i]! * 3;
      for (let j = i + 2; j < end; j += 3) g[j]! += offset;
      i = end;
    }
  }
  return vtCreateFeature(f.id, f.type, g, f.tags);
}

/**
 * Calls `emit(x, y, piece)` for each tile of zoom P that `feature` (one wrap copy) reaches, with the
 * piece splitTile would have there. Depth first, so only one path of pieces is held at a time.
 */
export function clipToPartitions(feature: VtAnyFeature, P: number, options: VtOptions, emit: (x: number, y: number, piece: VtAnyFeature) => void): void {
  const S = options.worldScale;
  const O = options.originShift;
  const descend = (features: VtAnyFeature[], z: number, x: number, y: number): void => {
    if (z === P) {
      for (const f of features) emit(x, y, f);
      return;
    }
    // index.js splitTile's thresholds, written the same way so they round the same way. Its tile-wide
    // bounds only short-cut the per-feature tests, so ±Infinity here gives the same pieces.
    const z2 = 1 << z;
    const step = S / z2;
    const b = (0.5 * options.buffer * S) / (z2 * options.extent);
    const xc = (x / z2 - O) * S;
    const yc = (y / z2 - O) * S;
    const down = (column: VtAnyFeature[] | null, cx: number) => {
      if (!column) return;
      const top = vtClip(column, yc - b, yc + step / 2 + b, 1, -Infinity, Infinity, options);
      if (top) descend(top, z + 1, cx, y * 2);
      const bottom = vtClip(column, yc + step / 2 - b, yc + step + b, 1, -Infinity, Infinity, options);
      if (bottom) descend(bottom, z + 1, cx, y * 2 + 1);
    };
    down(vtClip(features, xc - b, xc + step / 2 + b, 0, -Infinity, Infinity, options), x * 2);
    down(vtClip(features, xc + step / 2 - b, xc + step + b, 0, -Infinity, Infinity, options), x * 2 + 1);
  };
  descend([feature], 0, 0, 0);
}

export interface LayerIndexOptions {
  maxZoom: number;
  tolerance: number;
  extent: number;
  buffer: number;
}

/**
 * An index whose tile (z, x, y) holds `pieces` (spilled for that tile, any order): what one index
 * over all the data holds there, so the walk below it cuts the same tiles.
 */
export function indexFromPieces(pieces: { wrap: WrapCopy; feature: VtAnyFeature }[], root: { z: number; x: number; y: number }, o: LayerIndexOptions): VtIndex {
  const index = emptyIndex(o);
  // A stable sort: within each wrap copy the pieces keep the source's order, as in wrap.js's list.
  const ordered = pieces.length > 1 ? pieces.slice().sort((a, b) => a.wrap - b.wrap) : pieces;
  index.splitTile(
    ordered.map((p) => p.feature),
    root.z,
    root.x,
    root.y,
    root.z,
    root.x,
    root.y,
  );
  return index;
}
