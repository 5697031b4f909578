import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { assertTilesInGrid, writeFailed } from './tile-output.js';

const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

test('write failures become WRITE_FAILED naming the output; only causes that waiting cannot cure are not transient', () => {
  for (const [code, transient] of [
    ['SQLITE_BUSY', true],
    ['SQLITE_FULL', true],
    ['SQLITE_IOERR_WRITE', true],
    ['ENOSPC', true],
    ['EIO', true],
    ['EROFS', false],
    ['EACCES', false],
    ['SQLITE_READONLY_DBMOVED', false],
    ['SQLITE_CORRUPT', false],
  ] as const) {
    const error = writeFailed('/data/world.mbtiles', 'cannot write 3 tiles', failure(code, 'it went wrong'));
    assert.equal(error.code, 'WRITE_FAILED', code);
    assert.equal(error.transient, transient, code);
    assert.equal(error.message, `cannot write 3 tiles to /data/world.mbtiles: ${code}: it went wrong`);
    assert.deepEqual(error.details, { path: '/data/world.mbtiles', errno: code });
  }
  // Node puts the errno in its messages already: it is not repeated.
  assert.equal(
    writeFailed('/t', 'cannot write', failure('ENOSPC', 'ENOSPC: no space left on device, write')).message,
    'cannot write to /t: ENOSPC: no space left on device, write',
  );
  // No errno: our own bug, not the disk's.
  const bug = writeFailed('/t', 'cannot write', new TypeError('x is undefined'));
  assert.deepEqual([bug.code, bug.transient], ['INTERNAL', false]);
  const coded = new TesseraError('BAD_INPUT', 'no');
  assert.equal(writeFailed('/t', 'cannot write', coded), coded);
});

test('a tile outside the XYZ grid is refused before anything is written', () => {
  assertTilesInGrid('/t', [
    { z: 0, x: 0, y: 0 },
    { z: 3, x: 7, y: 7 },
  ]);
  for (const bad of [
    { z: 0, x: 1, y: 0 },
    { z: 2, x: 0, y: -1 },
    { z: 1.5, x: 0, y: 0 },
  ]) {
    assert.throws(
      () => assertTilesInGrid('/t', [bad]),
      (e: TesseraError) => e.code === 'INTERNAL' && e.message.includes(`${bad.z}/${bad.x}/${bad.y}`),
    );
  }
});
