import { expect, test } from 'vitest';
import { NO_SEQUENCE, SEQUENCE_TIMEOUT_MS, SHORTCUTS, type SequenceState, type ShortcutAction, resolveKey } from './shortcuts.js';

/** Types `keys` at the given times (ms); returns the actions fired. */
function type(keys: [string, number][]): ShortcutAction[] {
  let state: SequenceState = NO_SEQUENCE;
  const actions: ShortcutAction[] = [];
  for (const [key, at] of keys) {
    const result = resolveKey(state, key, at);
    state = result.state;
    if (result.action) actions.push(result.action);
  }
  return actions;
}

test('single keys and g-sequences resolve to their actions', () => {
  expect(type([['/', 0]])).toEqual(['focus-search']);
  expect(type([['p', 0]])).toEqual(['toggle-queue']);
  expect(type([['?', 0]])).toEqual(['help']);
  expect(type([['Escape', 0]])).toEqual(['close']);
  expect(
    type([
      ['g', 0],
      ['q', 100],
    ]),
  ).toEqual(['go-queue']);
  expect(
    type([
      ['g', 0],
      ['p', 100],
    ]),
  ).toEqual(['go-preseed']);
  expect(
    type([
      ['g', 0],
      ['c', 100],
    ]),
  ).toEqual(['go-catalog']);
  expect(
    type([
      ['g', 0],
      ['e', 100],
    ]),
  ).toEqual(['go-migrate']);
  expect(
    type([
      ['g', 0],
      ['m', 100],
    ]),
  ).toEqual(['go-map']);
  expect(
    type([
      ['g', 0],
      ['s', 100],
    ]),
  ).toEqual(['go-storage']);
  expect(
    type([
      ['g', 0],
      [',', 100],
    ]),
  ).toEqual(['go-settings']);
});

test('a sequence waits only so long, and a key that fits nothing is tried on its own', () => {
  expect(
    type([
      ['g', 0],
      ['q', SEQUENCE_TIMEOUT_MS + 1],
    ]),
  ).toEqual([]);
  expect(
    type([
      ['g', 0],
      ['x', 25],
      ['p', 50],
    ]),
  ).toEqual(['toggle-queue']);
  expect(
    type([
      ['g', 0],
      ['p', SEQUENCE_TIMEOUT_MS + 1],
    ]),
  ).toEqual(['toggle-queue']);
  expect(
    type([
      ['g', 0],
      ['x', 50],
      ['q', 100],
    ]),
  ).toEqual([]);
  expect(
    type([
      ['g', 0],
      ['g', 50],
      ['s', 100],
    ]),
  ).toEqual(['go-storage']);
  expect(
    type([
      ['s', 0],
      ['q', 10],
      ['x', 20],
    ]),
  ).toEqual([]);
});

test('no two shortcuts share their keys', () => {
  const keys = SHORTCUTS.map((s) => s.keys.join(' '));
  expect(new Set(keys).size).toBe(keys.length);
});
