import { expect, test } from 'vitest';
import type { StorageStatus } from '../../shared/contract.js';
import { convertInput } from '../storage/bytes.js';
import { storageWarnings } from './storage-warnings.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const storage: StorageStatus = {
  volumes: [{ path: '/srv/tessera', roles: ['data directory'], totalBytes: 252 * GiB, freeBytes: 77 * GiB }],
  quotas: [{ name: 'cache quota (data directory)', jobId: null, limitBytes: null, usedBytes: 101.7 * MiB }],
  freeSpaceFloorBytes: 512 * MiB,
  warnings: [],
};

test('a floor above the volume says every preseed waits, naming both sizes', () => {
  const [w, ...rest] = storageWarnings(500 * GiB, null, storage);
  expect(rest).toEqual([]);
  expect(w).toEqual({
    field: 'freeSpaceFloorBytes',
    message: "Every preseed and upload writing to /srv/tessera will wait for ever: the floor 500 GiB is above this volume's 252 GiB.",
  });
});

test('a floor above what is free now says how much must be freed; one below it says nothing', () => {
  expect(storageWarnings(100 * GiB, null, storage).map((w) => w.message)).toEqual([
    'Jobs writing to /srv/tessera will wait until 23 GiB is freed: the floor 100 GiB is above the 77 GiB free there now.',
  ]);
  expect(storageWarnings(10 * GiB, null, storage)).toEqual([]);
});

test('a quota below what is used says writes are refused; a larger one, none or a half-typed value says nothing', () => {
  expect(storageWarnings(Number.NaN, 50 * MiB, storage)).toEqual([
    {
      field: 'cacheQuotaBytes',
      message: 'Every job that writes to the data directory will be refused: the quota 50 MiB is below the 101.7 MiB already used.',
    },
  ]);
  expect(storageWarnings(Number.NaN, 200 * MiB, storage)).toEqual([]);
  expect(storageWarnings(Number.NaN, null, storage)).toEqual([]);
  expect(storageWarnings(Number.NaN, Number.NaN, storage)).toEqual([]);
});

test('switching the unit converts the amount; text that is not a number stays as typed', () => {
  expect(convertInput('500', 'GiB', 'MiB')).toBe('512000');
  expect(convertInput('512000', 'MiB', 'GiB')).toBe('500');
  expect(convertInput('1.5', 'GiB', 'MiB')).toBe('1536');
  expect(convertInput('300', 'MiB', 'GiB')).toBe('0.293');
  expect(convertInput('', 'GiB', 'MiB')).toBe('');
  expect(convertInput('12x', 'GiB', 'MiB')).toBe('12x');
});
