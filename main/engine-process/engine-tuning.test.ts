/**
 * The engine process starts with its tunings (engine-tuning.ts): a real engine process forked by
 * `tessera serve`'s launcher has MALLOC_ARENA_MAX and UV_THREADPOOL_SIZE in its environment and the
 * semi-space bound among its flags (read back from /proc), and an operator's own values win.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ENGINE_MALLOC_ARENAS, ENGINE_SEMI_SPACE_MB, engineExecArgv, engineProcessEnv, engineThreadpoolSize } from './engine-tuning.js';
import { nodeLauncher } from './node-launcher.js';
import { EngineSupervisor } from './supervisor.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-engine-tuning-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the tunings fill in what the environment does not set, and leave what it sets', () => {
  const base = { PATH: '/usr/bin', UV_THREADPOOL_SIZE: undefined, MALLOC_ARENA_MAX: undefined };
  const env = engineProcessEnv(base);
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.MALLOC_ARENA_MAX, String(ENGINE_MALLOC_ARENAS));
  assert.equal(env.UV_THREADPOOL_SIZE, String(engineThreadpoolSize()));
  const operator = engineProcessEnv({ UV_THREADPOOL_SIZE: '12', MALLOC_ARENA_MAX: '8' });
  assert.equal(operator.UV_THREADPOOL_SIZE, '12');
  assert.equal(operator.MALLOC_ARENA_MAX, '8');
  assert.deepEqual(engineExecArgv({}), [`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`]);
  assert.deepEqual(engineExecArgv({ NODE_OPTIONS: '--max-semi-space-size=16' }), [], "the operator's semi-space wins");
});

test("tessera serve's launcher starts the engine process with the tunings", { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: 'error' };
  delete env.MALLOC_ARENA_MAX;
  delete env.UV_THREADPOOL_SIZE;
  const engine = new EngineSupervisor({
    launch: nodeLauncher({ env }),
    engine: { dataDir: join(root, 'data'), host: 'headless', holder: 'engine-tuning test', threads: 1 },
    logger: { info() {}, warn() {}, error() {} },
  });
  await engine.start();
  try {
    const pid = engine.pid!;
    const environ = new Map(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    assert.equal(environ.get('MALLOC_ARENA_MAX'), String(ENGINE_MALLOC_ARENAS));
    assert.equal(environ.get('UV_THREADPOOL_SIZE'), String(engineThreadpoolSize()));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(argv.includes(`--max-semi-space-size=${ENGINE_SEMI_SPACE_MB}`), argv.join(' '));
  } finally {
    await engine.close();
  }
});
