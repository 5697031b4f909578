/**
 * The console's keyboard shortcuts: one table (which the `?` dialog lists) and a pure resolver
 * for key sequences such as `g q`, so the rules are tested without a DOM.
 */

export type ShortcutAction =
  | 'focus-search'
  | 'go-queue'
  | 'go-preseed'
  | 'go-catalog'
  | 'go-migrate'
  | 'go-map'
  | 'go-caches'
  | 'go-storage'
  | 'go-workers'
  | 'go-plans'
  | 'go-settings'
  | 'toggle-queue'
  | 'close'
  | 'help';

/** One shortcut: its keys, what it does, and how the `?` list describes it. */
export interface Shortcut {
  /** The keys as typed, one after another (KeyboardEvent.key values). */
  keys: readonly string[];
  action: ShortcutAction;
  description: string;
}

/** Every shortcut; the `?` dialog lists them in this order. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['/'], action: 'focus-search', description: 'Search the job history' },
  { keys: ['g', 'q'], action: 'go-queue', description: 'Go to the queue' },
  { keys: ['g', 'p'], action: 'go-preseed', description: 'Go to the preseed form' },
  { keys: ['g', 'c'], action: 'go-catalog', description: 'Go to the catalogue' },
  { keys: ['g', 'e'], action: 'go-migrate', description: 'Go to the Esri migration wizard' },
  { keys: ['g', 'm'], action: 'go-map', description: 'Go to the map' },
  { keys: ['g', 'k'], action: 'go-caches', description: 'Go to the tile caches' },
  { keys: ['g', 's'], action: 'go-storage', description: 'Go to storage' },
  { keys: ['g', 'w'], action: 'go-workers', description: 'Go to workers' },
  { keys: ['g', 'l'], action: 'go-plans', description: 'Go to the plans' },
  { keys: ['g', ','], action: 'go-settings', description: 'Go to settings' },
  { keys: ['p'], action: 'toggle-queue', description: 'Pause or resume the queue' },
  { keys: ['Escape'], action: 'close', description: 'Close the job detail or this list' },
  { keys: ['?'], action: 'help', description: 'Show these shortcuts' },
];

/** How long the second key of a sequence may wait for its first: long enough to read the key cap. */
export const SEQUENCE_TIMEOUT_MS = 1500;

export interface SequenceState {
  /** The keys typed so far that start a sequence, or empty. */
  pending: readonly string[];
  /** When the last of them was typed (ms, any monotonic clock). */
  at: number;
}

/** No key of a sequence typed yet. */
export const NO_SEQUENCE: SequenceState = { pending: [], at: 0 };

/**
 * The action a key completes, given the keys typed before it. A key that starts a sequence is
 * remembered; one that fits nothing drops the sequence (and is tried again on its own, so `g x p`
 * still pauses).
 */
export function resolveKey(state: SequenceState, key: string, now: number): { action: ShortcutAction | null; state: SequenceState } {
  const pending = now - state.at <= SEQUENCE_TIMEOUT_MS ? state.pending : [];
  const attempt = (typed: readonly string[]) => {
    const exact = SHORTCUTS.find((s) => s.keys.length === typed.length && s.keys.every((k, i) => k === typed[i]));
    if (exact) return { action: exact.action, state: NO_SEQUENCE };
    const prefix = SHORTCUTS.some((s) => s.keys.length > typed.length && typed.every((k, i) => s.keys[i] === k));
    return prefix ? { action: null, state: { pending: typed, at: now } } : null;
  };
  return attempt([...pending, key]) ?? (pending.length > 0 ? attempt([key]) : null) ?? { action: null, state: NO_SEQUENCE };
}

/** Whether a key event comes from a place where typing means text (inputs, selects, editable areas). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(target.type);
  return false;
}
