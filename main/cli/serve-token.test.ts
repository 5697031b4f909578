/**
 * `tessera serve --token-file`: the console's token survives its restarts, so another machine that
 * publishes here keeps publishing; the file is made 0600 when missing; a short token is refused.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { runTessera } from '../testing/run-tessera.js';
import { tokenFromFile } from './serve-token.js';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-serve-token-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a missing token file is made 0600 with a random token, then read back the same', () => {
  const file = join(root, 'made.token');
  const token = tokenFromFile(file);
  assert.ok(token.length >= 32);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8').trim(), token);
  assert.equal(tokenFromFile(file), token);
});

test('a token too short, or with spaces, is refused in one line (exit 2) without quoting it', async () => {
  const short = join(root, 'short.token');
  writeFileSync(short, 'abc123\n');
  const run = await runTessera(join(root, 'short-data'), 'serve', '--port', '0', '--token-file', short);
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /--token-file .*short\.token: the token must be at least 16 characters, not 6/);
  assert.doesNotMatch(run.stderr, /abc123/);
  const spaced = join(root, 'spaced.token');
  writeFileSync(spaced, 'correct horse battery staple\n');
  assert.throws(
    () => tokenFromFile(spaced),
    (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && !e.message.includes('horse'),
  );
});

/** Starts `tessera serve` on `port` and gives back its printed document and a way to stop it. */
async function serve(dataDir: string, port: number, tokenFile: string) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--json', '--data-dir', dataDir, '--token-file', tokenFile], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const printed = JSON.parse(line) as { url: string; port: number; tokenFile: string };
  return {
    printed,
    line,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

test('a publish to a restarted receiver still succeeds with the same token file; the token is never printed', { timeout: 180_000 }, async () => {
  const tokenFile = join(root, 'receiver.token');
  const receiverDir = join(root, 'receiver');
  const first = await serve(receiverDir, 0, tokenFile);
  const token = readFileSync(tokenFile, 'utf8').trim();
  const port = first.printed.port;
  const publish = () =>
    runTessera(join(root, 'publisher'), 'stac', 'publish', `http://127.0.0.1:${port}/stac`, '--token-env', 'TESSERA_TEST_RECEIVER_TOKEN', '--json');
  process.env.TESSERA_TEST_RECEIVER_TOKEN = token;
  try {
    assert.equal(first.printed.url, `http://127.0.0.1:${port}/`);
    assert.equal(first.printed.tokenFile, tokenFile);
    assert.ok(!first.line.includes(token), 'the printed line leaves the token out');
    const before = await publish();
    assert.equal(before.code, 0, before.stderr);
    await first.stop();
    assert.ok(!first.stderr().includes(token), 'nor do the logs hold it');
    // Nothing but serve's own line on stdout, before or at SIGTERM (the engine's output, GDAL's included, goes to stderr).
    assert.deepEqual(first.stdout().trim().split('\n'), [first.line]);
    assert.doesNotMatch(first.stderr(), /Closing a dataset while background async operations/);

    const second = await serve(receiverDir, port, tokenFile);
    try {
      const again = await publish();
      assert.equal(again.code, 0, `after the receiver's restart: ${again.stderr}`);
      assert.equal((JSON.parse(again.stdout) as { collections: number }).collections, 3);
      // The console's own flow still works with the fixed token: the URL's token becomes a session cookie.
      const opened = await fetch(`http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
      const cookie = opened.headers.get('set-cookie')?.split(';')[0];
      assert.ok(cookie?.startsWith('tessera_session='), `a session cookie: ${opened.status}`);
      const health = await fetch(`http://127.0.0.1:${port}/api/app.health`, {
        method: 'POST',
        headers: { Cookie: cookie ?? '', 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${port}` },
        body: '{}',
      });
      assert.equal(health.status, 200);
    } finally {
      await second.stop();
    }
    assert.ok(!second.stderr().includes(token));
  } finally {
    delete process.env.TESSERA_TEST_RECEIVER_TOKEN;
  }
});
