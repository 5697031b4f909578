/**
 * The queue screen's own UI state: the filters and the selected rows. Kept outside the component so
 * both survive a visit to a job's detail and back.
 */
import { create } from 'zustand';
import { hashQuery, hashRoute } from '../shell/hash-query.js';
import { screenFromHash } from '../shell/routes.js';
import { NO_FILTERS, type QueueFilters, filtersFromQuery } from './filters.js';

interface QueueUiState {
  filters: QueueFilters;
  /** Selected job ids, for bulk cancel and retry. */
  selected: ReadonlySet<number>;
  setFilters(patch: Partial<QueueFilters>): void;
  clearFilters(): void;
  setSelected(ids: Iterable<number>, on: boolean): void;
  clearSelection(): void;
}

/** The filters a loaded address names (a reload, a shared link), so the first list fetched is the filtered one. */
function filtersOfLocation(): QueueFilters {
  const hash = globalThis.location?.hash ?? '';
  return screenFromHash(hashRoute(hash)).name === 'queue' ? filtersFromQuery(hashQuery(hash)) : NO_FILTERS;
}

/** The queue screen's filters and selection. */
export const useQueueUi = create<QueueUiState>((set) => ({
  filters: filtersOfLocation(),
  selected: new Set(),
  // A selection made under other filters would act on rows no longer in sight: it goes.
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch }, selected: new Set() })),
  clearFilters: () => set({ filters: NO_FILTERS, selected: new Set() }),
  setSelected: (ids, on) =>
    set((s) => {
      const selected = new Set(s.selected);
      for (const id of ids) {
        if (on) selected.add(id);
        else selected.delete(id);
      }
      return { selected };
    }),
  clearSelection: () => set({ selected: new Set() }),
}));
