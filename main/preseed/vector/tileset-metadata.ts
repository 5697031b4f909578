/**
 * The vector tileset's metadata: `vector_layers` (MBTiles 1.3 `json`: each layer's fields with
 * their types and its zooms) and `tilestats` (mapbox-geostats' shape: counts, geometry type,
 * sample values), from what the sources' layers turned out to hold.
 */
import type { VectorLayerMetadata } from '../../tile-cache/tile-writer.js';
import { type LayerStats, mergeLayerStats } from '../../../workers/vector/layer-stats.js';

export interface LayerOutcome {
  /** The MVT layer's name. */
  name: string;
  minZoom: number;
  maxZoom: number;
  /** OGR field types of the kept attributes. */
  fields: Record<string, string>;
  stats: LayerStats;
}

/** MBTiles/TileJSON field type of an OGR field type. */
export function fieldType(ogrType: string): 'Number' | 'String' | 'Boolean' {
  if (/^(integer|integer64|real)$/i.test(ogrType)) return 'Number';
  return 'String';
}

const FROM_VALUES = { number: 'Number', string: 'String', boolean: 'Boolean', mixed: 'String' } as const;

/** One entry per MVT layer name (source layers of one name are one layer). */
export function vectorLayers(outcomes: readonly LayerOutcome[]): { vectorLayers: VectorLayerMetadata[]; tilestats: Record<string, unknown> } {
  const byName = new Map<string, LayerOutcome[]>();
  for (const o of outcomes) byName.set(o.name, [...(byName.get(o.name) ?? []), o]);
  const vector: VectorLayerMetadata[] = [];
  const layers: Record<string, unknown>[] = [];
  for (const [name, parts] of byName) {
    const stats = mergeLayerStats(parts.map((p) => p.stats));
    const fields: Record<string, string> = {};
    for (const p of parts) for (const [f, t] of Object.entries(p.fields)) fields[f] ??= fieldType(t);
    // The values seen win over the declared type: GDAL writes OGR booleans (an integer subtype) as true/false.
    for (const a of stats.attributes) fields[a.attribute] = FROM_VALUES[a.type];
    vector.push({ id: name, minzoom: Math.min(...parts.map((p) => p.minZoom)), maxzoom: Math.max(...parts.map((p) => p.maxZoom)), fields });
    layers.push({
      layer: name,
      count: stats.count,
      geometry: stats.geometry ?? 'Unknown',
      attributeCount: stats.attributes.length,
      attributes: stats.attributes,
    });
  }
  return { vectorLayers: vector, tilestats: { layerCount: layers.length, layers } };
}
