/**
 * A screen's own state in the query of its hash (`#/queue?state=failed&q=states`): filters, a
 * search, a picked kind. A reload keeps them and a copied address shares them. The screen stays the
 * hash's path (routes.ts ignores the query), so writing the query never changes the screen; it is
 * written with history.replaceState, so typing in a filter adds no history entries and fires no
 * hashchange.
 */
import { useEffect, useRef } from 'react';
import type { Screen } from '../ui-store.js';
import { screenFromHash } from './routes.js';

/** The route part of a hash (`#/queue` of `#/queue?state=failed`). */
export function hashRoute(hash: string): string {
  const q = hash.indexOf('?');
  return q === -1 ? hash : hash.slice(0, q);
}

/** The query of a hash, empty when it has none. */
export function hashQuery(hash: string): URLSearchParams {
  const q = hash.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : hash.slice(q + 1));
}

/** `route` with `query` (none when it is empty). */
export function hashWith(route: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? route : `${route}?${text}`;
}

/**
 * Keeps a screen's state and its hash's query in step while the hash names `screen` (`route` is its
 * hash, written when the address had none: `#/` and an empty hash are the queue too):
 * on mount and on every hashchange to the route, a hash with a query is applied (`apply`); one
 * without a query gets the current state written into it (the state outlives a visit elsewhere).
 * Whenever `query` (the state as a query string) changes, it is written into the hash.
 */
export function useHashQuery(screen: Screen['name'], route: string, query: string, apply: (params: URLSearchParams) => void): void {
  const applyRef = useRef(apply);
  applyRef.current = apply;
  const queryRef = useRef(query);
  queryRef.current = query;
  useEffect(() => {
    const fromLocation = () => {
      const hash = window.location.hash;
      if (!onRoute(hash, screen, route)) return;
      const asked = hashQuery(hash);
      if (asked.toString() !== '') applyRef.current(asked);
      else if (queryRef.current !== '') write(route, queryRef.current);
    };
    fromLocation();
    window.addEventListener('hashchange', fromLocation);
    return () => window.removeEventListener('hashchange', fromLocation);
  }, [screen, route]);
  useEffect(() => {
    if (onRoute(window.location.hash, screen, route)) write(route, query);
  }, [screen, route, query]);
}

/**
 * Whether `hash` shows this screen at this route: the same screen, and for a screen with an id (a
 * job's page) the same id, so that the page being left never writes its query over the next one's
 * address (`#/` and `#/queue` are both the queue).
 */
function onRoute(hash: string, screen: Screen['name'], route: string): boolean {
  const shown = screenFromHash(hashRoute(hash));
  return shown.name === screen && JSON.stringify(shown) === JSON.stringify(screenFromHash(route));
}

function write(route: string, query: string): void {
  // Nothing to hold and nothing held: the address stays as it is (an empty hash stays clean).
  if (query === '' && hashQuery(window.location.hash).toString() === '') return;
  const next = hashWith(route, new URLSearchParams(query));
  if (window.location.hash === next) return;
  history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}${next}`);
}
