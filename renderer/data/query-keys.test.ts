/** Query keys derived from request names: their shape, and what an invalidation by prefix reaches. */
import { QueryClient } from '@tanstack/react-query';
import { expect, test } from 'vitest';
import { jobKeys } from './job-keys.js';
import { pagedKey, queryKey } from './query-keys.js';

test('a key is the request’s name, then the input it names', () => {
  expect(queryKey('app.info')).toEqual(['app.info']);
  expect(queryKey('jobs.get', { id: 7 })).toEqual(['jobs.get', { id: 7 }]);
  expect(pagedKey('jobs.items', { id: 7, limit: 500 })).toEqual(['jobs.items', { id: 7, limit: 500 }, 'pages']);
  expect(jobKeys.summary(7)).toEqual(['jobs.get', { id: 7 }]);
});

test('a job’s keys, whatever page size reads them, are reached by one invalidation and only that job’s', async () => {
  const queryClient = new QueryClient();
  for (const key of [jobKeys.items(7), jobKeys.items(7, 1000), jobKeys.items(8), jobKeys.summary(7), jobKeys.events(7)])
    queryClient.setQueryData(key, { seeded: true });
  await queryClient.invalidateQueries({ queryKey: jobKeys.allItems(7), refetchType: 'none' });
  const invalid = queryClient
    .getQueryCache()
    .findAll()
    .filter((q) => q.state.isInvalidated)
    .map((q) => q.queryKey);
  expect(invalid).toEqual([jobKeys.items(7), jobKeys.items(7, 1000)]);
});

test('one answer and the pages of the same request never share an entry', () => {
  const queryClient = new QueryClient();
  queryClient.setQueryData(queryKey('jobs.items', { id: 7, limit: 500 }), { rows: [], nextCursor: null });
  queryClient.setQueryData(jobKeys.items(7), { pages: [], pageParams: [] });
  expect(queryClient.getQueryCache().findAll({ queryKey: jobKeys.allItems(7) }).length).toBe(2);
});
