import { expect, test } from 'vitest';
import { ITEM_STATES, type JobItem } from '../../shared/contract.js';
import { shownItemStates } from '../../shared/item-parts.js';
import { filterItems, itemQuery, itemStateFromQuery, nextSort, sortItems } from './item-rows.js';

function item(ordinal: number, extra: Partial<JobItem> = {}): JobItem {
  return {
    id: 100 + ordinal,
    jobId: 1,
    ordinal,
    label: `z${ordinal}`,
    state: 'succeeded',
    attempts: 1,
    done: 10,
    total: 10,
    failed: 0,
    bytes: 1000,
    skipped: 0,
    error: null,
    result: null,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

const labels = (items: JobItem[]) => items.map((i) => i.label);

test('labels sort naturally (z2 before z10), both ways', () => {
  const items = [item(10), item(2), item(1)];
  expect(labels(sortItems(items, { column: 'label', direction: 'asc' }))).toEqual(['z1', 'z2', 'z10']);
  expect(labels(sortItems(items, { column: 'label', direction: 'desc' }))).toEqual(['z10', 'z2', 'z1']);
});

test('no sort is the planned order; ties keep it', () => {
  const items = [item(3, { attempts: 2 }), item(1, { attempts: 2 }), item(2, { attempts: 1 })];
  expect(labels(sortItems(items, null))).toEqual(['z1', 'z2', 'z3']);
  expect(labels(sortItems(items, { column: 'attempts', direction: 'desc' }))).toEqual(['z1', 'z3', 'z2']);
});

test('items without an error sort last whichever the direction', () => {
  const items = [
    item(1),
    item(2, { state: 'failed', error: { code: 'TILE_CORRUPT', message: 'b' } }),
    item(3, { state: 'failed', error: { code: 'IO_ERROR', message: 'a' } }),
  ];
  expect(labels(sortItems(items, { column: 'errorCode', direction: 'asc' }))).toEqual(['z3', 'z2', 'z1']);
  expect(labels(sortItems(items, { column: 'errorCode', direction: 'desc' }))).toEqual(['z2', 'z3', 'z1']);
  expect(labels(sortItems(items, { column: 'errorMessage', direction: 'asc' }))).toEqual(['z3', 'z2', 'z1']);
});

test('done/total sorts by the share done', () => {
  const items = [item(1, { done: 5, total: 10 }), item(2, { done: 90, total: 100 }), item(3, { done: 1, total: 100 })];
  expect(labels(sortItems(items, { column: 'progress', direction: 'asc' }))).toEqual(['z3', 'z1', 'z2']);
});

test('the filter matches state, and text in label, error code or message, ignoring case', () => {
  const items = [item(1), item(2, { state: 'failed', error: { code: 'TILE_CORRUPT', message: '5 of 24 tiles are corrupt' } }), item(3, { state: 'running' })];
  expect(labels(filterItems(items, { state: 'failed', text: '' }))).toEqual(['z2']);
  expect(labels(filterItems(items, { state: null, text: 'CORRUPT' }))).toEqual(['z2']);
  expect(labels(filterItems(items, { state: null, text: 'tiles are' }))).toEqual(['z2']);
  expect(labels(filterItems(items, { state: null, text: ' z3 ' }))).toEqual(['z3']);
  expect(labels(filterItems(items, { state: 'running', text: 'corrupt' }))).toEqual([]);
});

test('a header click sorts ascending, a second descending, a third ascending again', () => {
  const first = nextSort(null, 'bytes');
  expect(first).toEqual({ column: 'bytes', direction: 'asc' });
  const second = nextSort(first, 'bytes');
  expect(second).toEqual({ column: 'bytes', direction: 'desc' });
  expect(nextSort(second, 'bytes')).toEqual({ column: 'bytes', direction: 'asc' });
  expect(nextSort(second, 'label')).toEqual({ column: 'label', direction: 'asc' });
});

test('the sort and filter go into the address and come back; unknown values are dropped', () => {
  const query = itemQuery({ column: 'failed', direction: 'desc' }, { state: 'failed', text: 'corrupt z10' });
  expect(query).toBe('sort=failed.desc&state=failed&q=corrupt+z10');
  expect(itemStateFromQuery(new URLSearchParams(query), ITEM_STATES)).toEqual({
    sort: { column: 'failed', direction: 'desc' },
    state: 'failed',
    text: 'corrupt z10',
  });
  expect(itemQuery(null, { state: null, text: '  ' })).toBe('');
  expect(itemStateFromQuery(new URLSearchParams('sort=password.up&state=exploded'), ITEM_STATES)).toEqual({ sort: null, state: null, text: '' });
});

test('the state filter goes by what a row shows: a staged file whose only layer failed is listed under failed', () => {
  const items = [
    item(1, { label: 'coast.shp' }),
    item(2, { label: 'coast.shp › coast', state: 'failed' }),
    item(3, { label: 'world.gpkg' }),
    item(4, { label: 'world.gpkg › countries' }),
    item(5, { label: 'world.gpkg › rivers', state: 'failed' }),
  ];
  const shown = shownItemStates(items);
  const stateOf = (i: JobItem) => shown.get(i)!.state;
  expect(labels(filterItems(items, { state: 'failed', text: '' }, stateOf))).toEqual(['coast.shp', 'coast.shp › coast', 'world.gpkg › rivers']);
  expect(labels(filterItems(items, { state: 'partial', text: '' }, stateOf))).toEqual(['world.gpkg']);
  expect(labels(filterItems(items, { state: 'succeeded', text: '' }, stateOf))).toEqual(['world.gpkg › countries']);
  expect(itemStateFromQuery(new URLSearchParams('state=partial'), [...ITEM_STATES, 'partial']).state).toBe('partial');
});
