/**
 * A data directory on a real small volume (a 24 MiB tmpfs) that fills up while a file is being
 * copied into the staging area: the item fails cleanly (DISK_FULL), nothing is left behind, and
 * the engine goes on working.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { manyPointsGpkg, pointsGeoJson } from './testing/ingest-fixtures.js';
import { mountSmallVolume } from './testing/small-volume.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';

test('a disk that fills up during the copy fails the item cleanly and the engine carries on', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-diskfull-'));
  const volume = mountSmallVolume(join(root, 'volume'), 24);
  if ('refused' in volume) {
    rmSync(root, { recursive: true, force: true });
    return t.skip(volume.refused);
  }
  let engine: Engine | null = null;
  try {
    const source = await manyPointsGpkg(join(root, 'points.gpkg'), 300_000);
    const size = statSync(source).size;
    assert.ok(size > 8 * 1024 * 1024 && size < 18 * 1024 * 1024, `fixture size ${size}`);
    engine = await Engine.open({ dataDir: join(volume.dir, 'data'), host: 'headless', threads: 1, logger: createLogger('silent') });
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });

    const started = await engine.start({ kind: 'ingest', params: { files: [source] } });
    const partial = join(engine.dataDir, 'staging', `job-${started.id}`, 'u0', basename(source));
    const filler = join(volume.dir, 'filler');
    // Once the copy is under way, another program takes all but 1.5 MiB of the volume: the copy
    // runs into ENOSPC a little later. (Not all of it: the job store lives on this volume too, and
    // the engine must be able to record the failure; keeping that room is what the floor is for.)
    await new Promise<void>((resolveFilled, reject) => {
      const deadline = Date.now() + 60_000;
      const poll = () => {
        if (existsSync(partial) && statSync(partial).size >= 1024 * 1024) {
          const fs = statfsSync(volume.dir);
          writeFileSync(filler, Buffer.alloc(Math.max(0, fs.bavail * fs.bsize - 1.5 * 1024 * 1024)));
          return resolveFilled();
        }
        if (Date.now() > deadline) return reject(new Error('the copy never started'));
        setImmediate(poll);
      };
      poll();
    });
    const job = await engine.waitFor(started.id);
    assert.equal(job.state, 'failed');
    const [stage] = engine.store.listItems(job.id, { limit: 10 }).rows;
    assert.equal(stage?.error?.code, 'DISK_FULL', JSON.stringify(stage?.error));
    assert.match(stage!.error!.message, /points\.gpkg: the disk filled up while writing \(ENOSPC/);
    assert.equal(existsSync(partial), false, 'the partial copy is gone');
    assert.deepEqual(
      readdirSync(join(engine.dataDir, 'staging')).filter((n) => n !== 'uploads'),
      [],
    );
    assert.equal(engine.catalog.list({ limit: 10 }).rows.length, 0);

    rmSync(filler);
    const after = await engine.start({ kind: 'ingest', params: { files: [pointsGeoJson(join(root, 'after.geojson'))] } });
    assert.equal((await engine.waitFor(after.id)).state, 'succeeded', 'the engine still works once space is back');
  } finally {
    await engine?.close();
    volume.unmount();
    rmSync(root, { recursive: true, force: true });
  }
});
