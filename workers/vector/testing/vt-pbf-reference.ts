/**
 * The reference our MVT encoder is held to: vt-pbf (Mapbox's encoder of geojson-vt tiles), on
 * Natural Earth countries cut by geojson-vt. A tile is kept as a digest per feature, in vt-pbf's
 * order: whether it has a drawable ring left, a hash of its attributes, a hash of its geometry
 * (repeated points dropped), and its NAME for messages. The everyday test compares against the
 * digests in testing/golden/vt-pbf-countries.json; the reference suite runs vt-pbf live.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import GeoJSONVT from 'geojson-vt';
import { PbfReader } from 'pbf';
import { MvtEncoder, type RawTileFeature } from '../mvt-encode.js';
import { worldLayerGeoJson } from '../../testing/natural-earth.js';

const require = createRequire(import.meta.url);

/** The tiles compared, z/x/y. */
export const TILES = [
  [0, 0, 0],
  [1, 1, 0],
  [2, 2, 1],
  [3, 4, 2],
  [4, 8, 5],
] as const;

/** "drawable propertiesHash geometryHash NAME", one per feature of vt-pbf's tile. */
export type FeatureDigest = string;

/** Golden file: per "z/x/y", the digests of vt-pbf's features. */
export interface MvtGolden {
  tool: string;
  tiles: Record<string, FeatureDigest[]>;
}

/** geojson-vt's index of Natural Earth countries, cut as the test cuts them. */
export function countriesIndex(): GeoJSONVT {
  return new GeoJSONVT(worldLayerGeoJson('countries'), { maxZoom: 4, tolerance: 3, extent: 4096, buffer: 64 });
}

/** vt-pbf's encoding of a tile of the index, decoded. */
export function vtpbfLayer(index: GeoJSONVT, z: number, x: number, y: number): VectorTileLayer | undefined {
  const vtpbf = require('vt-pbf') as { fromGeojsonVt(layers: Record<string, unknown>, options: { version: number; extent: number }): Uint8Array };
  const tile = index.getTile(z, x, y);
  if (!tile) return undefined;
  return new VectorTile(new PbfReader(vtpbf.fromGeojsonVt({ countries: tile }, { version: 2, extent: 4096 }))).layers.countries;
}

/** Our encoding of the same tile, decoded. */
export function ourLayer(index: GeoJSONVT, z: number, x: number, y: number): VectorTileLayer | undefined {
  const raw = index.getTileRaw(z, x, y);
  if (!raw) return undefined;
  const bytes = new MvtEncoder(4096).encode([{ name: 'countries', features: raw.features as RawTileFeature[] }]);
  return bytes ? new VectorTile(new PbfReader(bytes)).layers.countries : undefined;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function propertiesHash(properties: Record<string, unknown>): string {
  return hash(JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function geometryHash(rings: { x: number; y: number }[][]): string {
  return hash(rings.map(withoutRepeats).join('|'));
}

export function withoutRepeats(ring: { x: number; y: number }[]): string {
  return ring
    .filter((p, i) => i === 0 || p.x !== ring[i - 1]!.x || p.y !== ring[i - 1]!.y)
    .map((p) => `${p.x},${p.y}`)
    .join(' ');
}

export function collapsed(ring: { x: number; y: number }[]): boolean {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) area += ring[j]!.x * ring[i]!.y - ring[i]!.x * ring[j]!.y;
  return area === 0;
}

/** The digest of every feature of vt-pbf's layer: rings that collapsed to nothing are left out of the geometry. */
export function digestLayer(layer: VectorTileLayer | undefined): FeatureDigest[] {
  const out: FeatureDigest[] = [];
  for (let i = 0; layer && i < layer.length; i++) {
    const f = layer.feature(i);
    const drawable = f.loadGeometry().filter((r) => !collapsed(r));
    out.push(`${drawable.length > 0 ? 1 : 0} ${propertiesHash({ ...f.properties })} ${geometryHash(drawable)} ${String(f.properties.NAME ?? '')}`);
  }
  return out;
}

/**
 * Our layer against vt-pbf's digests: vt-pbf keeps rings that collapsed to nothing at this zoom;
 * we drop them, and a feature left without any. Everything else must be the same, in the same
 * order (both keep the raw tile's feature order). Returns how many features were compared.
 */
export function assertMatches(ours: VectorTileLayer | undefined, theirs: FeatureDigest[], label: string): number {
  let j = 0;
  let compared = 0;
  const length = ours?.length ?? 0;
  for (const [i, digest] of theirs.entries()) {
    const [drawable, properties, geometry, ...name] = digest.split(' ');
    const mine = ours && j < length ? ours.feature(j) : undefined;
    if (drawable === '0') {
      if (mine && propertiesHash({ ...mine.properties }) === properties && mine.loadGeometry().length === 0) j++;
      continue;
    }
    assert.ok(mine, `${label}: feature ${i} (${name.join(' ')}) of vt-pbf's tile is missing from ours`);
    j++;
    assert.equal(
      propertiesHash({ ...mine.properties }),
      properties,
      `${label}: attributes of ${name.join(' ')} differ from vt-pbf's (${JSON.stringify(mine.properties)})`,
    );
    assert.equal(geometryHash(mine.loadGeometry()), geometry, `${label}: geometry of ${name.join(' ')} differs from vt-pbf's`);
    compared++;
  }
  assert.equal(j, length, `${label}: every feature of ours was matched`);
  return compared;
}

/** The golden digests, made with vt-pbf (UPDATE=1). */
export function makeGolden(): MvtGolden {
  const index = countriesIndex();
  const version = (require('vt-pbf/package.json') as { version: string }).version;
  const tiles: Record<string, FeatureDigest[]> = {};
  for (const [z, x, y] of TILES) tiles[`${z}/${x}/${y}`] = digestLayer(vtpbfLayer(index, z, x, y));
  return { tool: `vt-pbf ${version} fromGeojsonVt (version 2, extent 4096) of geojson-vt tiles (maxZoom 4, tolerance 3, buffer 64)`, tiles };
}
