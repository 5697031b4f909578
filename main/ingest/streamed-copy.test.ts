import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { QuotaGuard } from '../disk/quota-guard.js';
import { copyFileStreamed } from './streamed-copy.js';
import { mountSmallVolume } from './testing/small-volume.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-copy-'));
after(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1024 * 1024;

function guard(
  limits: Partial<ConstructorParameters<typeof QuotaGuard>[0]>,
  volumePath = root,
  extra: Partial<ConstructorParameters<typeof QuotaGuard>[1]> = {},
): QuotaGuard {
  return new QuotaGuard({ jobLimit: null, globalLimit: null, floorBytes: 0, ...limits }, { dataDir: root, volumePath, ...extra });
}

function file(name: string, bytes: number): string {
  const path = join(root, name);
  writeFileSync(path, Buffer.alloc(bytes, 42));
  return path;
}

async function failure(promise: Promise<unknown>): Promise<TesseraError> {
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TesseraError, String(error));
  return error;
}

test('a file is copied in chunks and counted against the job', async () => {
  const source = file('a.bin', 3 * MiB + 5);
  const g = guard({ jobLimit: 10 * MiB });
  const chunks: number[] = [];
  const copied = await copyFileStreamed(source, join(root, 'a.copy'), { guard: g, label: 'a.bin', onBytes: (b) => chunks.push(b) });
  assert.equal(copied, 3 * MiB + 5);
  assert.equal(g.used, 3 * MiB + 5);
  assert.ok(chunks.length >= 4, 'streamed, not read whole');
});

test('a file larger than the job quota is refused before a byte is copied', async () => {
  const source = file('big.bin', 2 * MiB);
  const target = join(root, 'big.copy');
  const g = guard({ jobLimit: MiB });
  const error = await failure(copyFileStreamed(source, target, { guard: g, label: 'big.bin' }));
  assert.equal(error.code, 'QUOTA_EXCEEDED');
  assert.equal((error.details as { limit: string }).limit, 'job');
  assert.match(error.message, /big\.bin \(2 MiB\) does not fit the job's quota: 0 B of 1 MiB is used, 1 MiB is left/);
  assert.equal(existsSync(target), false);
  assert.equal(g.used, 0);
});

test('the data directory quota and the free-space floor are checked before copying', async () => {
  const source = file('c.bin', MiB);
  const global = await failure(
    copyFileStreamed(source, join(root, 'c1'), { guard: guard({ globalLimit: 5 * MiB }, root, { usedBytes: async () => 4.5 * MiB }), label: 'c.bin' }),
  );
  assert.equal(global.code, 'QUOTA_EXCEEDED');
  assert.match(global.message, /data directory's quota: it holds 4.5 MiB of 5 MiB/);
  const floor = await failure(
    copyFileStreamed(source, join(root, 'c2'), { guard: guard({ floorBytes: 100 * MiB }, root, { freeBytes: async () => 100.5 * MiB }), label: 'c.bin' }),
  );
  assert.equal(floor.code, 'DISK_FULL');
  assert.match(floor.message, /100\.5 MiB is free .* 100 MiB must stay free/);
});

test('empty files and folders are refused as such', async () => {
  const empty = file('empty.geojson', 0);
  const e = await failure(copyFileStreamed(empty, join(root, 'e'), { guard: guard({}), label: 'empty.geojson' }));
  assert.equal(e.code, 'DATASET_UNREADABLE');
  assert.match(e.message, /empty\.geojson is empty \(0 bytes\)/);
  const dir = await failure(copyFileStreamed(root, join(root, 'd'), { guard: guard({}), label: 'folder' }));
  assert.match(dir.message, /not a regular file/);
});

test('free space falling below the floor during the copy stops it and removes the partial file', async () => {
  const source = file('d.bin', 6 * MiB);
  const target = join(root, 'd.copy');
  let reads = 0;
  // Plenty of space when admitted; then something else fills the disk.
  const g = guard({ floorBytes: 50 * MiB }, root, { recheckEveryBytes: MiB, freeBytes: async () => (++reads === 1 ? 1000 * MiB : 10 * MiB) });
  const error = await failure(copyFileStreamed(source, target, { guard: g, label: 'd.bin' }));
  assert.equal(error.code, 'DISK_FULL');
  assert.match(error.message, /d\.bin: writing stopped: only 10 MiB is left free/);
  assert.equal(existsSync(target), false);
  assert.equal(g.used, 0, 'what was written and removed is given back');
});

test('a real disk that fills up during the copy fails it as DISK_FULL and leaves nothing behind', async (t) => {
  const volume = mountSmallVolume(join(root, 'tmpfs'), 8);
  if ('refused' in volume) return t.skip(volume.refused);
  try {
    const source = file('e.bin', 6 * MiB);
    const target = join(volume.dir, 'e.copy');
    const g = guard({}, volume.dir, { recheckEveryBytes: 64 * MiB });
    let filled = false;
    const error = await failure(
      copyFileStreamed(source, target, {
        guard: g,
        label: 'e.bin',
        onBytes: () => {
          // After the first chunk, another program takes what is left of the volume.
          if (filled) return;
          filled = true;
          try {
            writeFileSync(join(volume.dir, 'filler'), Buffer.alloc(8 * MiB));
          } catch {
            // ENOSPC part-way is the point: the filler keeps what it got.
          }
        },
      }),
    );
    assert.equal(error.code, 'DISK_FULL');
    assert.match(error.message, /e\.bin: the disk filled up while writing \(ENOSPC/);
    assert.deepEqual(readdirSync(volume.dir), ['filler']);
  } finally {
    volume.unmount();
  }
});
