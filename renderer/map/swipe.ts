/**
 * The swipe's arithmetic, pure so it is tested without a browser: where the divider is (percent of
 * the frame from its left edge), after a drag or a key, and the zooms two synchronised maps share.
 */

/** The divider never leaves the frame entirely, so it can always be grabbed again. */
export const SPLIT_MIN = 0;
export const SPLIT_MAX = 100;
/** A key press moves the divider this far; with Shift ten times as far. */
const KEY_STEP = 2;

/** `percent` within 0–100 (NaN, from a zero-width frame, is the middle). */
export function clampSplit(percent: number): number {
  if (Number.isNaN(percent)) return 50;
  return Math.max(SPLIT_MIN, Math.min(SPLIT_MAX, percent));
}

/** The split under a pointer at `clientX`, for a frame whose left edge is `left` and is `width` wide. */
export function splitFromPointer(clientX: number, left: number, width: number): number {
  if (width <= 0) return 50;
  return clampSplit(((clientX - left) / width) * 100);
}

/** The split after a key on the divider (arrows, Home, End), or null when the key does not move it. */
export function splitOnKey(split: number, key: string, shift: boolean): number | null {
  const step = shift ? KEY_STEP * 10 : KEY_STEP;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampSplit(split - step);
    case 'ArrowRight':
    case 'ArrowUp':
      return clampSplit(split + step);
    case 'Home':
      return SPLIT_MIN;
    case 'End':
      return SPLIT_MAX;
    default:
      return null;
  }
}

/**
 * The zooms both maps allow: from the shallower cache's shallowest to the deeper one's deepest, so
 * that neither side stops the other (a side outside its cache's zooms shows its basemap, or
 * overzooms its deepest tiles).
 */
export function unionZoomLimits(a: { minZoom: number; maxZoom: number }, b: { minZoom: number; maxZoom: number }): { minZoom: number; maxZoom: number } {
  return { minZoom: Math.min(a.minZoom, b.minZoom), maxZoom: Math.max(a.maxZoom, b.maxZoom) };
}
