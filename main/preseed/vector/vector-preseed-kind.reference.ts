/**
 * Reference suite (npm run test:reference): the states the vector preseed test expects inside the
 * UK bbox, found by ogr2ogr live, are still those of testing/golden/uk-states-inside.json. When
 * not (a GDAL or world_map.gpkg upgrade), make it again:
 * `UPDATE=1 node --test --test-name-pattern="two sources" dist/main/preseed/vector/vector-preseed-kind.test.js`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGolden } from '../../../workers/testing/golden.js';
import { statesInside } from './testing/states-inside.js';

test('reference: ogr2ogr still finds the states of the golden file wholly inside the UK bbox', () => {
  const live = statesInside([-8.7, 49.8, 2.0, 60.9]);
  assert.ok(live.length > 50);
  assert.deepEqual(
    live,
    readGolden<string[]>(new URL('./vector-preseed-kind.test.js', import.meta.url).href, 'uk-states-inside'),
    'run UPDATE=1 on vector-preseed-kind.test.js',
  );
});
