import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type SpilledFeature, encodeMeta, encodeRecord, readSpill } from './spill-format.js';
import { type VtAnyFeature, emptyIndex, vtConvert } from './vt-internals.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-spill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function convert(feature: GeoJSON.Feature, maxZoom: number): VtAnyFeature[] {
  return vtConvert(feature, emptyIndex({ maxZoom, tolerance: 3, extent: 4096, buffer: 64 }).options);
}

test('records read back as the features written: Int32 and Float64 coordinates, single points, ids of each kind, tags', () => {
  const polygon: GeoJSON.Feature = {
    type: 'Feature',
    id: 42,
    properties: { name: 'Fyn', area: 2984.6, flags: [1, 2], note: null },
    geometry: {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [10, 55],
            [10.8, 55],
            [10.8, 55.6],
            [10, 55.6],
            [10, 55],
          ],
        ],
        [
          [
            [11, 55],
            [11.2, 55],
            [11.2, 55.2],
            [11, 55],
          ],
        ],
      ],
    },
  };
  const line: GeoJSON.Feature = {
    type: 'Feature',
    id: 'river-7',
    properties: { name: 'Gudenå' },
    geometry: {
      type: 'LineString',
      coordinates: [
        [9.5, 56.1],
        [10.1, 56.4],
      ],
    },
  };
  const point: GeoJSON.Feature = { type: 'Feature', properties: { name: 'Odense' }, geometry: { type: 'Point', coordinates: [10.39, 55.4] } };
  const written: SpilledFeature[] = [];
  const path = join(dir, 'a.bin');
  // z14 stores Int32 coordinates; z22 does not fit Int32 and stores Float64 (geojson-vt's own gate).
  for (const [feature, maxZoom, layer] of [
    [polygon, 14, 0],
    [line, 22, 3],
    [point, 14, 1],
  ] as const) {
    for (const f of convert(feature, maxZoom)) {
      const spilled: SpilledFeature = { layer, wrap: layer === 3 ? 2 : 1, feature: f };
      written.push(spilled);
      appendFileSync(path, encodeRecord(spilled.layer, spilled.wrap, f, encodeMeta(f)));
    }
  }
  assert.equal(statSync(path).size % 8, 0);
  const read: SpilledFeature[] = [];
  readSpill(path, (s) => read.push(s));
  assert.equal(read.length, 3);
  assert.ok(written[0]!.feature.type !== 4 && written[0]!.feature.geometry instanceof Int32Array);
  assert.ok(written[1]!.feature.type !== 4 && written[1]!.feature.geometry instanceof Float64Array);
  for (let i = 0; i < written.length; i++) {
    const a = written[i]!;
    const b = read[i]!;
    assert.equal(b.layer, a.layer);
    assert.equal(b.wrap, a.wrap);
    const { geometry: ga, ...restA } = a.feature as VtAnyFeature & { geometry?: ArrayLike<number> };
    const { geometry: gb, ...restB } = b.feature as VtAnyFeature & { geometry?: ArrayLike<number> };
    assert.deepEqual(restB, restA);
    if (ga) {
      assert.equal(gb!.constructor, ga.constructor);
      assert.deepEqual(Array.from(gb!), Array.from(ga));
    }
  }
  assert.equal(read[2]!.feature.id, undefined, 'a feature without an id reads back without one');
});

test('a truncated file is refused with the record that does not fit', () => {
  const path = join(dir, 'b.bin');
  const [f] = convert({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }, 10);
  appendFileSync(path, encodeRecord(0, 1, f!, encodeMeta(f!)).subarray(0, 40));
  assert.throws(() => readSpill(path, () => {}), /claims \d+ bytes/);
});
