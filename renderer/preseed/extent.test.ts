/**
 * Drawn boxes to bbox fields (the land outline the extent map draws them on: land.test.ts).
 */
import { expect, test } from 'vitest';
import { MAX_LATITUDE, bboxFields, bboxFromCorners, bboxFromView, formatLonLat, unionOf } from './extent.js';

test('two corners in any order make one box, rounded to 1e-5°, clamped to the Web Mercator world', () => {
  expect(bboxFromCorners([11.8, 57.2], [11.2, 57.9])).toEqual([11.2, 57.2, 11.8, 57.9]);
  expect(bboxFromCorners([11.123456789, 57.987654321], [12, 58])).toEqual([11.12346, 57.98765, 12, 58]);
  expect(bboxFromCorners([-200, -89], [200, 89])).toEqual([-180, -Number(MAX_LATITUDE.toFixed(5)), 180, Number(MAX_LATITUDE.toFixed(5))]);
  expect(bboxFromView(-250, -87, 40, 60)).toEqual([-180, -85.05113, 40, 60]);
});

test('a click or a drag along one axis is no box', () => {
  expect(bboxFromCorners([11, 57], [11, 57])).toBeNull();
  expect(bboxFromCorners([11, 57], [12, 57])).toBeNull();
  expect(bboxFromCorners([11, 57], [11.000001, 58])).toBeNull();
});

test('fields, unions and the pointer read-out', () => {
  expect(bboxFields([11.2, 57.25, 11.8, 57.9])).toEqual(['11.2', '57.25', '11.8', '57.9']);
  expect(unionOf([])).toBeNull();
  expect(
    unionOf([
      [11, 57, 12, 58],
      [10, 57.5, 11.5, 59],
    ]),
  ).toEqual([10, 57, 12, 59]);
  expect(formatLonLat(-3.5, -20.25)).toBe('3.5000° W, 20.2500° S');
});
