/**
 * stac.search: the STAC API's item search over what Tessera holds (issue 17, item 5), filtered by
 * collections, ids, bbox (intersects) and datetime (an instant or an interval, `..` open), newest
 * holdings by id order, paged by an opaque cursor. Checksums are left to the static export: an API
 * answer must not hash gigabytes.
 */
import type { Bbox, StacSearchResult } from '../../shared/contract.js';
import { badInputAt } from '../../shared/errors.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import { type StacHoldings, stacItems } from './stac-export.js';
import { COLLECTIONS, type CollectionId, type StacCollection, type StacItem, collectionOf } from './stac-objects.js';

export interface StacSearchInput {
  collections?: string[];
  ids?: string[];
  bbox?: Bbox;
  /** RFC 3339 instant, or `start/end` with `..` for an open end. */
  datetime?: string;
  limit: number;
  cursor?: string;
}

/** The [from, to] instants (ms) of a datetime filter; BAD_INPUT naming `datetime` when it is not one. */
export function datetimeRange(text: string): [number, number] {
  const parts = text.split('/');
  const at = (part: string, open: number) => {
    if (part === '..' || part === '') return open;
    const ms = Date.parse(part);
    if (!/^\d{4}-\d\d-\d\d(T|$)/.test(part) || Number.isNaN(ms)) throw badInputAt('datetime', `datetime: not an RFC 3339 instant: ${part.slice(0, 40)}`);
    return ms;
  };
  if (parts.length === 1) {
    const ms = at(parts[0]!, Number.NaN);
    return [ms, ms];
  }
  if (parts.length !== 2 || (parts[0] === '..' && parts[1] === '..'))
    throw badInputAt('datetime', 'datetime: an instant, or start/end with ".." for an open end');
  const range: [number, number] = [at(parts[0]!, Number.NEGATIVE_INFINITY), at(parts[1]!, Number.POSITIVE_INFINITY)];
  if (range[0] > range[1]) throw badInputAt('datetime', 'datetime: the interval ends before it starts');
  return range;
}

function intersects(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Whether an item's bbox meets a query box; a query whose west exceeds its east crosses the antimeridian (two boxes). */
function meets(item: Bbox, query: Bbox): boolean {
  if (query[0] <= query[2]) return intersects(item, query);
  return intersects(item, [query[0], query[1], 180, query[3]]) || intersects(item, [-180, query[1], query[2], query[3]]);
}

/** Records other servers published here (the Transactions extension), served beside the holdings. */
export interface ReceivedStac {
  collections(): StacCollection[];
  items(): StacItem[];
}

export async function searchStac(holdings: StacHoldings, input: StacSearchInput, received?: ReceivedStac): Promise<StacSearchResult> {
  const own = (await stacItems(holdings, false)).items;
  const items = received ? [...own, ...received.items()] : own;
  const range = input.datetime === undefined ? null : datetimeRange(input.datetime);
  const matching = items.filter(
    (item: StacItem) =>
      (!input.collections?.length || input.collections.includes(item.collection)) &&
      (!input.ids?.length || input.ids.includes(item.id)) &&
      (!input.bbox || meets(item.bbox, input.bbox)) &&
      (!range || (Date.parse(item.properties.datetime) >= range[0] && Date.parse(item.properties.datetime) <= range[1])),
  );
  const offset = input.cursor === undefined ? 0 : decodeCursor('stac', input.cursor, ['number'] as const)[0];
  const page = matching.slice(offset, offset + input.limit);
  const next = offset + input.limit < matching.length ? encodeCursor('stac', [offset + input.limit]) : null;
  const collections = [
    ...(Object.keys(COLLECTIONS) as CollectionId[]).map((id) =>
      collectionOf(
        id,
        own.filter((i) => i.collection === id),
      ),
    ),
    ...(received?.collections() ?? []),
  ];
  return { items: page, matched: matching.length, nextCursor: next, collections };
}
