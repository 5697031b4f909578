/**
 * The headless host assembled on a real engine (start-headless.ts), as `tessera serve` starts it:
 * it listens, answers a contract request, /metrics, the renderer and the tile route, and closes
 * without closing the engine.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { AppInfo, Reply } from '../../shared/contract.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { startHeadless } from './start-headless.js';
import { hostedEngine } from '../engine/hosted-engine.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-start-headless-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('startHeadless: listens on the engine, answers a request, and closes leaving the engine open', async () => {
  const rendererDir = join(root, 'renderer');
  const dataDir = join(root, 'data');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const engine = await Engine.open({ dataDir, host: 'headless', holder: 'start-headless test', threads: 1, logger: createLogger('silent'), version: '9.9.9' });
  const internal: string[] = [];
  try {
    const host = await startHeadless(hostedEngine(engine), {
      port: 0,
      rendererDir,
      logger: createLogger('silent'),
      onInternalError: (_e, name) => internal.push(name),
    });
    try {
      assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const auth = { Authorization: `Bearer ${host.token}` };
      const info = await fetch(`${host.origin}/api/app.info`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(info.status, 200);
      const reply = (await info.json()) as Reply<AppInfo>;
      assert.ok(reply.ok);
      assert.equal(reply.result.dataDir, dataDir);
      assert.equal(reply.result.version, '9.9.9');
      assert.equal(reply.result.host, 'headless');
      // A refused request is a reply with a code, not an internal error.
      const missing = await fetch(`${host.origin}/api/jobs.get`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: '{"id":42}',
      });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
      // Metrics follow the settings (on by default); the renderer is served; so is the tile route.
      const metrics = await fetch(`${host.origin}/metrics`, { headers: auth });
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /tessera_/);
      const page = await fetch(`${host.origin}/`, { headers: auth });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Tessera<\/title>/);
      assert.match(page.headers.get('content-security-policy') ?? '', /^default-src 'none'; script-src 'self';/);
      const tile = await fetch(`${host.origin}/tiles/nope/0/0/0`, { headers: auth });
      assert.ok(tile.status >= 400 && tile.status < 500, `an unknown cache's tile is refused (${tile.status})`);
      // Without the token nothing is answered.
      assert.equal((await fetch(`${host.origin}/api/app.info`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, 401);
    } finally {
      await host.close();
    }
    await assert.rejects(fetch(`${host.origin}/api/app.info`, { method: 'POST' }), 'the host no longer listens');
    assert.equal((await engine.handlers['queue.get']({})).paused, false, 'the engine stays open');
    assert.deepEqual(internal, []);
  } finally {
    await engine.close();
  }
});
