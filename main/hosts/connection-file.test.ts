/**
 * The connection file as the CLI's client mode trusts it: written 0600 by the lock's holder, read
 * back only while that holder lives, never when others could read it, never for a non-loopback
 * origin, and removed at close (only by its writer).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { lockDataDir } from '../engine/data-dir.js';
import { CONNECTION_FILE, readConnection, writeConnectionFile } from './connection-file.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-connection-'));
let dirs = 0;
after(() => rmSync(root, { recursive: true, force: true }));

const TOKEN = 'a-token-of-at-least-sixteen-chars';

/** A data directory whose lock this process holds. */
function lockedDir(): { dataDir: string; release: () => void } {
  const dataDir = join(root, `data-${++dirs}`);
  const lock = lockDataDir(dataDir, 'connection-file.test');
  return { dataDir, release: lock.release };
}

/** The pid of a process that has exited (the operating system may reuse it only much later). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('written 0600 with the origin, token and pid; read back while its writer holds the lock; removed at close', () => {
  const { dataDir, release } = lockedDir();
  const remove = writeConnectionFile(dataDir, 'http://127.0.0.1:41234', TOKEN);
  const file = join(dataDir, CONNECTION_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readConnection(dataDir), { origin: 'http://127.0.0.1:41234', token: TOKEN, pid: process.pid, hostname: hostname() });
  remove();
  assert.equal(existsSync(file), false);
  assert.equal(readConnection(dataDir), null);
  remove(); // idempotent
  release();
});

test('a file others can read is not trusted', () => {
  const { dataDir, release } = lockedDir();
  const remove = writeConnectionFile(dataDir, 'http://127.0.0.1:41234', TOKEN);
  chmodSync(join(dataDir, CONNECTION_FILE), 0o644);
  assert.equal(readConnection(dataDir), null);
  remove();
  release();
});

test('a file left by a killed holder (its pid dead, the lock stale) is ignored', () => {
  const dataDir = join(root, `data-${++dirs}`);
  lockDataDir(dataDir, 'test').release();
  const pid = deadPid();
  const lock = { pid, hostname: hostname(), startedAt: new Date().toISOString(), holder: 'tessera serve' };
  writeFileSync(join(dataDir, 'engine.lock'), JSON.stringify(lock), { mode: 0o600 });
  writeFileSync(join(dataDir, CONNECTION_FILE), JSON.stringify({ origin: 'http://127.0.0.1:41234', token: TOKEN, pid, hostname: hostname() }), { mode: 0o600 });
  assert.equal(readConnection(dataDir), null);
  // The lock is taken over as before, and the file's writer is then not the lock's owner either.
  const taken = lockDataDir(dataDir, 'test');
  assert.equal(readConnection(dataDir), null);
  taken.release();
});

test('a file whose writer is not the lock owner, or whose origin is not loopback, is ignored', () => {
  const { dataDir, release } = lockedDir();
  const file = join(dataDir, CONNECTION_FILE);
  writeFileSync(file, JSON.stringify({ origin: 'http://127.0.0.1:41234', token: TOKEN, pid: deadPid(), hostname: hostname() }), { mode: 0o600 });
  assert.equal(readConnection(dataDir), null, 'another pid than the lock holder');
  writeFileSync(file, JSON.stringify({ origin: 'http://192.0.2.7:41234', token: TOKEN, pid: process.pid, hostname: hostname() }), { mode: 0o600 });
  assert.equal(readConnection(dataDir), null, 'not loopback');
  writeFileSync(file, '{"origin":', { mode: 0o600 });
  assert.equal(readConnection(dataDir), null, 'half a file');
  assert.throws(() => writeConnectionFile(dataDir, 'http://192.0.2.7:41234', TOKEN), /only written for a loopback host/);
  assert.match(readFileSync(file, 'utf8'), /^\{"origin":$/, 'a refused write leaves the file as it was');
  release();
});

test('removing leaves a file a later holder wrote alone', () => {
  const { dataDir, release } = lockedDir();
  const remove = writeConnectionFile(dataDir, 'http://127.0.0.1:41234', TOKEN);
  const file = join(dataDir, CONNECTION_FILE);
  const later = JSON.stringify({ origin: 'http://127.0.0.1:5', token: TOKEN, pid: deadPid(), hostname: hostname() });
  writeFileSync(file, later, { mode: 0o600 });
  remove();
  assert.equal(readFileSync(file, 'utf8'), later);
  release();
});

test('a data directory that cannot hold one (a path below a file, a missing folder) has no connection', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  assert.equal(readConnection(join(file, 'sub')), null);
  assert.equal(readConnection(join(root, 'missing', 'deeper')), null);
});
