import assert from 'node:assert/strict';
import { sep } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { goldenPath, readGolden } from './golden.js';

const repo = `${sep}work${sep}repo`;
const url = (...parts: string[]) => pathToFileURL([repo, ...parts].join(sep)).href;

test('a compiled test’s golden files are in testing/golden/ beside its source; a helper under testing/ names the same folder', () => {
  const expected = [repo, 'workers', 'vector', 'testing', 'golden', 'x.json'].join(sep);
  assert.equal(goldenPath(url('dist', 'workers', 'vector', 'mvt-encode.test.js'), 'x'), expected);
  assert.equal(goldenPath(url('dist', 'workers', 'vector', 'testing', 'vt-pbf-reference.js'), 'x'), expected);
  assert.equal(goldenPath(url('dist', 'main', 'a.test.js'), 'y'), [repo, 'main', 'testing', 'golden', 'y.json'].join(sep));
  assert.throws(() => goldenPath(url('workers', 'vector', 'mvt-encode.test.js'), 'x'), /not under dist/);
});

test('a missing golden file says how to make it', () => {
  assert.throws(() => readGolden(url('dist', 'workers', 'nothing.test.js'), 'absent'), /golden file .*absent\.json is missing: make it with UPDATE=1/);
});
