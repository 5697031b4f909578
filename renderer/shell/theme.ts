/**
 * Applies the chosen theme to the document. The palette lives in styles.css as CSS variables built
 * with light-dark(), so "system" is the browser's own prefers-color-scheme and follows it live;
 * light and dark pin `color-scheme`, which every variable (and the form controls) follows.
 */
import { useEffect, useMemo, useState } from 'react';
import { type Theme, useUi } from '../ui-store.js';

/** The theme picker's choices. */
export const THEMES: readonly { value: Theme; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Mirrors the store's theme into `<html data-theme>`. */
export function useApplyTheme(): void {
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}

/**
 * The theme with 'system' resolved to what the OS shows now, following it live: for the maps,
 * whose background MapLibre paints itself and so cannot follow the CSS variables.
 */
export function useResolvedTheme(): 'light' | 'dark' {
  const theme = useUi((s) => s.theme);
  const query = useMemo(() => globalThis.matchMedia?.('(prefers-color-scheme: dark)'), []);
  const [systemDark, setSystemDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = () => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  if (theme === 'system') return systemDark ? 'dark' : 'light';
  return theme;
}
