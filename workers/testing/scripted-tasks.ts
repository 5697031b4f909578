/**
 * Worker tasks with behaviour the engine's tests control: a loop that honours its abort flag,
 * one that ignores it (to prove the hard stop), a crash, a coded failure, and a heap hog.
 * Loaded only by tests, through their own pool; never by the app's pool-entry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { resourceLimits } from 'node:worker_threads';
import { TesseraError, type ErrorCode } from '../../shared/errors.js';
import { AbortFlag } from '../abort-flag.js';
import type { TaskSpec, WorkerTaskFn } from '../task-map.js';
import { defineTask } from '../task.js';

/** The task map of this module, for a test's `new WorkerPool<ScriptedTasks>(…)`. */
export interface ScriptedTasks {
  spin: TaskSpec<{ ms: number }, { rounds: number }>;
  ignoreAbort: TaskSpec<{ ms: number }, { blocked: number }>;
  crash: TaskSpec<Record<string, never>, never>;
  fail: TaskSpec<{ code: ErrorCode; message: string }, never>;
  measure: TaskSpec<{ data: Uint8Array }, { bytes: number }>;
  hog: TaskSpec<Record<string, never>, never>;
  limits: TaskSpec<Record<string, never>, { maxYoungGenerationSizeMb?: number; maxOldGenerationSizeMb?: number; youngSpaceBytes: number }>;
}

/** Works for `ms`, checking the abort flag every millisecond like a tile loop does. */
export const spin: WorkerTaskFn<ScriptedTasks, 'spin'> = defineTask(async (task: { ms: number; abort?: SharedArrayBuffer }) => {
  const flag = new AbortFlag(task.abort);
  const end = performance.now() + task.ms;
  let rounds = 0;
  while (performance.now() < end) {
    flag.throwIfAborted();
    await sleep(1);
    rounds++;
  }
  return { rounds };
});

/** Blocks the thread for `ms` without ever looking at the abort flag (a stuck native call). */
export const ignoreAbort: WorkerTaskFn<ScriptedTasks, 'ignoreAbort'> = defineTask(async (task: { ms: number }) => {
  const end = Date.now() + task.ms;
  while (Date.now() < end) {
    // busy: nothing can interrupt this but terminating the thread
  }
  return { blocked: task.ms };
});

/** Kills its worker thread mid-task. */
export const crash: WorkerTaskFn<ScriptedTasks, 'crash'> = defineTask(async () => {
  process.exit(3);
});

/** Fails with a coded error. */
export const fail: WorkerTaskFn<ScriptedTasks, 'fail'> = defineTask(async (task: { code: ErrorCode; message: string }) => {
  throw new TesseraError(task.code, task.message);
});

/** Returns the size of a transferred buffer (proves transfer, not copy: the sender's view is detached). */
export const measure: WorkerTaskFn<ScriptedTasks, 'measure'> = defineTask(async (task: { data: Uint8Array }) => ({ bytes: task.data.byteLength }));

/** Keeps allocating JS objects until the worker's heap limit stops it (the pool's resourceLimits). */
export const hog: WorkerTaskFn<ScriptedTasks, 'hog'> = defineTask(async () => {
  const kept: number[][] = [];
  for (;;) kept.push(Array.from({ length: 1e5 }, (_, i) => i * 1.5));
});

/**
 * The heap bounds this worker runs under, and what V8 made of its young generation (new space's
 * size) once short-lived garbage has made it grow as far as it may.
 */
export const limits: WorkerTaskFn<ScriptedTasks, 'limits'> = defineTask(async () => {
  let recent: { i: number }[] = [];
  for (let i = 0; i < 3_000_000; i++) {
    recent.push({ i });
    if (recent.length > 1000) recent = [];
  }
  return {
    maxYoungGenerationSizeMb: resourceLimits.maxYoungGenerationSizeMb,
    maxOldGenerationSizeMb: resourceLimits.maxOldGenerationSizeMb,
    youngSpaceBytes: getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0,
  };
});
