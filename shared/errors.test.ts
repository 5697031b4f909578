/**
 * shared/errors.ts. shared/ compiles without Node's types (the renderer uses it), and npm run
 * test:node runs dist/main and dist/workers, so its tests live here. Real errors where they are
 * cheap to get: Node's fs, better-sqlite3, AbortSignal.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  AbortError,
  ERROR_CODES,
  type ErrorCode,
  TesseraError,
  fromSerialized,
  isAbortError,
  isDiskFull,
  serializeError,
  throwIfAborted,
  toTesseraError,
} from './errors.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('did not throw');
}

function systemError(code: string, message = `${code}: something happened`): Error {
  return Object.assign(new Error(message), { code });
}

test('codes are unique; transient by default exactly for I/O, write, timeout, 429, 5xx, crashed workers and a restarting engine', () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  const transient = ERROR_CODES.filter((c) => new TesseraError(c, 'x').transient).sort();
  assert.deepEqual(transient, ['ENGINE_RESTARTING', 'HTTP_429', 'HTTP_5XX', 'IO_ERROR', 'TIMEOUT', 'WORKER_CRASHED', 'WRITE_FAILED']);
  assert.equal(new TesseraError('BAD_INPUT', 'x', { transient: true }).transient, true, 'an error may say otherwise');
  assert.equal(new TesseraError('TIMEOUT', 'x', { transient: false }).transient, false);
});

test('the wire form: code and message, details only when there are some; it comes back as it went', () => {
  const cause = new Error('inner');
  const e = new TesseraError('NOT_FOUND', 'no such job', { details: { id: 7 }, cause });
  assert.equal(e.name, 'TesseraError');
  assert.equal(e.cause, cause);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 'NOT_FOUND', message: 'no such job', details: { id: 7 } });
  assert.deepEqual(new TesseraError('BAD_INPUT', 'x').toJSON(), { code: 'BAD_INPUT', message: 'x' });
  const back = fromSerialized(JSON.parse(JSON.stringify(e)));
  assert.ok(back instanceof TesseraError);
  assert.deepEqual([back.code, back.message, back.details, back.transient], ['NOT_FOUND', 'no such job', { id: 7 }, false]);
  assert.equal(fromSerialized({ code: 'TIMEOUT', message: 't', transient: false }).transient, false, 'the sender’s transient flag is kept');
  // A code this build does not know (a newer worker or host) becomes INTERNAL, message kept.
  const unknown = fromSerialized({ code: 'SOMETHING_NEW' as ErrorCode, message: 'from the future' });
  assert.deepEqual([unknown.code, unknown.message], ['INTERNAL', 'from the future']);
  // A serialized error that was thrown (as from a worker's message) is taken back by toTesseraError.
  assert.equal(toTesseraError({ code: 'QUOTA_EXCEEDED', message: 'too big', details: { bytes: 5 } }).code, 'QUOTA_EXCEEDED');
});

test('isAbortError: our AbortError, AbortSignal’s own reason, ABORT_ERR, piscina’s cancellation; not other errors', async () => {
  assert.ok(isAbortError(new AbortError()));
  assert.equal(new AbortError().code, 'ABORTED');
  assert.ok(isAbortError(new TesseraError('ABORTED', 'x')));
  const controller = new AbortController();
  controller.abort();
  assert.ok(isAbortError(controller.signal.reason), 'the DOMException AbortSignal raises');
  const timers = await import('node:timers/promises');
  const fromNode = await timers.setTimeout(10, undefined, { signal: controller.signal }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.ok(isAbortError(fromNode), `Node's own AbortError (${String(fromNode)})`);
  assert.ok(isAbortError(Object.assign(new Error('cancelled'), { name: 'TaskCancelledError' })));
  for (const other of [new Error('x'), new TesseraError('TIMEOUT', 'x'), null, undefined, 'AbortError', { name: 'TypeError' }])
    assert.ok(!isAbortError(other), String(other));
  assert.ok(toTesseraError(controller.signal.reason) instanceof AbortError, 'an abort becomes our AbortError');
});

test('throwIfAborted throws AbortError only once the signal has fired', () => {
  const controller = new AbortController();
  throwIfAborted(controller.signal);
  throwIfAborted(undefined);
  controller.abort();
  assert.ok(thrown(() => throwIfAborted(controller.signal)) instanceof AbortError);
});

test('Node system errors: a missing file is IO_ERROR, not transient, with its errno; busy and reset ones are transient', () => {
  const missing = toTesseraError(thrown(() => readFileSync(join(root, 'nope.txt'))));
  assert.deepEqual([missing.code, missing.transient, missing.details], ['IO_ERROR', false, { errno: 'ENOENT' }]);
  assert.match(missing.message, /^ENOENT/);
  const dir = toTesseraError(thrown(() => readFileSync(root)));
  assert.deepEqual([dir.code, dir.transient, dir.details], ['IO_ERROR', false, { errno: 'EISDIR' }]);
  for (const errno of ['EAGAIN', 'EBUSY', 'EMFILE', 'ECONNRESET', 'EIO', 'SQLITE_BUSY']) {
    const e = toTesseraError(systemError(errno, 'it happened'));
    assert.deepEqual([e.code, e.transient, e.details], ['IO_ERROR', true, { errno }], errno);
    assert.equal(e.message, `${errno}: it happened`, 'led by the errno');
  }
  assert.equal(toTesseraError(systemError('EBUSY')).message, 'EBUSY: something happened', 'once');
});

test('a full volume (ENOSPC, EDQUOT, SQLITE_FULL) is DISK_FULL, transient, errno kept; isDiskFull sees it and a writer’s WRITE_FAILED with ENOSPC', () => {
  for (const errno of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL']) {
    const e = toTesseraError(systemError(errno));
    assert.deepEqual([e.code, e.transient, e.details], ['DISK_FULL', true, { errno }], errno);
    assert.ok(isDiskFull(systemError(errno)));
    assert.ok(isDiskFull(e));
  }
  assert.ok(isDiskFull(new TesseraError('WRITE_FAILED', 'x.mbtiles: no space', { details: { errno: 'ENOSPC' } })));
  assert.ok(isDiskFull(new TesseraError('DISK_FULL', 'x')));
  assert.ok(!isDiskFull(new TesseraError('WRITE_FAILED', 'x', { details: { errno: 'EIO' } })));
  assert.ok(!isDiskFull(systemError('EIO')));
  assert.ok(!isDiskFull(new Error('ENOSPC in the text only')));
});

test('SQLite: a file that is not a database is IO_ERROR, not transient; I/O errors are transient', () => {
  const notDb = join(root, 'not-a-db.sqlite');
  writeFileSync(notDb, 'this is not SQLite, and it is long enough to have a header '.repeat(20));
  const e = toTesseraError(
    thrown(() => {
      const db = new Database(notDb);
      try {
        db.prepare('SELECT 1 FROM sqlite_master').all();
      } finally {
        db.close();
      }
    }),
  );
  assert.deepEqual([e.code, e.transient, e.details], ['IO_ERROR', false, { errno: 'SQLITE_NOTADB' }]);
  for (const errno of ['SQLITE_CORRUPT', 'SQLITE_READONLY', 'SQLITE_CANTOPEN']) assert.equal(toTesseraError(systemError(errno)).transient, false, errno);
  const io = toTesseraError(systemError('SQLITE_IOERR_FSYNC'));
  assert.deepEqual([io.code, io.transient], ['IO_ERROR', true]);
});

test('anything else: an Error becomes the fallback (INTERNAL unless told), not transient, message kept; a TesseraError passes as it is', () => {
  const plain = toTesseraError(new TypeError('bad thing'));
  assert.deepEqual([plain.code, plain.message, plain.transient], ['INTERNAL', 'bad thing', false]);
  assert.ok(plain.cause instanceof TypeError);
  assert.equal(toTesseraError(new Error('x'), 'DATASET_UNREADABLE').code, 'DATASET_UNREADABLE');
  assert.equal(toTesseraError(systemError('EWHATEVER'), 'WRITE_FAILED').code, 'WRITE_FAILED');
  assert.deepEqual(serializeError('a string'), { code: 'INTERNAL', message: 'a string' });
  assert.deepEqual(serializeError(42), { code: 'INTERNAL', message: '42' });
  const ours = new TesseraError('QUEUE_FULL', 'x');
  assert.equal(toTesseraError(ours), ours);
});
