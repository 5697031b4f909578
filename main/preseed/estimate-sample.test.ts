import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAbout, formatBytes, formatSecondsShort, formatTileBound } from '../../shared/format.js';
import { UNSEEN_SPREAD, spreadCells, totalRange } from './estimate-sample.js';

test('sample cells spread over both axes of the grid, distinct, the same every time', () => {
  const cells = spreadCells(8, 8, 8);
  assert.equal(cells.length, 8);
  assert.equal(new Set(cells.map((c) => `${c.col}/${c.row}`)).size, 8, 'distinct');
  // Not one column or one row (a world's middle column is all sea at z3), and every half of each axis met.
  assert.ok(new Set(cells.map((c) => c.col)).size >= 6 && new Set(cells.map((c) => c.row)).size >= 6, JSON.stringify(cells));
  assert.ok(cells.some((c) => c.col < 4) && cells.some((c) => c.col >= 4) && cells.some((c) => c.row < 4) && cells.some((c) => c.row >= 4));
  assert.deepEqual(spreadCells(8, 8, 8), cells);
  assert.equal(spreadCells(2, 1, 8).length, 2, 'a grid smaller than the sample is taken whole');
  assert.deepEqual(spreadCells(0, 5, 3), []);
  for (const c of spreadCells(3, 700, 50)) assert.ok(c.col < 3 && c.row < 700);
});

test('a range is the mean ± twice its standard error over the parts, widened for what a sample cannot see', () => {
  // Four of 100 parts, 10 ± 2: mean 10, sd 2.58, se 1.29 (× √(96/99) for the parts not drawn).
  const [low, high] = totalRange([8, 12, 8, 12], 100);
  const half = 2 * Math.sqrt((16 / 3 / 4) * (96 / 99));
  assert.ok(Math.abs(low - ((10 - half) * 100) / UNSEEN_SPREAD) < 1e-9, `${low}`);
  assert.ok(Math.abs(high - (10 + half) * 100 * UNSEEN_SPREAD) < 1e-9, `${high}`);
  // Every part measured: the exact total (tiles), or it widened only (seconds).
  assert.deepEqual(totalRange([3, 5], 2, false), [8, 8]);
  assert.deepEqual(totalRange([3, 5], 2), [8 / UNSEEN_SPREAD, 8 * UNSEEN_SPREAD]);
  // Never below nothing, however uneven.
  assert.equal(totalRange([0, 0, 0, 100], 1000)[0], 0);
  assert.deepEqual(totalRange([], 10), [0, 0]);
});

test('a dry run says its estimate with its range, and when its tile count is only an upper bound', () => {
  assert.equal(formatAbout(42, [30, 75], formatSecondsShort), 'about 42s (30s–1m 15s)');
  assert.equal(formatAbout(2048, null, formatBytes), 'about 2 KiB');
  assert.equal(formatTileBound(false, [1, 2]), '');
  assert.equal(formatTileBound(true, [9_000.4, 12_999.6]), 'at most; likely 9,000–13,000 made (empty ones are skipped)');
  assert.equal(formatTileBound(true, null), 'at most (empty ones are skipped)');
  assert.equal(formatTileBound(true, [988, 988.2]), 'at most; likely 988 made (empty ones are skipped)');
});
