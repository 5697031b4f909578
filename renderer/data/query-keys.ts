/**
 * Query keys derived from the contract's request names: the data a request answers is cached
 * under that request's name and input, so two screens asking the engine the same question share
 * one cache entry, and an invalidation names the request it wants read again.
 *
 * react-query matches keys by prefix and objects by their listed fields, so
 * `queryKey('jobs.items', { id })` reaches every cached page size and state filter of that job's items.
 */
import type { RequestName, RequestParsed } from '../../shared/contract.js';

/** The fields of a request's input, any of them (a key may name fewer fields than the request). */
export type KeyInput<N extends RequestName> = Partial<RequestParsed<N>>;

export type RequestKey<N extends RequestName> = readonly [N] | readonly [N, KeyInput<N>];
/** The key of an infinite (paged by cursor) query: its pages are a different shape from one answer. */
export type PagedKey<N extends RequestName> = readonly [N, KeyInput<N>, 'pages'];

/** `queryKey('jobs.get', { id: 7 })` is `['jobs.get', { id: 7 }]`; `queryKey('app.info')` is `['app.info']`. */
export function queryKey<N extends RequestName>(name: N, input?: KeyInput<N>): RequestKey<N> {
  return input === undefined ? [name] : [name, input];
}

/**
 * The key of a request read page by page into one infinite query. Its cache holds every page, not
 * one answer, so it must never share an entry with a single read of the same request.
 */
export function pagedKey<N extends RequestName>(name: N, input: KeyInput<N>): PagedKey<N> {
  return [name, input, 'pages'];
}
