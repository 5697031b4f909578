import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { reasonOf } from './ingest-errors.js';
import { writeZip } from './testing/zip-writer.js';
import { DEFAULT_ARCHIVE_LIMITS, extractZip, inspectZip } from './zip-archive.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-zip-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined; message: string }> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TesseraError, `not a TesseraError: ${String(error)}`);
  return { code: error.code, reason: reasonOf(error), message: error.message };
}

test('a plain archive is listed and extracted, folders included', async () => {
  const zip = join(root, 'plain.zip');
  writeZip(zip, [
    { name: 'data/', data: Buffer.alloc(0), method: 'store' },
    { name: 'data/a.geojson', data: Buffer.from('{"type":"FeatureCollection","features":[]}') },
    { name: 'readme.txt', data: Buffer.from('hello'), method: 'store' },
  ]);
  const entries = await inspectZip(zip, 'plain.zip');
  assert.deepEqual(
    entries.map((e) => [e.name, e.directory, e.size]),
    [
      ['data', true, 0],
      ['data/a.geojson', false, 42],
      ['readme.txt', false, 5],
    ],
  );
  const out = fresh();
  let bytes = 0;
  await extractZip(zip, 'plain.zip', out, { onBytes: (b) => void (bytes += b) });
  assert.equal(readFileSync(join(out, 'data', 'a.geojson'), 'utf8'), '{"type":"FeatureCollection","features":[]}');
  assert.equal(bytes, 47);
});

test('zip-slip entries are refused and nothing is written', async () => {
  const zip = join(root, 'slip.zip');
  writeZip(zip, [
    { name: 'ok.txt', data: Buffer.from('fine') },
    { name: 'x/../../evil.txt', data: Buffer.from('pwned') },
  ]);
  const out = fresh();
  const r = await refusal(extractZip(zip, 'slip.zip', out));
  assert.equal(r.code, 'DATASET_UNREADABLE');
  assert.equal(r.reason, 'path-traversal');
  assert.match(r.message, /slip\.zip: entry x\/\.\.\/\.\.\/evil\.txt climbs out/);
  assert.equal(existsSync(join(root, 'evil.txt')), false);
  assert.equal(existsSync(out), false, 'nothing is extracted from a refused archive');
});

test('absolute names, backslash climbs and symlinks are refused', async () => {
  const abs = join(root, 'abs.zip');
  writeZip(abs, [{ name: '/etc/cron.d/evil', data: Buffer.from('x') }]);
  assert.equal((await refusal(inspectZip(abs, 'abs.zip'))).reason, 'absolute-path');

  const windows = join(root, 'win.zip');
  writeZip(windows, [{ name: '..\\..\\evil.txt', data: Buffer.from('x') }]);
  assert.equal((await refusal(inspectZip(windows, 'win.zip'))).reason, 'path-traversal');

  const link = join(root, 'link.zip');
  writeZip(link, [{ name: 'passwd', data: Buffer.from('/etc/passwd'), mode: 0o120777, method: 'store' }]);
  const r = await refusal(inspectZip(link, 'link.zip'));
  assert.equal(r.reason, 'symlink');
  assert.match(r.message, /entry passwd is a symbolic link/);
});

test('a zip bomb is refused by its ratio before anything is inflated', async () => {
  const zip = join(root, 'bomb.zip');
  writeZip(zip, [{ name: 'zeros.tif', data: Buffer.alloc(48 * 1024 * 1024) }]);
  const r = await refusal(inspectZip(zip, 'bomb.zip'));
  assert.equal(r.reason, 'compression-ratio');
  assert.match(r.message, /inflates \d+:1 \(\d+ → 50331648 bytes\)/);
});

test('an entry that inflates past its declared size is cut off (a lying bomb)', async () => {
  const zip = join(root, 'liar.zip');
  writeZip(zip, [{ name: 'big.bin', data: Buffer.alloc(4 * 1024 * 1024, 7), declaredSize: 1000 }]);
  const out = fresh();
  const r = await refusal(extractZip(zip, 'liar.zip', out));
  assert.equal(r.reason, 'too-large');
  assert.match(r.message, /more than the 1000 bytes it declares/);
});

test('too many entries, too many bytes and duplicate names are refused', async () => {
  const many = join(root, 'many.zip');
  writeZip(
    many,
    Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })),
  );
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 10 };
  const r = await refusal(inspectZip(many, 'many.zip', limits));
  assert.equal(r.reason, 'too-many-entries');
  assert.match(r.message, /holds 12 entries; at most 10/);

  const big = join(root, 'big.zip');
  writeZip(big, [
    { name: 'a.bin', data: Buffer.alloc(600, 1) },
    { name: 'b.bin', data: Buffer.alloc(600, 2) },
  ]);
  assert.equal((await refusal(inspectZip(big, 'big.zip', { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1000 }))).reason, 'too-large');

  const twice = join(root, 'twice.zip');
  writeZip(twice, [
    { name: 'a.txt', data: Buffer.from('1') },
    { name: './a.txt', data: Buffer.from('2') },
  ]);
  assert.equal((await refusal(inspectZip(twice, 'twice.zip'))).reason, 'duplicate-entry');
});

test('files that are not archives, empty or truncated ones, are refused as such', async () => {
  const garbage = join(root, 'garbage.zip');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  assert.equal((await refusal(inspectZip(garbage, 'garbage.zip'))).reason, 'not-an-archive');

  const empty = join(root, 'empty.zip');
  writeFileSync(empty, '');
  assert.equal((await refusal(inspectZip(empty, 'empty.zip'))).reason, 'not-an-archive');

  const whole = writeZip(join(root, 'whole.zip'), [{ name: 'a.txt', data: Buffer.alloc(5000, 65) }]);
  const truncated = join(root, 'truncated.zip');
  writeFileSync(truncated, whole.subarray(0, whole.length - 30));
  assert.equal((await refusal(inspectZip(truncated, 'truncated.zip'))).reason, 'not-an-archive');
});

test('a refusal from onBytes stops the extraction where it is', async () => {
  const zip = join(root, 'quota.zip');
  writeZip(zip, [
    { name: 'a.bin', data: Buffer.alloc(200_000, 1) },
    { name: 'b.bin', data: Buffer.alloc(200_000, 2) },
  ]);
  const out = fresh();
  let seen = 0;
  const error = await extractZip(zip, 'quota.zip', out, {
    onBytes: (bytes) => {
      seen += bytes;
      if (seen > 250_000) throw new TesseraError('QUOTA_EXCEEDED', 'over');
    },
  }).catch((e: unknown) => e);
  assert.ok(error instanceof TesseraError);
  assert.equal(error.code, 'QUOTA_EXCEEDED');
  assert.ok(!readdirSync(out).includes('b.bin') || readFileSync(join(out, 'b.bin')).length < 200_000);
});
