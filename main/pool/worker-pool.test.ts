import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import type { ScriptedTasks } from '../../workers/testing/scripted-tasks.js';
import { WORKER_YOUNG_GENERATION_MB, WorkerPool } from './worker-pool.js';

const filename = fileURLToPath(new URL('../../workers/testing/scripted-tasks.js', import.meta.url));
const pool = new WorkerPool<ScriptedTasks>({ filename, threads: 2, maxQueue: 4, graceMs: 50 });
after(() => pool.destroy());

test('a task that honours its abort flag stops at once and rejects with ABORTED', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const run = pool.run('spin', { ms: 10_000 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(run, (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED');
  assert.ok(performance.now() - started < 2_000);
});

test('a task that ignores its abort flag is stopped by terminating its worker, which is replaced', async () => {
  const before = pool.stats().workerRestarts;
  const controller = new AbortController();
  const run = pool.run('ignoreAbort', { ms: 5_000 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  await assert.rejects(run, (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED');
  assert.ok(performance.now() - started < 4_000, 'the hard stop does not wait for the 5 s task');
  // A 1 ms spin takes one or two 1 ms sleeps depending on timer granularity; any result means a live worker.
  const after = await pool.run('spin', { ms: 1 });
  assert.ok(after.rounds >= 1, 'the pool still works');
  await waitFor(() => pool.stats().workerRestarts > before);
});

test('a crashing worker fails only its own task, with WORKER_CRASHED, and is replaced', async () => {
  const before = pool.stats().workerRestarts;
  const others = [pool.run('spin', { ms: 100 }), pool.run('spin', { ms: 100 })];
  await assert.rejects(pool.run('crash', {}), (e: unknown) => e instanceof TesseraError && e.code === 'WORKER_CRASHED' && e.transient);
  const results = await Promise.all(others);
  assert.equal(results.length, 2);
  await waitFor(() => pool.stats().workerRestarts > before);
  assert.ok(await pool.run('spin', { ms: 1 }));
});

test('coded errors cross the thread boundary with their code', async () => {
  await assert.rejects(pool.run('fail', { code: 'TILE_CORRUPT', message: 'tile 1/2/3 is truncated' }), (e: unknown) => {
    return e instanceof TesseraError && e.code === 'TILE_CORRUPT' && e.message === 'tile 1/2/3 is truncated' && !e.transient;
  });
});

test('buffers in the transfer list are moved, not copied', async () => {
  const data = new Uint8Array(1 << 20);
  const result = await pool.run('measure', { data }, { transferList: [data.buffer] });
  assert.equal(result.bytes, 1 << 20);
  assert.equal(data.byteLength, 0, 'the sender no longer owns the buffer');
});

test('whenReady keeps the queue bounded: a planner that waits never overfills it', async () => {
  let maxQueued = 0;
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    await pool.whenReady();
    runs.push(pool.run('spin', { ms: 5 }));
    maxQueued = Math.max(maxQueued, pool.stats().queued);
  }
  await Promise.all(runs);
  assert.ok(maxQueued <= 4, `queue grew to ${maxQueued}`);
});

test('no thread starts before the first task; then all start and stay', async () => {
  const lazy = new WorkerPool<ScriptedTasks>({ filename, threads: 2 });
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lazy.stats().startedThreads, 0, 'an idle pool holds no thread');
    await lazy.run('spin', { ms: 1 });
    await waitFor(() => lazy.stats().startedThreads === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(lazy.stats().startedThreads, 2, 'threads are kept once started');
  } finally {
    await lazy.destroy();
  }
  await assert.rejects(lazy.run('spin', { ms: 1 }), (e: unknown) => e instanceof TesseraError && /destroyed/.test(e.message));
  assert.equal(lazy.stats().startedThreads, 0);
});

test('a task over the memory bound fails alone with WORKER_OUT_OF_MEMORY (not retried), and the pool goes on', async () => {
  const bounded = new WorkerPool<ScriptedTasks>({ filename, threads: 1, maxOldGenerationSizeMb: 48 });
  try {
    const started = performance.now();
    await assert.rejects(bounded.run('hog', {}), (e: unknown) => {
      return e instanceof TesseraError && e.code === 'WORKER_OUT_OF_MEMORY' && !e.transient && /hog/.test(e.message) && /48 MB/.test(e.message);
    });
    assert.ok(performance.now() - started < 30_000, 'stopped at the bound, not after filling the machine');
    await waitFor(() => bounded.stats().workerRestarts === 1);
    assert.ok((await bounded.run('spin', { ms: 1 })).rounds >= 1, 'a fresh worker runs the next task');
  } finally {
    await bounded.destroy();
  }
});

test("each worker's young generation is bounded (WORKER_YOUNG_GENERATION_MB unless the pool says otherwise)", async () => {
  const byDefault = new WorkerPool<ScriptedTasks>({ filename, threads: 1 });
  const bigger = new WorkerPool<ScriptedTasks>({ filename, threads: 1, maxYoungGenerationSizeMb: 48 });
  try {
    const [small, large] = [await byDefault.run('limits', {}), await bigger.run('limits', {})];
    assert.equal(small.maxYoungGenerationSizeMb, WORKER_YOUNG_GENERATION_MB);
    assert.equal(large.maxYoungGenerationSizeMb, 48);
    // V8 itself holds the worker to it: the bounded new space never grows past the bound.
    assert.ok(small.youngSpaceBytes <= WORKER_YOUNG_GENERATION_MB * 1024 ** 2, `new space ${small.youngSpaceBytes} B`);
  } finally {
    await byDefault.destroy();
    await bigger.destroy();
  }
});

test('a process started with --max-semi-space-size (the engine process) still gives each worker its own young generation', async () => {
  // V8 lets the flag override a worker's resourceLimits unless the pool releases it first.
  const script = `
    import { WorkerPool } from ${JSON.stringify(new URL('./worker-pool.js', import.meta.url).href)};
    import { getHeapSpaceStatistics } from 'node:v8';
    let recent = [];
    for (let i = 0; i < 3_000_000; i++) { recent.push({ i }); if (recent.length > 1000) recent = []; }
    const main = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const pool = new WorkerPool({ filename: ${JSON.stringify(filename)}, threads: 1 });
    const worker = await pool.run('limits', {});
    await pool.destroy();
    process.stdout.write(JSON.stringify({ main, worker: worker.youngSpaceBytes }));`;
  const run = spawnSync(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { main, worker } = JSON.parse(run.stdout) as { main: number; worker: number };
  const MiB = 1024 ** 2;
  assert.ok(main <= 2 * MiB, `the main thread keeps its 1 MiB semi-spaces (new space ${main} B)`);
  assert.ok(worker > 2 * MiB, `the worker grew past the main thread's bound (new space ${worker} B)`);
  assert.ok(worker <= WORKER_YOUNG_GENERATION_MB * MiB, `and stayed within its own (new space ${worker} B)`);
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
