import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { CustomScheme } from 'electron';
import { type AppRoute, createAppRequestHandler, registerAppScheme, serveAppProtocol } from './app-protocol.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

const root = mkdtempSync(path.join(tmpdir(), 'tessera-renderer-'));
const rendererDir = path.join(root, 'renderer');
mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
writeFileSync(path.join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
after(() => rmSync(root, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => new Request(url, { method });

test('registers tessera as a standard, secure, fetchable, streaming scheme', () => {
  const registered: CustomScheme[][] = [];
  registerAppScheme({ registerSchemesAsPrivileged: (schemes) => registered.push(schemes) });
  assert.deepEqual(registered, [[{ scheme: 'tessera', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]]);
});

test('serves the page and its assets with the CSP', async () => {
  const handle = createAppRequestHandler({ rendererDir });
  const page = await handle(get('tessera://app/index.html'));
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(await page.text(), '<!doctype html><title>Tessera</title>');

  const root = await handle(get('tessera://app/'));
  assert.equal(root.status, 200);
  assert.match(await root.text(), /Tessera/);

  const script = await handle(get('tessera://app/assets/index-abc.js'));
  assert.equal(script.status, 200);
  assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(script.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(await script.text(), 'console.log(1)');

  const head = await handle(get('tessera://app/index.html', 'HEAD'));
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String('<!doctype html><title>Tessera</title>'.length));
});

test('refuses traversal, other hosts, missing files, directories and writes', async () => {
  const handle = createAppRequestHandler({ rendererDir });
  for (const url of [
    'tessera://app/../secret.txt',
    'tessera://app/%2e%2e/secret.txt',
    'tessera://app/assets/..%2f..%2fsecret.txt',
    'tessera://evil/index.html',
    'tessera://app/missing.js',
    'tessera://app/assets',
  ]) {
    const response = await handle(get(url));
    assert.equal(response.status, 404, url);
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, url);
    assert.doesNotMatch(await response.text(), /do not serve/, url);
  }
  assert.equal((await handle(new Request('tessera://app/index.html', { method: 'POST', body: 'x' }))).status, 405);
});

test('routes answer before the files and get the security headers', async () => {
  const seen: string[] = [];
  const tiles: AppRoute = (_request, url) => {
    seen.push(url.pathname);
    return url.pathname.startsWith('/tiles/') ? new Response('tile', { headers: { 'Content-Type': 'application/x-protobuf' } }) : null;
  };
  const handle = createAppRequestHandler({ rendererDir, routes: [tiles] });
  const tile = await handle(get('tessera://app/tiles/1/2/3.pbf'));
  assert.equal(await tile.text(), 'tile');
  assert.equal(tile.headers.get('content-type'), 'application/x-protobuf');
  assert.equal(tile.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal((await handle(get('tessera://app/index.html'))).status, 200, 'a null route passes on to the files');
  assert.deepEqual(seen, ['/tiles/1/2/3.pbf', '/index.html']);
});

test('a throwing route is a 500 and is reported', async () => {
  const errors: string[] = [];
  const handle = createAppRequestHandler({
    rendererDir,
    routes: [() => Promise.reject(new Error('boom'))],
    onError: (error, url) => errors.push(`${url}: ${(error as Error).message}`),
  });
  const response = await handle(get('tessera://app/tiles/0/0/0.pbf'));
  assert.equal(response.status, 500);
  assert.doesNotMatch(await response.text(), /boom/, 'no internals in the body');
  assert.deepEqual(errors, ['tessera://app/tiles/0/0/0.pbf: boom']);
});

test('serveAppProtocol handles the scheme and its disposer unhandles it', async () => {
  const calls: string[] = [];
  let handler: ((request: Request) => Promise<Response> | Response) | null = null;
  const dispose = serveAppProtocol(
    {
      handle: (scheme, h) => {
        calls.push(`handle ${scheme}`);
        handler = h;
      },
      unhandle: (scheme) => calls.push(`unhandle ${scheme}`),
    },
    { rendererDir },
  );
  assert.ok(handler);
  assert.equal((await (handler as (r: Request) => Promise<Response>)(get('tessera://app/index.html'))).status, 200);
  dispose();
  assert.deepEqual(calls, ['handle tessera', 'unhandle tessera']);
});
