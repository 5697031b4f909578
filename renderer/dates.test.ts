import { expect, test } from 'vitest';
import { formatDay, formatTimeOfDay, formatWhen } from './dates.js';

test('one style for dates and times: short month words, two-digit hours, the year only when it is not this one', () => {
  const at = new Date(2026, 11, 7, 14, 43, 30);
  const now = new Date(2026, 11, 8);
  // The same moment from an ISO string, a number and a Date reads the same.
  expect(formatWhen(at.toISOString(), now)).toBe(formatWhen(at.getTime(), now));
  expect(formatWhen(at, now)).toMatch(/Dec/);
  expect(formatWhen(at, now)).not.toMatch(/2026/);
  expect(formatWhen(at, new Date(2027, 0, 2))).toMatch(/2026/);
  expect(formatTimeOfDay(at)).toMatch(/02:43:30|14:43:30/);
  expect(formatDay(at)).toMatch(/Dec/);
  expect(formatDay(at)).toMatch(/2026/);
  // The date part of formatWhen and formatDay is the same words.
  expect(formatWhen(at, new Date(2027, 0, 2)).startsWith(formatDay(at).replace(/,? 2026$/, ''))).toBe(true);
});
