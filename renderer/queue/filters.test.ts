import { expect, test } from 'vitest';
import { NO_FILTERS, dayBoundary, filtersFromQuery, filtersToQuery, hasFilters, matchesFilter, splitFilter, toJobFilter } from './filters.js';
import { job } from '../testing/test-jobs.js';

test('blank fields stay out of the contract filter; dates are whole local days', () => {
  expect(toJobFilter(NO_FILTERS)).toEqual({});
  expect(hasFilters(NO_FILTERS)).toBe(false);
  expect(toJobFilter({ ...NO_FILTERS, text: '   ' })).toEqual({});
  expect(toJobFilter({ states: ['partial', 'failed'], kinds: ['verify'], text: ' alps ', createdFrom: '2026-01-31', createdTo: '2026-02-28' })).toEqual({
    states: ['failed', 'partial'],
    kinds: ['verify'],
    text: 'alps',
    createdFrom: new Date(2026, 0, 31).toISOString(),
    createdTo: new Date(2026, 2, 1, 0, 0, 0, -1).toISOString(),
  });
  expect(dayBoundary('2026-13-45x', 'start')).toBeNull();
  expect(dayBoundary('', 'end')).toBeNull();
});

test('each section gets its share of the states; a section with none is not fetched', () => {
  // No states asked: the history names none (the console drops its active rows itself).
  expect(splitFilter({})).toEqual({ active: { states: ['running', 'cancelling', 'queued'] }, history: {} });
  expect(splitFilter({ text: 'alps' })).toEqual({ active: { states: ['running', 'cancelling', 'queued'], text: 'alps' }, history: { text: 'alps' } });
  expect(splitFilter({ states: ['failed'], text: 'x' })).toEqual({ active: null, history: { states: ['failed'], text: 'x' } });
  expect(splitFilter({ states: ['queued', 'partial'] })).toEqual({ active: { states: ['queued'] }, history: { states: ['partial'] } });
});

test('a live job is matched against a filter as the engine would, as far as a summary tells', () => {
  const j = job(3, 'failed', { name: 'Verify Alps', createdAt: '2026-05-01T12:00:00.000Z', error: { code: 'IO_ERROR', message: 'Disk gone' } });
  expect(matchesFilter(j, {})).toBe(true);
  expect(matchesFilter(j, { states: ['failed'] })).toBe(true);
  expect(matchesFilter(j, { states: ['partial'] })).toBe(false);
  expect(matchesFilter(j, { kinds: ['verify'] })).toBe(true);
  expect(matchesFilter(j, { text: 'alps' })).toBe(true);
  expect(matchesFilter(j, { text: 'cache-3.mbtiles' })).toBe(true);
  expect(matchesFilter(j, { text: 'disk gone' })).toBe(true);
  expect(matchesFilter(j, { text: 'pyrenees' })).toBe(false);
  expect(matchesFilter(j, { createdFrom: '2026-05-01T12:00:00.000Z', createdTo: '2026-05-01T12:00:00.000Z' })).toBe(true);
  expect(matchesFilter(j, { createdFrom: '2026-05-01T12:00:00.001Z' })).toBe(false);
  expect(matchesFilter(j, { createdTo: '2026-05-01T13:00:00+02:00' })).toBe(false);
});

test('filters go into the address and come back the same; what the address cannot mean is dropped', () => {
  const f = { states: ['failed', 'partial'] as const, kinds: ['verify'] as const, text: 'états & co', createdFrom: '2026-01-31', createdTo: '' };
  const query = filtersToQuery({ ...f, states: [...f.states], kinds: [...f.kinds] });
  expect(query).toBe('state=failed%2Cpartial&kind=verify&q=%C3%A9tats+%26+co&from=2026-01-31');
  expect(filtersFromQuery(new URLSearchParams(query))).toEqual({ ...f, states: ['failed', 'partial'], kinds: ['verify'] });
  expect(filtersToQuery(NO_FILTERS)).toBe('');
  expect(filtersFromQuery(new URLSearchParams('state=failed,exploded&kind=teleport&from=31/01/2026&to=2026-02-30x'))).toEqual({
    ...NO_FILTERS,
    states: ['failed'],
  });
});
