/**
 * Per-layer statistics in the shape of mapbox-geostats' tilestats (what tippecanoe writes into an
 * MBTiles' metadata `json`): feature count, geometry type, and per attribute its type, up to 100
 * sample values and the numeric range. Gathered while features stream past, in bounded memory.
 */
import type { Geometry } from 'geojson';

/** Sample values kept per attribute (mapbox-geostats keeps 100). */
const MAX_VALUES = 100;
/** Attributes described per layer (mapbox-geostats' default limit). */
const MAX_ATTRIBUTES = 1000;

export type TilestatsGeometry = 'Point' | 'LineString' | 'Polygon';

export interface AttributeStats {
  attribute: string;
  /** Distinct values seen, counted up to the sample limit. */
  count: number;
  type: 'string' | 'number' | 'boolean' | 'mixed';
  values: (string | number | boolean)[];
  min?: number;
  max?: number;
}

export interface LayerStats {
  count: number;
  geometry: TilestatsGeometry | null;
  /** Features per geometry type, so layers of several sources can be merged. */
  geometries: Partial<Record<TilestatsGeometry, number>>;
  attributes: AttributeStats[];
}

interface Gathering {
  types: Set<string>;
  values: Set<string | number | boolean>;
  min: number;
  max: number;
}

export function geometryKind(g: Geometry): TilestatsGeometry | null {
  switch (g.type) {
    case 'Point':
    case 'MultiPoint':
      return 'Point';
    case 'LineString':
    case 'MultiLineString':
      return 'LineString';
    case 'Polygon':
    case 'MultiPolygon':
      return 'Polygon';
    case 'GeometryCollection':
      return g.geometries.length ? geometryKind(g.geometries[0]!) : null;
  }
}

export class LayerStatsCollector {
  private count = 0;
  private readonly geometries: Partial<Record<TilestatsGeometry, number>> = {};
  private readonly attributes = new Map<string, Gathering>();

  add(geometry: Geometry, properties: Record<string, unknown>): void {
    this.count++;
    const kind = geometryKind(geometry);
    if (kind) this.geometries[kind] = (this.geometries[kind] ?? 0) + 1;
    for (const key in properties) {
      const raw = properties[key];
      if (raw === null || raw === undefined) continue;
      let a = this.attributes.get(key);
      if (!a) {
        if (this.attributes.size >= MAX_ATTRIBUTES) continue;
        a = { types: new Set(), values: new Set(), min: Infinity, max: -Infinity };
        this.attributes.set(key, a);
      }
      const value = typeof raw === 'object' ? JSON.stringify(raw) : (raw as string | number | boolean);
      a.types.add(typeof value);
      if (a.values.size < MAX_VALUES) a.values.add(value);
      if (typeof value === 'number') {
        if (value < a.min) a.min = value;
        if (value > a.max) a.max = value;
      }
    }
  }

  result(): LayerStats {
    return {
      count: this.count,
      geometry: dominant(this.geometries),
      geometries: { ...this.geometries },
      attributes: [...this.attributes].map(([attribute, a]) => attributeStatsOf(attribute, a)),
    };
  }
}

function attributeStatsOf(attribute: string, a: Gathering): AttributeStats {
  const type = a.types.size === 1 ? ([...a.types][0] as 'string' | 'number' | 'boolean') : 'mixed';
  const out: AttributeStats = { attribute, count: a.values.size, type, values: [...a.values] };
  if (a.min <= a.max) {
    out.min = a.min;
    out.max = a.max;
  }
  return out;
}

export function dominant(geometries: Partial<Record<TilestatsGeometry, number>>): TilestatsGeometry | null {
  let best: TilestatsGeometry | null = null;
  for (const [kind, n] of Object.entries(geometries) as [TilestatsGeometry, number][]) {
    if (best === null || n > geometries[best]!) best = kind;
  }
  return best;
}

/** Merges the statistics of one MVT layer gathered from several sources or source layers. */
export function mergeLayerStats(parts: readonly LayerStats[]): LayerStats {
  const geometries: Partial<Record<TilestatsGeometry, number>> = {};
  const attributes = new Map<string, Gathering>();
  let count = 0;
  for (const part of parts) {
    count += part.count;
    for (const [kind, n] of Object.entries(part.geometries) as [TilestatsGeometry, number][]) geometries[kind] = (geometries[kind] ?? 0) + n;
    for (const attr of part.attributes) {
      let a = attributes.get(attr.attribute);
      if (!a) attributes.set(attr.attribute, (a = { types: new Set(), values: new Set(), min: Infinity, max: -Infinity }));
      if (attr.type === 'mixed') a.types.add('mixed');
      else a.types.add(attr.type);
      for (const v of attr.values) if (a.values.size < MAX_VALUES) a.values.add(v);
      if (attr.min !== undefined) a.min = Math.min(a.min, attr.min);
      if (attr.max !== undefined) a.max = Math.max(a.max, attr.max);
    }
  }
  return { count, geometry: dominant(geometries), geometries, attributes: [...attributes].map(([name, a]) => attributeStatsOf(name, a)) };
}
