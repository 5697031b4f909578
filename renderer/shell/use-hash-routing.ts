/**
 * Keeps `useUi().screen` and the location hash in step, both ways: navigating writes the hash (one
 * history entry per screen, so back and forward work), and a typed, reloaded or back/forward hash
 * sets the screen. On start the hash wins, so a reload stays where it was.
 */
import { useEffect } from 'react';
import { useUi } from '../ui-store.js';
import { hashForScreen, sameScreen, screenFromHash } from './routes.js';

/** Syncs the screen with the location hash while the shell is mounted. */
export function useHashRouting(): void {
  useEffect(() => {
    const fromLocation = () => {
      const screen = screenFromHash(window.location.hash);
      if (!sameScreen(screen, useUi.getState().screen)) useUi.getState().navigate(screen);
    };
    fromLocation();
    const unsubscribe = useUi.subscribe((state, previous) => {
      if (state.screen === previous.screen) return;
      // An empty hash already means the queue: the address stays clean until the operator moves.
      if (sameScreen(screenFromHash(window.location.hash), state.screen)) return;
      window.location.hash = hashForScreen(state.screen);
    });
    window.addEventListener('hashchange', fromLocation);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', fromLocation);
    };
  }, []);
}
