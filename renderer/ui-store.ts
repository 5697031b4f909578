/**
 * UI state that is not engine data: which screen is showing, the theme, whether the shortcut
 * list is open and whether the rail is folded. Engine data lives in react-query (through the contract); this store never holds a
 * copy of it. The screen is mirrored in the location hash by shell/use-hash-routing.ts.
 */
import { create } from 'zustand';

export type Screen =
  | { name: 'queue' }
  | { name: 'job'; jobId: number }
  | {
      name: 'map';
      cachePath?: string;
      extent?: [number, number, number, number];
      /** A verify or preseed job whose bad tiles are drawn over the map (renderer/map/issue-overlay.tsx). */
      jobId?: number;
      /** One of those tiles, as [z, x, y]: the map opens on it with its issue shown. */
      tile?: [number, number, number];
      /** A second cache shown beside the first with a swipe divider (renderer/map/compare-view.tsx). */
      compareWith?: string;
      /** A catalogue dataset shown as its own vector tiles (main/catalog/dataset-tiles.ts). */
      datasetId?: number;
    }
  /** The preseed launch form; `kind` picks its tab (absent: the tab used last). */
  | { name: 'preseed'; kind?: 'raster' | 'vector' }
  | { name: 'storage' }
  /** The task queue and its `tessera worker` processes (scale-out, renderer/workers/). */
  | { name: 'workers' }
  /** Every tile cache jobs made or checked, and those added by hand (renderer/caches/). */
  | { name: 'caches' }
  /** The local catalogue of ingested datasets. */
  | { name: 'catalog' }
  /** The Esri migration wizard (renderer/esri/). */
  | { name: 'migrate' }
  /** Plans as code: sources, each plan's sync state, Reconcile now (renderer/plans/). */
  | { name: 'plans' }
  | { name: 'settings' };

export type Theme = 'light' | 'dark' | 'system';

interface UiState {
  screen: Screen;
  theme: Theme;
  /** The keyboard shortcut list (`?`). */
  shortcutsOpen: boolean;
  /** The left rail folded to its icons, remembered across reloads (a narrow window wants the room). */
  railCollapsed: boolean;
  navigate(screen: Screen): void;
  setTheme(theme: Theme): void;
  setShortcutsOpen(open: boolean): void;
  setRailCollapsed(collapsed: boolean): void;
}

const THEME_KEY = 'tessera.theme';
const RAIL_KEY = 'tessera.rail';

function storedTheme(): Theme {
  const value = globalThis.localStorage?.getItem(THEME_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export const useUi = create<UiState>((set) => ({
  screen: { name: 'queue' },
  theme: storedTheme(),
  shortcutsOpen: false,
  railCollapsed: globalThis.localStorage?.getItem(RAIL_KEY) === 'collapsed',
  navigate: (screen) => set({ screen }),
  setTheme: (theme) => {
    globalThis.localStorage?.setItem(THEME_KEY, theme);
    set({ theme });
  },
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  setRailCollapsed: (railCollapsed) => {
    globalThis.localStorage?.setItem(RAIL_KEY, railCollapsed ? 'collapsed' : 'open');
    set({ railCollapsed });
  },
}));
