/**
 * The publish service's own rules, without a server: switched off it reports nothing (no check, no
 * log above debug); a target that cannot be read (a token sealed elsewhere) fails its check only,
 * and the service goes on answering later changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { createLogger } from '../logging/logger.js';
import { StacPublishService } from './stac-publish-service.js';

test('off: nothing reported; an unreadable target: the check fails with why, and later changes are still heard', async () => {
  const health: [string, string][] = [];
  let mode: 'off' | 'broken' = 'off';
  const service = new StacPublishService({
    target: async () => {
      if (mode === 'off') return null;
      throw new TesseraError('UNAUTHORIZED', 'credential cred_1 was sealed with keychain, which this process cannot open');
    },
    local: async () => ({ collections: [], items: [], skipped: [] }),
    setHealth: (state, message) => health.push([state, message]),
    logger: createLogger('silent'),
    prefix: 't-',
    intervalMs: 3600_000,
    retryAfterFailureMs: 3600_000,
  });
  try {
    service.start();
    await service.settled();
    assert.deepEqual(health, [], 'switched off from the start: no check at all');
    mode = 'broken';
    service.changed('test');
    await service.settled();
    assert.equal(health.at(-1)?.[0], 'failed');
    assert.match(health.at(-1)![1], /cannot be used: credential cred_1 was sealed with keychain/);
    mode = 'off';
    service.changed('test');
    await service.settled();
    assert.deepEqual(health.at(-1), ['disabled', 'no STAC API to publish to']);
  } finally {
    await service.close();
  }
});
