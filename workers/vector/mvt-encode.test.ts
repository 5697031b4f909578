import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { golden } from '../testing/golden.js';
import { MvtEncoder, type RawTileFeature } from './mvt-encode.js';
import { TILES, assertMatches, countriesIndex, makeGolden, ourLayer } from './testing/vt-pbf-reference.js';

/** A small seeded generator, so a failure names its seed and can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function ring(rnd: () => number, cx: number, cy: number, r: number, clockwise: boolean): Int16Array {
  const n = 3 + Math.floor(rnd() * 8);
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((clockwise ? 1 : -1) * 2 * Math.PI * i) / n;
    pts.push(Math.round(cx + r * Math.cos(a)), Math.round(cy + r * Math.sin(a)));
  }
  pts.push(pts[0]!, pts[1]!);
  return Int16Array.from(pts);
}

function randomFeature(rnd: () => number, id: number): RawTileFeature {
  const tags: Record<string, unknown> = {
    name: `f${Math.floor(rnd() * 5)}`,
    n: Math.floor(rnd() * 10) - 5,
    x: rnd(),
    ok: rnd() < 0.5,
    none: null,
    ü: 'ünïcode',
  };
  const kind = Math.floor(rnd() * 4);
  const cx = 200 + rnd() * 3600;
  const cy = 200 + rnd() * 3600;
  if (kind === 0) return { id, tags, type: 4, x: Math.round(cx), y: Math.round(cy) };
  if (kind === 1) return { id, tags, type: 1, geometry: Int16Array.from([Math.round(cx), Math.round(cy), Math.round(cx + 5), Math.round(cy - 7)]) };
  if (kind === 2) {
    const line = [Math.round(cx), Math.round(cy)];
    for (let i = 0; i < 5; i++) line.push(line[line.length - 2]! + Math.round(rnd() * 40 - 20), line[line.length - 1]! + Math.round(rnd() * 40 - 20));
    return { id, tags, type: 2, geometry: [Int16Array.from(line)] };
  }
  // geojson-vt winds outer rings clockwise in tile coordinates (positive area), holes the other way.
  return { id, tags, type: 3, geometry: [ring(rnd, cx, cy, 150, true), ring(rnd, cx, cy, 40, false)] };
}

test('every encoded feature decodes with @mapbox/vector-tile to its geometry, attributes and id', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = random(seed);
    const features = Array.from({ length: 1 + Math.floor(rnd() * 30) }, (_, i) => randomFeature(rnd, i + 1));
    const bytes = new MvtEncoder(4096).encode([{ name: 'things', features }])!;
    const layer = new VectorTile(new PbfReader(bytes)).layers.things!;
    assert.equal(layer.length, features.length, `seed ${seed}`);
    assert.equal(layer.extent, 4096);
    for (let i = 0; i < layer.length; i++) {
      const decoded = layer.feature(i);
      const f = features[i]!;
      assert.equal(decoded.id, f.id, `seed ${seed} feature ${i}`);
      const expectedProps = Object.fromEntries(Object.entries(f.tags!).filter(([, v]) => v !== null));
      assert.deepEqual({ ...decoded.properties }, expectedProps, `seed ${seed} feature ${i}`);
      const rings = decoded.loadGeometry().map((r) => r.flatMap((p) => [p.x, p.y]));
      if (f.type === 4) assert.deepEqual(rings, [[f.x, f.y]]);
      else if (f.type === 1) assert.deepEqual(rings.flat(), [...f.geometry]);
      else if (f.type === 2)
        assert.deepEqual(
          rings,
          f.geometry.map((g) => [...g]),
        );
      else {
        // The closing vertex is ClosePath in MVT; decoders add it back.
        assert.deepEqual(
          rings,
          f.geometry.map((g) => [...g]),
          `seed ${seed} feature ${i}`,
        );
        assert.equal(decoded.toGeoJSON(0, 0, 0).geometry.type, 'Polygon', 'outer ring and hole are classified as one polygon');
      }
    }
  }
});

test('tiles of real data decode to what vt-pbf encodes (features, attributes, geometry), held in a golden file', async () => {
  // vt-pbf's tiles, as digests per feature, from testing/golden/vt-pbf-countries.json (UPDATE=1
  // makes it again with vt-pbf; mvt-encode.reference.ts compares with vt-pbf live).
  const reference = await golden(import.meta.url, 'vt-pbf-countries', makeGolden);
  const index = countriesIndex();
  let compared = 0;
  for (const [z, x, y] of TILES) {
    const theirs = reference.tiles[`${z}/${x}/${y}`];
    assert.ok(theirs, `the golden file has ${z}/${x}/${y}`);
    compared += assertMatches(ourLayer(index, z, x, y), theirs, `${z}/${x}/${y}`);
  }
  assert.ok(compared > 100, `compared ${compared} features`);
  // The comparison sees drift: a feature whose attributes or geometry changed fails it.
  const z0 = reference.tiles['0/0/0']!;
  const drawn = z0.findIndex((d) => d.startsWith('1 '));
  const [flag, properties, geometry, ...name] = z0[drawn]!.split(' ');
  for (const changed of [`${flag} 000000000000 ${geometry} ${name.join(' ')}`, `${flag} ${properties} 000000000000 ${name.join(' ')}`]) {
    assert.throws(() => assertMatches(ourLayer(index, 0, 0, 0), z0.with(drawn, changed), '0/0/0'), /differ/);
  }
});

test('a layer whose every feature collapsed is left out, and an empty tile encodes to null', () => {
  const encoder = new MvtEncoder(4096);
  const flat: RawTileFeature = { tags: { a: 1 }, type: 3, geometry: [Int16Array.from([0, 0, 10, 0, 20, 0, 0, 0])] };
  const still: RawTileFeature = { tags: {}, type: 2, geometry: [Int16Array.from([5, 5, 5, 5])] };
  assert.equal(encoder.encode([{ name: 'a', features: [flat, still] }]), null);
  const bytes = encoder.encode([
    { name: 'a', features: [flat] },
    { name: 'b', features: [{ tags: null, type: 4, x: 1, y: 2 }] },
  ])!;
  assert.deepEqual(Object.keys(new VectorTile(new PbfReader(bytes)).layers), ['b']);
});
