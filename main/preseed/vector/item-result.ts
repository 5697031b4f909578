/**
 * What a vector preseed item reports per layer (its zooms, fields, bounds, feature count and
 * statistics) and the bounds helpers its tiling and reports use.
 */
import type { Bbox } from '../../../shared/contract.js';
import { unionBbox } from '../../../shared/tile-grid.js';
import type { LayerStats } from '../../../workers/vector/layer-stats.js';
import type { ExtractedSource } from './extract-source.js';
import type { ChosenLayer } from './layer-choice.js';

export interface ItemLayerResult {
  id: number;
  name: string;
  sourceLayer: string;
  minZoom: number;
  maxZoom: number;
  fields: Record<string, string>;
  bounds: Bbox | null;
  features: number;
  stats: LayerStats;
}

export function layerResult(layer: ChosenLayer, source: ExtractedSource): ItemLayerResult {
  const r = source.layers[layer.id];
  return {
    id: layer.id,
    name: layer.name,
    sourceLayer: layer.sourceLayer,
    minZoom: layer.minZoom,
    maxZoom: layer.maxZoom,
    fields: layer.fields,
    bounds: r?.bounds ?? null,
    features: r?.count ?? 0,
    stats: r
      ? { count: r.count, geometry: r.geometry, geometries: r.geometries, attributes: r.attributes }
      : { count: 0, geometry: null, geometries: {}, attributes: [] },
  };
}

export function boundsOf(source: ExtractedSource): Bbox | null {
  let b: Bbox | null = null;
  for (const layer of Object.values(source.layers)) if (layer.bounds) b = b ? unionBbox(b, layer.bounds) : layer.bounds;
  return b;
}

/** A single point (or a vertical line) has an extent without area; it still touches one tile per zoom. */
export function padDegenerate(b: Bbox): Bbox {
  const e = 1e-9;
  return [b[0] === b[2] ? b[0] - e : b[0], b[1] === b[3] ? b[1] - e : b[1], b[0] === b[2] ? b[2] + e : b[2], b[1] === b[3] ? b[3] + e : b[3]];
}
