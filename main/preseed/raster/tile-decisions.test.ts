import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideTile } from './tile-decisions.js';

const plannedAt = 1_000_000;

test('an absent tile is made in every mode', () => {
  for (const mode of ['resume', 'overwrite', 'refresh'] as const) assert.equal(decideTile(undefined, { mode, olderThanMs: 500, plannedAt }), 'make');
});

test('a tile this job wrote (an earlier dataset, or before an interruption) is composed over', () => {
  for (const mode of ['resume', 'overwrite', 'refresh'] as const) assert.equal(decideTile(plannedAt + 5, { mode, olderThanMs: 500, plannedAt }), 'compose');
});

test('older tiles: resume keeps, overwrite replaces, refresh replaces only those before olderThan', () => {
  assert.equal(decideTile(10, { mode: 'resume', olderThanMs: null, plannedAt }), 'keep');
  assert.equal(decideTile(10, { mode: 'overwrite', olderThanMs: null, plannedAt }), 'replace');
  assert.equal(decideTile(10, { mode: 'refresh', olderThanMs: 500, plannedAt }), 'replace');
  assert.equal(decideTile(600, { mode: 'refresh', olderThanMs: 500, plannedAt }), 'keep');
  // Tiles other tools wrote have no time: they count as written at 0.
  assert.equal(decideTile(0, { mode: 'refresh', olderThanMs: 500, plannedAt }), 'replace');
});

test('a tile the item itself wrote since it started is kept, not composed over itself again', () => {
  const plannedAt = 1000;
  const rule = { mode: 'overwrite' as const, olderThanMs: null, plannedAt, ownSince: 2000 };
  assert.equal(decideTile(2500, rule), 'keep');
  assert.equal(decideTile(1500, rule), 'compose', 'an earlier item’s tile of this job is still composed over');
  assert.equal(decideTile(500, rule), 'replace');
});
