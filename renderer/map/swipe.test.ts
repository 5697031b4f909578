import { expect, test } from 'vitest';
import { clampSplit, splitFromPointer, splitOnKey, unionZoomLimits } from './swipe.js';

test('the split follows the pointer across the frame and stops at its edges', () => {
  expect(splitFromPointer(600, 100, 1000)).toBe(50);
  expect(splitFromPointer(100, 100, 1000)).toBe(0);
  expect(splitFromPointer(50, 100, 1000)).toBe(0);
  expect(splitFromPointer(1500, 100, 1000)).toBe(100);
  // A frame with no width yet (not laid out): the middle, not NaN.
  expect(splitFromPointer(10, 0, 0)).toBe(50);
  expect(clampSplit(Number.NaN)).toBe(50);
});

test('keys move the divider: arrows by 2, with Shift by 20, Home and End to the edges; other keys do not', () => {
  expect(splitOnKey(50, 'ArrowLeft', false)).toBe(48);
  expect(splitOnKey(50, 'ArrowRight', true)).toBe(70);
  expect(splitOnKey(1, 'ArrowLeft', false)).toBe(0);
  expect(splitOnKey(95, 'ArrowUp', true)).toBe(100);
  expect(splitOnKey(50, 'Home', false)).toBe(0);
  expect(splitOnKey(50, 'End', false)).toBe(100);
  expect(splitOnKey(50, 'a', false)).toBeNull();
});

test('two maps share the zooms of both caches', () => {
  expect(unionZoomLimits({ minZoom: 3, maxZoom: 13 }, { minZoom: 0, maxZoom: 8 })).toEqual({ minZoom: 0, maxZoom: 13 });
});
