/**
 * Sorting and filtering of a job's items, done in the console over the items it has loaded (the
 * engine pages items in their planned order only). Pure functions, so they are tested directly.
 */
import type { JobItem } from '../../shared/contract.js';
import type { ShownState } from '../../shared/item-parts.js';

/** The item table's sortable columns. */
export const ITEM_COLUMNS = ['label', 'state', 'attempts', 'progress', 'failed', 'bytes', 'errorCode', 'errorMessage'] as const;
export type ItemColumn = (typeof ITEM_COLUMNS)[number];

export interface ItemSort {
  column: ItemColumn;
  direction: 'asc' | 'desc';
}

export interface ItemFilter {
  /** Only items whose rows show this state (a staged file whose layer failed shows failed); null for all. */
  state: ShownState | null;
  /** Case-insensitive; matches the label, the error code and the error message. */
  text: string;
}

/** A column's value for sorting; null sorts last whichever the direction. */
function cellValue(item: JobItem, column: ItemColumn): string | number | null {
  switch (column) {
    case 'label':
      return item.label;
    case 'state':
      return item.state;
    case 'attempts':
      return item.attempts;
    case 'progress':
      // Share done, so a half-done small item and a half-done large one sit together.
      return item.total > 0 ? item.done / item.total : item.done > 0 ? 1 : 0;
    case 'failed':
      return item.failed;
    case 'bytes':
      return item.bytes;
    case 'errorCode':
      return item.error?.code ?? null;
    case 'errorMessage':
      return item.error?.message ?? null;
  }
}

/** Natural order for text, so z2 comes before z10. */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** A sorted copy; ties keep the planned order (ordinal), so a sort never shuffles equal rows. */
export function sortItems(items: readonly JobItem[], sort: ItemSort | null): JobItem[] {
  const sign = sort?.direction === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    if (sort) {
      const va = cellValue(a, sort.column);
      const vb = cellValue(b, sort.column);
      if (va === null || vb === null) {
        if (va !== vb) return va === null ? 1 : -1;
      } else {
        const c = compare(va, vb);
        if (c !== 0) return sign * c;
      }
    }
    return a.ordinal - b.ordinal;
  });
}

/**
 * The items that pass the state and text filter, in their order. `stateOf` is the state a row
 * shows (shared/item-parts.ts), so "failed (2)" in the filter lists the two rows that read failed.
 */
export function filterItems(items: readonly JobItem[], filter: ItemFilter, stateOf: (item: JobItem) => ShownState = (item) => item.state): JobItem[] {
  const needle = filter.text.trim().toLowerCase();
  return items.filter((item) => {
    if (filter.state !== null && stateOf(item) !== filter.state) return false;
    if (needle === '') return true;
    return [item.label, item.error?.code ?? '', item.error?.message ?? ''].some((s) => s.toLowerCase().includes(needle));
  });
}

/** Clicking a column's header: ascending first, then descending, then back to ascending. */
export function nextSort(current: ItemSort | null, column: ItemColumn): ItemSort {
  return current?.column === column && current.direction === 'asc' ? { column, direction: 'desc' } : { column, direction: 'asc' };
}

/**
 * The table's sort and filter as an address query (`sort=failed.desc&state=failed&q=corrupt`), so
 * a reload keeps them and a copied link shows the same rows; and back. Unknown values are dropped.
 */
export function itemQuery(sort: ItemSort | null, filter: ItemFilter): string {
  const query = new URLSearchParams();
  if (sort) query.set('sort', `${sort.column}.${sort.direction}`);
  if (filter.state) query.set('state', filter.state);
  if (filter.text.trim()) query.set('q', filter.text);
  return query.toString();
}

export function itemStateFromQuery(params: URLSearchParams, states: readonly ShownState[]): { sort: ItemSort | null } & ItemFilter {
  const [column, direction] = (params.get('sort') ?? '').split('.');
  const sort =
    (ITEM_COLUMNS as readonly string[]).includes(column ?? '') && (direction === 'asc' || direction === 'desc')
      ? { column: column as ItemColumn, direction: direction as 'asc' | 'desc' }
      : null;
  const state = params.get('state');
  return { sort, state: states.includes(state as ShownState) ? (state as ShownState) : null, text: params.get('q') ?? '' };
}
