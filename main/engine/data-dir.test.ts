import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { lockDataDir, prepareDataDir } from './data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-data-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

const refused = (pattern: RegExp) => (error: unknown) =>
  error instanceof TesseraError && error.code === 'BAD_INPUT' && pattern.test(error.message) && !error.message.includes('\n');

test('missing folders are made one by one; a reader is told the directory is not there yet', () => {
  const dir = join(root, 'a', 'b', 'c');
  assert.equal(prepareDataDir(dir, { create: false }), false);
  assert.throws(() => statSync(dir), 'a reader makes nothing');
  assert.equal(prepareDataDir(dir, { create: true }), true);
  assert.ok(statSync(dir).isDirectory());
  assert.equal(prepareDataDir(dir, { create: false }), true);
});

test('a file as the data directory, or in its path, is BAD_INPUT naming the file, for readers and writers', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  for (const create of [false, true]) {
    assert.throws(() => prepareDataDir(file, { create }), refused(new RegExp(`data directory ${file}: is a file, not a folder`)));
    assert.throws(() => prepareDataDir(join(file, 'sub', 'dir'), { create }), refused(new RegExp(`${file} is a file, not a folder`)));
  }
  assert.throws(() => lockDataDir(file, 'test'), refused(/is a file, not a folder/));
});

test('a jobs.sqlite that is not SQLite, or a folder, is refused before the store is opened', () => {
  const notStore = join(root, 'not-store');
  mkdirSync(notStore);
  writeFileSync(join(notStore, 'jobs.sqlite'), 'hello, not a database\n');
  assert.throws(() => prepareDataDir(notStore, { create: false }), refused(/jobs\.sqlite is not a job store/));
  const folderStore = join(root, 'folder-store');
  mkdirSync(join(folderStore, 'jobs.sqlite'), { recursive: true });
  assert.throws(() => lockDataDir(folderStore, 'test'), refused(/jobs\.sqlite is not a file/));
});

test('a folder under /proc is refused at once (the recursive mkdir of Node loops forever there)', {
  skip: !statSync('/proc', { throwIfNoEntry: false }) && 'no /proc here',
}, () => {
  assert.throws(() => prepareDataDir('/proc/tessera-nope/data', { create: true }), refused(/cannot create \/proc\/tessera-nope/));
  assert.throws(() => lockDataDir('/proc', 'test'), refused(/data directory \/proc: cannot create files in it/));
});
