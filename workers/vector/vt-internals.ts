/**
 * geojson-vt 5's own projection, date-line wrap and stripe clip (src/convert.js, wrap.js, clip.js),
 * which its package does not export. The partitioner runs them itself, on one feature at a time, so
 * that what it spills for a partition tile is exactly the source geometry one big index would hold
 * for that tile (the same calls on the same numbers), and a partition task hands it straight to
 * `splitTile` without converting anything again. vt-internals.test.ts checks these shapes on a real
 * index, so an upgrade that reshapes them fails there, not as tiles that quietly differ.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Feature } from 'geojson';
import GeoJSONVT from 'geojson-vt';

export const POINT = 1;
export const LINE = 2;
export const POLYGON = 3;
export const SINGLE_POINT = 4;

/** A feature in geojson-vt's storage space: rings inline as [length, size, x,y,z, …] (feature.js). */
export interface VtFeature {
  id?: number | string;
  type: 1 | 2 | 3;
  geometry: Int32Array | Float64Array;
  tags: Record<string, unknown> | null | undefined;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface VtSinglePoint {
  id?: number | string;
  type: 4;
  x: number;
  y: number;
  tags: Record<string, unknown> | null | undefined;
}

export type VtAnyFeature = VtFeature | VtSinglePoint;

/** geojson-vt's options once its constructor has filled them in (storage scale, origin, array type). */
export interface VtOptions {
  maxZoom: number;
  extent: number;
  buffer: number;
  tolerance: number;
  worldScale: number;
  originShift: number;
  useInt32: boolean;
  CoordArray: Int32ArrayConstructor | Float64ArrayConstructor;
}

/** The index's own methods and fields this code relies on. */
export interface VtIndex {
  options: VtOptions;
  tiles: Record<number, unknown>;
  tileCoords: unknown[];
  splitTile(features: VtAnyFeature[], z: number, x: number, y: number, cz?: number, cx?: number, cy?: number): void;
}

type Convert = (data: { type: 'FeatureCollection'; features: Feature[] } | Feature, options: VtOptions) => VtAnyFeature[];
type Clip = (features: VtAnyFeature[], k1: number, k2: number, axis: 0 | 1, minAll: number, maxAll: number, options: VtOptions) => VtAnyFeature[] | null;
type Wrap = (features: VtAnyFeature[], options: VtOptions) => VtAnyFeature[];
type CreateFeature = (id: VtFeature['id'], type: 1 | 2 | 3, geometry: VtFeature['geometry'], tags: VtFeature['tags']) => VtFeature;
type CreateSinglePoint = (id: VtFeature['id'], x: number, y: number, tags: VtFeature['tags']) => VtSinglePoint;

// The package's "exports" only lets "geojson-vt" itself be imported; its sibling files sit beside it.
const entry = pathToFileURL(createRequire(import.meta.url).resolve('geojson-vt'));
const [convertModule, clipModule, wrapModule, featureModule] = await Promise.all([
  import(new URL('./convert.js', entry).href) as Promise<{ default: Convert }>,
  import(new URL('./clip.js', entry).href) as Promise<{ default: Clip }>,
  import(new URL('./wrap.js', entry).href) as Promise<{ default: Wrap }>,
  import(new URL('./feature.js', entry).href) as Promise<{ createFeature: CreateFeature; createSinglePoint: CreateSinglePoint }>,
]);

export const vtConvert: Convert = convertModule.default;
export const vtClip: Clip = clipModule.default;
export const vtWrap: Wrap = wrapModule.default;
export const vtCreateFeature: CreateFeature = featureModule.createFeature;
export const vtCreateSinglePoint: CreateSinglePoint = featureModule.createSinglePoint;

export interface IndexOptions {
  maxZoom: number;
  tolerance: number;
  extent: number;
  buffer: number;
}

/**
 * An index that holds nothing yet (the caller gives it features through splitTile), built by
 * geojson-vt's own constructor, so its options are the ones a big index over all the data gets.
 */
export function emptyIndex(o: IndexOptions): VtIndex {
  const index = new GeoJSONVT(
    { type: 'FeatureCollection', features: [] },
    { maxZoom: o.maxZoom, indexMaxZoom: 0, tolerance: o.tolerance, extent: o.extent, buffer: o.buffer },
  );
  return index as unknown as VtIndex;
}

/** A GeoJSONVT as the index it is, for code that reaches its tile cache and splitTile. */
export function asVtIndex(index: GeoJSONVT): VtIndex {
  return index as unknown as VtIndex;
}

/** The GeoJSONVT object behind a VtIndex, for code typed against the public class. */
export function asGeoJsonVt(index: VtIndex): GeoJSONVT {
  return index as unknown as GeoJSONVT;
}

/** Coordinates stored (3 numbers per vertex, ring headers aside); a single point counts one. */
export function storedVertices(f: VtAnyFeature): number {
  if (f.type === SINGLE_POINT) return 1;
  if (f.type === POINT) return f.geometry.length / 3;
  let n = 0;
  for (let i = 0; i < f.geometry.length; ) {
    const len = f.geometry[i]!;
    n += len;
    i += 2 + len * 3;
  }
  return n;
}
