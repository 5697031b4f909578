/**
 * Reference suite (npm run test:reference): our MVT encoder against vt-pbf run live, and the
 * check that testing/golden/vt-pbf-countries.json (what the everyday test reads) is still what
 * vt-pbf makes. When it is not (a vt-pbf or geojson-vt upgrade), make it again:
 * `UPDATE=1 node --test dist/workers/vector/mvt-encode.test.js`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGolden } from '../testing/golden.js';
import { type MvtGolden, TILES, assertMatches, countriesIndex, digestLayer, makeGolden, ourLayer, vtpbfLayer } from './testing/vt-pbf-reference.js';

test('reference: tiles of real data decode to what vt-pbf encodes, live; the golden digests are current', () => {
  const index = countriesIndex();
  let compared = 0;
  for (const [z, x, y] of TILES) compared += assertMatches(ourLayer(index, z, x, y), digestLayer(vtpbfLayer(index, z, x, y)), `${z}/${x}/${y}`);
  assert.ok(compared > 100, `compared ${compared} features`);
  const committed = readGolden<MvtGolden>(new URL('./mvt-encode.test.js', import.meta.url).href, 'vt-pbf-countries');
  assert.deepEqual(makeGolden(), committed, 'vt-pbf now encodes other tiles: run UPDATE=1 on mvt-encode.test.js');
});
