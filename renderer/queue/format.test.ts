import { expect, test } from 'vitest';
import { formatCounts, formatRate, formatRunTime, formatSeconds, percentDone } from './format.js';

test('rates, ETAs and run times read well in a cell', () => {
  expect(formatRate(0)).toBe('');
  expect(formatRate(0.25)).toBe('0.3/s');
  expect(formatRate(1234.4)).toBe('1,234/s');
  expect(formatSeconds(null)).toBe('—');
  expect(formatSeconds(-1)).toBe('—');
  expect(formatSeconds(45.4)).toBe('45s');
  expect(formatSeconds(200)).toBe('3m 20s');
  expect(formatSeconds(2 * 3600 + 5 * 60)).toBe('2h 05m');
  expect(formatSeconds(3 * 86400 + 4 * 3600)).toBe('3d 4h');
  expect(formatRunTime({ startedAt: null, runSeconds: 0 })).toBe('');
  expect(formatRunTime({ startedAt: '2026-01-01T00:00:00.000Z', runSeconds: 0.25 })).toBe('250 ms');
  expect(formatRunTime({ startedAt: '2026-01-01T00:00:00.000Z', runSeconds: 90 })).toBe('1m 30s');
  expect(formatCounts(10, 200, 0)).toBe('10 / 200');
  expect(formatCounts(10, 200, 3)).toBe('10 / 200 · 3 bad');
  expect(formatCounts(0, 0, 0)).toBe('');
  expect(formatCounts(11_288, 11_288, 0, 'tiles', 9_757)).toBe('11,288 / 11,288 · skipped 9,757 empty');
  expect(formatCounts(1024, 4096, 0, 'bytes')).toBe('1 KiB / 4 KiB');
  expect(percentDone(5, 0)).toBe(0);
  expect(percentDone(300, 200)).toBe(100);
});
