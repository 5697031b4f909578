/**
 * Applies the chosen theme to the document. The palette lives in styles.css as CSS variables built
 * with light-dark(), so "system" is the browser's own prefers-color-scheme and follows it live;
 * light and dark pin `color-scheme`, which every variable (and the form controls) follows.
 */
import { useEffect } from 'react';
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
