import { expect, test } from 'vitest';
import { hashQuery, hashRoute, hashWith } from './hash-query.js';

test('a hash splits into its route and query, and goes back together; an empty query leaves no "?"', () => {
  expect(hashRoute('#/queue?state=failed')).toBe('#/queue');
  expect(hashRoute('#/catalog')).toBe('#/catalog');
  expect(hashQuery('#/queue?state=failed&q=a%20b').get('q')).toBe('a b');
  expect(hashQuery('#/queue').toString()).toBe('');
  expect(hashWith('#/queue', new URLSearchParams({ state: 'failed,partial' }))).toBe('#/queue?state=failed%2Cpartial');
  expect(hashWith('#/catalog', new URLSearchParams())).toBe('#/catalog');
});
