import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { spillRoot } from './spill-root.js';

test('without --spill-dir, working files stay in the data directory', () => {
  assert.equal(spillRoot({ dataDir: '/srv/tessera' }), join('/srv/tessera', 'tmp'));
});

test('under --spill-dir, each data directory has a folder of its own, the same at every start', () => {
  const a = spillRoot({ dataDir: '/srv/a', spillDir: '/mnt/shared/spill' });
  const b = spillRoot({ dataDir: '/srv/b', spillDir: '/mnt/shared/spill' });
  assert.match(a, /^\/mnt\/shared\/spill\/tessera-[0-9a-f]{12}$/);
  assert.notEqual(a, b, 'two engines sharing a spill directory never share job folders (their job numbers repeat)');
  assert.equal(spillRoot({ dataDir: '/srv/a/', spillDir: '/mnt/shared/spill' }), a, 'the same data directory however it is written');
});
