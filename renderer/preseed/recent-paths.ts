/**
 * Paths used in earlier preseeds, offered as suggestions in every path field (a `<datalist>`):
 * the browser host has no file picker, so paths are typed, and the same datasets and folders come
 * back job after job. Kept in localStorage, newest first.
 */

const KEY = 'tessera.recentPaths';
/** Enough for a working set of datasets and outputs; the list stays readable. */
export const MAX_RECENT_PATHS = 30;

export function recentPaths(): string[] {
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    // Written by hand or by an older console: start afresh rather than break the form.
    return [];
  }
}

/** Puts `paths` first (each once), dropping the oldest beyond MAX_RECENT_PATHS. */
export function rememberPaths(paths: readonly string[]): string[] {
  const fresh = [...new Set(paths.map((p) => p.trim()).filter(Boolean))];
  const next = [...fresh, ...recentPaths().filter((p) => !fresh.includes(p))].slice(0, MAX_RECENT_PATHS);
  globalThis.localStorage?.setItem(KEY, JSON.stringify(next));
  return next;
}
