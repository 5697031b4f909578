/**
 * The /stac routes answer errors as STAC APIs do (`{ code, description }`, JSON), even where the
 * rest of the console would show a person an HTML page (no token, a browser's Accept); and a
 * publish aimed at an address that is not a STAC API with Transactions (a Tessera's root instead
 * of its /stac) says so, naming the address, instead of "the STAC API answered 405".
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { hostedEngine } from '../engine/hosted-engine.js';
import { createLogger } from '../logging/logger.js';
import { runTessera } from '../testing/run-tessera.js';
import { startHeadless } from './start-headless.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-stac-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('/stac errors are STAC JSON; a publish to a non-STAC address names it', { timeout: 120_000 }, async () => {
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  const host = await startHeadless(hostedEngine(engine), { port: 0, rendererDir, logger: createLogger('silent') });
  try {
    const browser = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const path of ['/stac', '/stac/collections', '/stac/search?bbox=1,2,3,4']) {
      const response = await fetch(`${host.origin}${path}`, { headers: browser });
      assert.equal(response.status, 401, path);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.code, 'UNAUTHORIZED', path);
      assert.match(String(body.description), /Authorization: Bearer/, path);
    }
    // The console's own pages still get the person-readable page.
    const page = await fetch(`${host.origin}/jobs`, { headers: browser });
    assert.equal(page.status, 401);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);

    const auth = { Authorization: `Bearer ${host.token}` };
    const missing = await fetch(`${host.origin}/stac/collections/tile-caches/items/nothing`, { headers: auth });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { code: 'NOT_FOUND', description: 'no item nothing in tile-caches' });
    const bad = await fetch(`${host.origin}/stac/search?bbox=1,2`, { headers: auth });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as Record<string, unknown>).code, 'BAD_INPUT');
    const wrongMethod = await fetch(`${host.origin}/stac`, { method: 'PATCH', headers: auth });
    assert.equal(wrongMethod.status, 405);
    assert.equal(((await wrongMethod.json()) as Record<string, unknown>).code, 'BAD_INPUT');

    // The receiver's root instead of its /stac: not a STAC API, and the message says which address.
    const rootUrl = `${host.origin}/`;
    await assert.rejects(
      async () => engine.handlers['stac.publish']({ url: rootUrl, token: host.token }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'BAD_INPUT');
        assert.match(error.message, new RegExp(`^${host.origin} is not a STAC API with the Transactions extension \\(POST /collections answered 405\\)`));
        return true;
      },
    );
    process.env.TESSERA_TEST_STAC_ERRORS_TOKEN = host.token;
    const cli = await runTessera(join(root, 'cli'), 'stac', 'publish', rootUrl, '--token-env', 'TESSERA_TEST_STAC_ERRORS_TOKEN');
    assert.equal(cli.code, 2, cli.stderr);
    assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
    assert.match(cli.stderr, new RegExp(`${host.origin} is not a STAC API with the Transactions extension`));
    assert.doesNotMatch(cli.stderr, /the STAC API answered 405/);
  } finally {
    delete process.env.TESSERA_TEST_STAC_ERRORS_TOKEN;
    await host.close();
    await engine.close();
  }
});
