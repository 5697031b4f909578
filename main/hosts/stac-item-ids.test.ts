/**
 * A cache's STAC item id belongs to the cache, not to the job that last wrote it: a preseed re-run
 * over the same output, then published again to a second real Tessera, updates the one item there
 * (0 new, 0 deleted), and `stac export`, `/stac` and the publish all name it the same.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { hostedEngine } from '../engine/hosted-engine.js';
import { createLogger } from '../logging/logger.js';
import { cacheItemId } from '../stac/stac-objects.js';
import { srtmDem } from '../testing/real-data.js';
import { startHeadless } from './start-headless.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-stac-ids-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('re-running a preseed keeps its cache item: the next publish updates it, 0 new and 0 deleted; export, /stac and publish agree', {
  timeout: 180_000,
}, async () => {
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const receiver = await Engine.open({ dataDir: join(root, 'receiver'), host: 'headless', logger: createLogger('silent') });
  const host = await startHeadless(hostedEngine(receiver), { port: 0, rendererDir, logger: createLogger('silent') });
  const publisher = await Engine.open({ dataDir: join(root, 'publisher'), host: 'headless', logger: createLogger('silent') });
  const auth = { Authorization: `Bearer ${host.token}` };
  try {
    const output = join(root, 'bm.mbtiles');
    const seed = async () => {
      const job = await publisher.start({ kind: 'preseed-raster', params: { datasets: [srtmDem()], minZoom: 5, maxZoom: 5, bbox: [11, 57, 12, 58], output } });
      assert.equal((await publisher.waitFor(job.id)).state, 'succeeded');
      return job.id;
    };
    const first = await seed();
    const id = cacheItemId(output);
    assert.match(id, /^cache-bm-[0-9a-f]{10}$/);
    const publish = () => publisher.handlers['stac.publish']({ url: `${host.origin}/stac`, token: host.token });
    const counts = (r: { created: number; updated: number; unchanged: number; deleted: number }) => [r.created, r.updated, r.unchanged, r.deleted];
    assert.deepEqual(counts(await publish()), [1, 0, 0, 0]);

    const second = await seed();
    assert.notEqual(second, first);
    assert.deepEqual(counts(await publish()), [0, 1, 0, 0], 'the re-run updated the one item: nothing new, nothing deleted');

    // The receiver holds that one item under the cache's id, now naming the newer job.
    const there = (await (await fetch(`${host.origin}/stac/search?limit=100`, { headers: auth })).json()) as {
      features: { id: string; properties: Record<string, unknown> }[];
    };
    assert.deepEqual(
      there.features.map((f) => f.id),
      [id],
    );
    assert.equal(there.features[0]!.properties['tessera:job'], second);
    // The same id here: the publisher's own search (what its /stac serves) and its static export.
    const own = await publisher.handlers['stac.search']({ collections: ['tile-caches'], limit: 10 });
    assert.deepEqual(
      own.items.map((i) => i.id),
      [id],
    );
    const exported = join(root, 'export');
    await publisher.handlers['stac.export']({ directory: exported });
    assert.deepEqual(
      readdirSync(join(exported, 'tile-caches')).filter((f) => f !== 'collection.json'),
      [id],
    );
  } finally {
    await publisher.close();
    await host.close();
    await receiver.close();
  }
});
