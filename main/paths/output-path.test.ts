import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { isInside } from '../disk/disk-guard.js';
import { checkOutputPath } from './output-path.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-output-path-'));
const dataDir = join(root, 'data');
mkdirSync(dataDir);
after(() => rmSync(root, { recursive: true, force: true }));

test('a new file in an existing folder, an existing MBTiles, an empty file: accepted, and the probe leaves nothing behind', async () => {
  assert.equal(await checkOutputPath(join(root, 'new.mbtiles')), null);
  const db = new Database(join(root, 'old.mbtiles'));
  db.exec('CREATE TABLE t (a)');
  db.close();
  assert.equal(await checkOutputPath(join(root, 'old.mbtiles')), null);
  writeFileSync(join(root, 'empty.mbtiles'), '');
  assert.equal(await checkOutputPath(join(root, 'empty.mbtiles')), null);
  assert.equal(await checkOutputPath(join(root, 'tiles')), null);
  assert.deepEqual(
    readdirSync(root).filter((n) => n.startsWith('.tessera-probe')),
    [],
  );
});

test('an existing file that is not what its name says is refused, not overwritten', async () => {
  writeFileSync(join(root, 'notes.mbtiles'), 'my notes, not SQLite\n');
  assert.match((await checkOutputPath(join(root, 'notes.mbtiles'))) ?? '', /exists and is not an MBTiles file \(not SQLite\); refusing to overwrite it/);
  writeFileSync(join(root, 'notes.pmtiles'), 'my notes\n');
  assert.match((await checkOutputPath(join(root, 'notes.pmtiles'))) ?? '', /is not a PMTiles archive/);
  mkdirSync(join(root, 'folder.mbtiles'));
  assert.match((await checkOutputPath(join(root, 'folder.mbtiles'))) ?? '', /is a directory, not a mbtiles file/);
  writeFileSync(join(root, 'a-file'), 'x');
  assert.match((await checkOutputPath(join(root, 'a-file'))) ?? '', /exists and is not a directory/);
  assert.match((await checkOutputPath(join(root, 'a-file', 'x.mbtiles'))) ?? '', /a-file is a file, not a folder/);
});

test('a missing output folder is no refusal for a local user (the path policy guards exposed hosts); nothing is made by the check', async () => {
  const outside = join(root, 'no', 'such', 'dir', 'a.mbtiles');
  assert.equal(await checkOutputPath(outside), null);
  assert.equal(existsSync(join(root, 'no')), false, 'nothing was made');
  assert.equal(await checkOutputPath(join(dataDir, 'caches', 'tiles')), null);
});

test('a folder that takes no files (/proc) is refused by name, not reported as a full disk', {
  skip: !existsSync('/proc/self') && 'no /proc here',
}, async () => {
  assert.match((await checkOutputPath('/proc/a.mbtiles')) ?? '', /^cannot create files in \/proc \(/);
});

test('isInside', () => {
  assert.equal(isInside('/data', '/data'), true);
  assert.equal(isInside('/data', '/data/a/b'), true);
  assert.equal(isInside('/data', '/data2/a'), false);
  assert.equal(isInside('/data', '/data/../etc'), false);
  assert.equal(isInside('/data', '/data/..hidden'), true, 'a name that starts with two dots is a name');
});
