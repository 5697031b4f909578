/**
 * The uploads dock's height as a CSS variable on the document (`--dock-height`), so what floats
 * over the bottom of the window (the toasts) stacks above the dock instead of covering its cards
 * and gauges. The dock grows and shrinks with its drops and folds, so it is watched, not read once.
 */
import { useCallback, useRef } from 'react';

export const DOCK_HEIGHT_VAR = '--dock-height';

/** A ref callback for the dock: sets the variable while the dock is mounted, removes it after. */
export function useDockHeight(): (element: HTMLElement | null) => void {
  const observer = useRef<ResizeObserver | null>(null);
  return useCallback((element: HTMLElement | null) => {
    const root = document.documentElement.style;
    observer.current?.disconnect();
    observer.current = null;
    if (element === null) {
      root.removeProperty(DOCK_HEIGHT_VAR);
      return;
    }
    const set = () => root.setProperty(DOCK_HEIGHT_VAR, `${Math.ceil(element.getBoundingClientRect().height)}px`);
    set();
    // jsdom (the component tests) has no ResizeObserver: the height read once is all it gets.
    if (typeof ResizeObserver === 'undefined') return;
    observer.current = new ResizeObserver(set);
    observer.current.observe(element);
  }, []);
}
