/**
 * The reliability suite's runner parts: families of cases, each case bounded in time, every
 * result kept for the summary table, and a clean-up list (child processes, mounts, scratch
 * folders) that runs whatever happens, so a failed or stuck case never leaves anything behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** One check family's results. */
export interface FamilyResult {
  name: string;
  run: number;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  failures: string[];
  notes: string[];
}

/** What a family gets from the runner. */
export interface FamilyContext {
  /** The run's seed; each family derives its own draws from it, so `--seed S` replays a run. */
  seed: number;
  /** A scratch folder of this family's own, under /tmp/rel-*. */
  scratch: string;
  /** Runs one case within `timeoutMs`; a case that throws or takes longer fails with the reason. */
  check(name: string, timeoutMs: number, body: (signal: AbortSignal) => Promise<void>): Promise<boolean>;
  /**
   * Runs a slow check in the background while the next families run (e.g. waiting for a server's
   * own timeouts); the suite waits for it before the summary, and it counts in this family's row.
   */
  background(name: string, timeoutMs: number, body: (signal: AbortSignal) => Promise<void>): void;
  /** Records a case that could not run here (e.g. no permission to mount), with why. */
  skip(name: string, reason: string): void;
  /** Records many cases at once (the fuzz and attack families count calls, not functions). */
  tally(passed: number, failures: string[]): void;
  note(message: string): void;
  log(message: string): void;
}

export type Family = (ctx: FamilyContext, options: SuiteOptions) => Promise<void>;

export interface SuiteOptions {
  kills: number;
  seed: number;
  fuzzCalls: number;
  soakJobs: number;
  /** Multiplies every case's time limit (slow machines). */
  timeScale: number;
  keep: boolean;
  verbose: boolean;
}

/** Things to undo at the end of a case and, as a last resort, at exit. */
const cleanups = new Set<() => void>();

/** Registers an undo step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(undo: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cleanups.delete(run);
    try {
      undo();
    } catch {
      // a clean-up that fails must not hide the result or stop the others
    }
  };
  cleanups.add(run);
  return run;
}

/** Runs every pending clean-up (children killed, mounts unmounted): at exit and on signals. */
export function cleanUpAll(): void {
  for (const run of [...cleanups].reverse()) run();
}

/** mulberry32: a small seeded PRNG, so every random draw of a run is replayed by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for a named sub-stream of the run's seed (stable across runs and families). */
export function subSeed(seed: number, name: string): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

export class TimeoutError extends Error {}

/** Background checks still running; the runner awaits them before its summary. */
export const pendingBackground: Promise<void>[] = [];

/** Runs a family and its cases, with time limits, collecting the results. */
export async function runFamily(name: string, family: Family, options: SuiteOptions, scratchRoot: string): Promise<FamilyResult> {
  const result: FamilyResult = { name, run: 0, passed: 0, failed: 0, skipped: 0, seconds: 0, failures: [], notes: [] };
  const scratch = join(scratchRoot, name);
  mkdirSync(scratch, { recursive: true });
  const started = performance.now();
  let backgrounds = 0;
  const log = (message: string) => process.stderr.write(`[${name}] ${message}\n`);
  const ctx: FamilyContext = {
    seed: subSeed(options.seed, name),
    scratch,
    log,
    note(message) {
      result.notes.push(message);
      log(`note: ${message}`);
    },
    skip(caseName, reason) {
      result.skipped++;
      result.notes.push(`skipped ${caseName}: ${reason}`);
      log(`SKIP ${caseName}: ${reason}`);
    },
    tally(passed, failures) {
      result.run += passed + failures.length;
      result.passed += passed;
      result.failed += failures.length;
      result.failures.push(...failures);
      for (const f of failures.slice(0, 20)) log(`FAIL ${f}`);
      if (failures.length > 20) log(`… and ${failures.length - 20} more failures`);
    },
    background(caseName, timeoutMs, body) {
      const t0 = performance.now();
      backgrounds++;
      pendingBackground.push(
        ctx.check(caseName, timeoutMs, body).then(() => {
          result.seconds += (performance.now() - t0) / 1000;
          if (--backgrounds === 0 && !options.keep) rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
        }),
      );
    },
    async check(caseName, timeoutMs, body) {
      const limit = Math.round(timeoutMs * options.timeScale);
      const controller = new AbortController();
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      result.run++;
      try {
        await Promise.race([
          body(controller.signal),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new TimeoutError(`timed out after ${(limit / 1000).toFixed(0)} s (the case's limit); it was stopped`)), limit);
          }),
        ]);
        result.passed++;
        log(`ok   ${caseName} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        return true;
      } catch (error) {
        result.failed++;
        const message = error instanceof Error ? error.message : String(error);
        result.failures.push(`${caseName}: ${message}`);
        log(`FAIL ${caseName} (${((performance.now() - t0) / 1000).toFixed(1)} s): ${message}`);
        return false;
      } finally {
        clearTimeout(timer);
        // Stops what the case started (children get SIGKILL through the signal), even on a timeout.
        controller.abort();
      }
    },
  };
  try {
    await family(ctx, options);
  } catch (error) {
    result.run++;
    result.failed++;
    result.failures.push(`${name} (set-up): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    log(`FAIL set-up: ${String(error)}`);
  } finally {
    if (!options.keep && backgrounds === 0) rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
  result.seconds += (performance.now() - started) / 1000;
  return result;
}

export interface ChildRun {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) and the whole output. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr or stdout matches, with the match; rejects if the child exits first. */
  waitFor(pattern: RegExp, signal?: AbortSignal): Promise<RegExpMatchArray>;
}

/** Spawns a child that is SIGKILLed when `signal` aborts or the suite exits. */
export function spawnChild(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): ChildRun {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const w of watchers) w();
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const undo = onCleanup(kill);
  options.signal?.addEventListener('abort', undo, { once: true });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => {
      undo();
      options.signal?.removeEventListener('abort', undo);
      for (const w of watchers) w();
      resolve({ code, signal: sig, stdout: out, stderr: err });
    });
  });
  let closed = false;
  void exited.then(
    () => (closed = true),
    () => (closed = true),
  );
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, signal) {
      return new Promise((resolve, reject) => {
        const test = () => {
          const m = err.match(pattern) ?? out.match(pattern);
          if (m) {
            watchers.delete(test);
            resolve(m);
          } else if (closed || child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(test);
            reject(new Error(`the process exited before printing ${pattern}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
          } else if (signal?.aborted) {
            watchers.delete(test);
            reject(new Error('aborted'));
          }
        };
        watchers.add(test);
        signal?.addEventListener('abort', test, { once: true });
        test();
      });
    },
  };
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Throws with `message` unless `condition` holds (assertions that read as the check's rule). */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
