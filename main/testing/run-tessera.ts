/**
 * Runs the built `tessera` CLI (dist/main/cli/bin.js) as a child process on a data directory, as
 * an operator would, and gives back its exit code and output: the CLI tests' one way to run it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

/** `tessera ...args --data-dir dataDir`, logging at warn so that stderr holds what the operator reads. */
export function runTessera(dataDir: string, ...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
