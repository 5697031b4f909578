import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shownItemCounts, shownItemState, shownItemStates } from './item-parts.js';

test('a staged file whose only layer failed shows failed, not succeeded; with one of two failed, partial', () => {
  const shp = { label: 'GSHHS_l_L2.shp', state: 'succeeded' as const };
  const layer = { label: 'GSHHS_l_L2.shp › GSHHS_l_L2', state: 'failed' as const };
  assert.deepEqual(shownItemState(shp, [shp, layer]), { state: 'failed', note: 'copied and read; 1 of 1 layer failed' });
  const gpkg = { label: 'world.gpkg', state: 'succeeded' as const };
  const parts = [
    { label: 'world.gpkg › countries', state: 'succeeded' as const },
    { label: 'world.gpkg › rivers', state: 'failed' as const },
  ];
  assert.deepEqual(shownItemState(gpkg, [gpkg, ...parts, shp, layer]), { state: 'partial', note: 'copied and read; 1 of 2 layers failed' });
});

test('a file whose layers went in, a failed file and an item without parts keep their own state', () => {
  const shp = { label: 'cities.shp', state: 'succeeded' as const };
  assert.deepEqual(shownItemState(shp, [shp, { label: 'cities.shp › cities', state: 'succeeded' }]), { state: 'succeeded', note: null });
  const bad = { label: 'garbage.bin', state: 'failed' as const };
  assert.deepEqual(shownItemState(bad, [bad]), { state: 'failed', note: null });
  // A name that only begins like another's is not its part.
  const a = { label: 'a.shp', state: 'succeeded' as const };
  assert.deepEqual(shownItemState(a, [a, { label: 'a.shp.zip › x', state: 'failed' }]), { state: 'succeeded', note: null });
});

test('counts by shown state add up to the rows: a file whose layers failed is not counted as succeeded', () => {
  const items = [
    { label: 'world.gpkg', state: 'succeeded' as const },
    { label: 'world.gpkg › countries', state: 'succeeded' as const },
    { label: 'world.gpkg › rivers', state: 'failed' as const },
    { label: 'coast.shp', state: 'succeeded' as const },
    { label: 'coast.shp › coast', state: 'failed' as const },
    { label: 'a.zip', state: 'succeeded' as const },
    { label: 'a.zip › x/b.shp › b', state: 'succeeded' as const },
    { label: 'garbage.bin', state: 'failed' as const },
    { label: 'late.gpkg', state: 'succeeded' as const },
    { label: 'late.gpkg › one', state: 'failed' as const },
    { label: 'late.gpkg › two', state: 'cancelled' as const },
  ];
  const counts = shownItemCounts(items);
  assert.deepEqual(counts, { total: 11, queued: 0, running: 0, succeeded: 3, partial: 1, failed: 6, cancelled: 1, interrupted: 0 });
  // The same rule row by row: what each row shows, counted, is the counts.
  const shown = shownItemStates(items);
  for (const item of items) assert.deepEqual(shown.get(item), shownItemState(item, items), item.label);
  // A file with a failed and a cancelled layer made nothing: failed, not partial.
  assert.equal(shown.get(items[8]!)?.state, 'failed');
});
