/**
 * The engine process under Electron: the supervisor's launcher (main/engine-process/supervisor.ts)
 * over `utilityProcess.fork`, the one part of the engine process that is Electron's. The entry is
 * the same engine-entry.js `tessera serve` forks; it finds `process.parentPort` there instead of
 * Node's IPC channel. Electron's own types stand behind the structural ones below, so the wiring
 * is tested under plain Node with a fake (utility-launcher.test.ts).
 */
import type { FromEngine, ToEngine } from '../engine-process/channel-protocol.js';
import { engineExecArgv, engineProcessEnv } from '../engine-process/engine-tuning.js';
import type { EngineLauncher, EngineProcess } from '../engine-process/supervisor.js';

/** What the launcher uses of an Electron UtilityProcess. */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  kill(): boolean;
}

/** What the launcher uses of Electron's `utilityProcess`. */
export interface UtilityForker {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore'; env?: NodeJS.ProcessEnv; execArgv?: string[] },
  ): UtilityChild;
}

/** A launcher that starts `entry` as a utility process ("Tessera engine" in the OS's task list). */
export function utilityLauncher(
  utilityProcess: UtilityForker,
  entry: string,
  kill: (pid: number) => void = (pid) => process.kill(pid, 'SIGKILL'),
): EngineLauncher {
  return (args) => {
    // The environment carries the Electron-ABI native module choices (main/native/) to the engine,
    // with the engine's tunings that only work from the process's start (engine-tuning.ts).
    const env = engineProcessEnv(process.env);
    const child = utilityProcess.fork(entry, args, { serviceName: 'Tessera engine', stdio: 'inherit', env, execArgv: engineExecArgv(env) });
    // Electron reports an exit code only; a crash by signal shows as a code other than 0.
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code) => resolve({ code, signal: null })));
    const engineProcess: EngineProcess = {
      get pid() {
        return child.pid;
      },
      exited,
      post: (message: ToEngine) => child.postMessage(message),
      onMessage(listener) {
        const wrapped = (message: unknown) => listener(message as FromEngine);
        child.on('message', wrapped);
        return () => child.off('message', wrapped);
      },
      // Utility process kill() asks politely (SIGTERM, which closes the engine); the supervisor's kill is for one that does not answer.
      kill: () => (child.pid === undefined ? void child.kill() : kill(child.pid)),
    };
    return engineProcess;
  };
}
