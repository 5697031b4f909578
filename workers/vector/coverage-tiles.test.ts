import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoverageTest } from './coverage-tiles.js';

test('a box is inside, outside or across the coverage, holes included', () => {
  // A 10° square with a 2° hole in its middle.
  const square: [number, number][] = [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
    [0, 0],
  ];
  const hole: [number, number][] = [
    [4, 4],
    [4, 6],
    [6, 6],
    [6, 4],
    [4, 4],
  ];
  const coverage = new CoverageTest([[square, hole]]);
  assert.equal(coverage.place([1, 1, 2, 2]), 'inside');
  assert.equal(coverage.place([20, 20, 21, 21]), 'outside');
  assert.equal(coverage.place([9, 9, 11, 11]), 'partial');
  assert.equal(coverage.place([4.5, 4.5, 5.5, 5.5]), 'outside', 'wholly in the hole');
  assert.equal(coverage.place([3, 3, 7, 7]), 'partial', 'around the hole');
  assert.equal(coverage.place([-5, -5, 15, 15]), 'partial', 'the coverage wholly inside the box');
});
