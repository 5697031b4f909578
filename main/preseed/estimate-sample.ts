/**
 * What both preseeds' dry runs share: where to draw a sample across an extent, and the range a
 * sample allows. A sample of a few parts of a map says little about the rest when the map is
 * uneven (the sea is empty, Europe is dense), so the estimate states low–high, not one number.
 */

/** The radical inverse of i in `base` (a Halton sequence): 0.5, 0.25, 0.75, … for base 2. */
function halton(i: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let n = i; n > 0; n = Math.floor(n / base)) {
    f /= base;
    r += f * (n % base);
  }
  return r;
}

/**
 * Up to `k` distinct cells of a columns × rows grid, spread over both axes (a Halton sequence in
 * 2 and 3): a sample that neither clusters, nor lines up in one column, nor starts at a corner
 * (the north-west of a world is open sea). The same grid gives the same cells every time.
 */
export function spreadCells(columns: number, rows: number, k: number): { col: number; row: number }[] {
  const count = columns * rows;
  if (count <= 0 || k <= 0) return [];
  if (k >= count) return Array.from({ length: count }, (_, i) => ({ col: i % columns, row: Math.floor(i / columns) }));
  const seen = new Set<number>();
  const cells: { col: number; row: number }[] = [];
  for (let i = 1; cells.length < k && i < 64 * k; i++) {
    const col = Math.floor(halton(i, 2) * columns);
    const row = Math.floor(halton(i, 3) * rows);
    if (seen.has(row * columns + col)) continue;
    seen.add(row * columns + col);
    cells.push({ col, row });
  }
  return cells;
}

/**
 * Room a sample cannot see: another job or the machine's load changing its speed, the writes and
 * the output's finishing, tiles between the sampled ones. The range is widened by this at least.
 */
export const UNSEEN_SPREAD = 1.35;

/**
 * Low–high of a total of `parts` parts, of which `values` were measured (one value per sampled
 * part): the mean ± twice its standard error (a ~95% band when the parts are alike), widened by
 * UNSEEN_SPREAD, never below 0. With all parts measured it is the exact total (widened only when
 * `widen` says so, as for seconds).
 */
export function totalRange(values: readonly number[], parts: number, widen = true): [number, number] {
  const n = values.length;
  if (n === 0 || parts <= 0) return [0, 0];
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : mean * mean;
  // Sampling without replacement: the error shrinks to nothing as the sample nears the whole.
  const finite = parts > 1 ? Math.max(0, (parts - n) / (parts - 1)) : 0;
  const half = 2 * Math.sqrt((variance / n) * finite);
  const spread = widen ? UNSEEN_SPREAD : 1;
  return [Math.max(0, ((mean - half) * parts) / spread), (mean + half) * parts * spread];
}
