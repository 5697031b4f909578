/**
 * The desktop app's channel for the CLI, on a real engine held by this process (as the app holds
 * it): `tessera` children run through it while it is offered, and meet DATA_DIR_LOCKED once it is
 * closed while the engine still holds the directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { hillshadeMbtiles } from '../testing/real-data.js';
import { offerClientChannel } from './client-channel.js';
import { CONNECTION_FILE } from './connection-file.js';
import { hostedEngine } from '../engine/hosted-engine.js';

const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-client-channel-'));
after(() => rmSync(root, { recursive: true, force: true }));

function tessera(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('while the channel is offered, commands run through the engine that holds the directory; closed, they are refused', { timeout: 180_000 }, async () => {
  const dataDir = join(root, 'data');
  const cache = hillshadeMbtiles(root);
  const engine = await Engine.open({
    dataDir,
    host: 'headless',
    holder: 'Tessera desktop (test)',
    threads: 1,
    logger: createLogger('silent'),
    version: '9.9.9',
  });
  try {
    const channel = await offerClientChannel(hostedEngine(engine), { logger: createLogger('silent') });
    const file = join(dataDir, CONNECTION_FILE);
    try {
      assert.match(channel.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const verify = await tessera('verify', cache, '--data-dir', dataDir);
      assert.equal(verify.code, 0, verify.stderr);
      assert.ok(verify.stderr.includes(`(in the console at ${channel.origin})`), verify.stderr);
      assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 1, 'the job ran in this engine');
    } finally {
      await channel.close();
    }
    assert.equal(existsSync(file), false, 'closing removes the connection file');
    const refused = await tessera('verify', cache, '--data-dir', dataDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /DATA_DIR_LOCKED: .*Tessera desktop \(test\)/);
  } finally {
    await engine.close();
  }
});
