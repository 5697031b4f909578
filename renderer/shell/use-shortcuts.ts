/**
 * Listens for the console's keyboard shortcuts (shortcuts.ts) on the window. Keys typed into a
 * field are text, not commands.
 */
import { useEffect, useRef } from 'react';
import { SEARCH_INPUT_ID } from '../queue/filter-bar.js';
import { useUi } from '../ui-store.js';
import { NO_SEQUENCE, type SequenceState, type ShortcutAction, isTypingTarget, resolveKey } from './shortcuts.js';

/** Focuses the history search once the queue screen is on the page (it may be mounting). */
function focusSearch(triesLeft = 20): void {
  const input = document.getElementById(SEARCH_INPUT_ID);
  if (input instanceof HTMLInputElement) {
    input.focus();
    input.select();
  } else if (triesLeft > 0) {
    requestAnimationFrame(() => focusSearch(triesLeft - 1));
  }
}

/** Binds the shortcut table to the window; `toggleQueue` is the `p` action. */
export function useShortcuts(toggleQueue: () => void): void {
  const sequence = useRef<SequenceState>(NO_SEQUENCE);
  // The latest toggle without re-subscribing on every render.
  const toggleRef = useRef(toggleQueue);
  toggleRef.current = toggleQueue;

  useEffect(() => {
    const run = (action: ShortcutAction) => {
      const ui = useUi.getState();
      switch (action) {
        case 'focus-search':
          if (ui.screen.name !== 'queue') ui.navigate({ name: 'queue' });
          focusSearch();
          return;
        case 'go-queue':
          return ui.navigate({ name: 'queue' });
        case 'go-preseed':
          return ui.navigate({ name: 'preseed' });
        case 'go-catalog':
          return ui.navigate({ name: 'catalog' });
        case 'go-migrate':
          return ui.navigate({ name: 'migrate' });
        case 'go-map':
          return ui.navigate({ name: 'map' });
        case 'go-caches':
          return ui.navigate({ name: 'caches' });
        case 'go-storage':
          return ui.navigate({ name: 'storage' });
        case 'go-workers':
          return ui.navigate({ name: 'workers' });
        case 'go-plans':
          return ui.navigate({ name: 'plans' });
        case 'go-settings':
          return ui.navigate({ name: 'settings' });
        case 'toggle-queue':
          return toggleRef.current();
        case 'close':
          if (ui.shortcutsOpen) return ui.setShortcutsOpen(false);
          if (ui.screen.name === 'job') return ui.navigate({ name: 'queue' });
          return;
        case 'help':
          return ui.setShortcutsOpen(!ui.shortcutsOpen);
      }
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      // In a field every key is the field's, Escape included (it leaves the search box).
      if (isTypingTarget(event.target)) return;
      const { action, state } = resolveKey(sequence.current, event.key, performance.now());
      sequence.current = state;
      if (action === null) return;
      event.preventDefault();
      run(action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
