/**
 * Starts the engine process under plain Node (`tessera serve`, tests): `child_process.fork` of the
 * compiled engine-entry.js with the structured-clone channel ("advanced" serialization, so a tile's
 * bytes cross as bytes). Its output (the engine's log) goes to the host's stderr.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FromEngine, ToEngine } from './channel-protocol.js';
import { engineExecArgv, engineProcessEnv } from './engine-tuning.js';
import type { EngineLauncher, EngineProcess } from './supervisor.js';

/** The compiled entry beside this module. */
export function engineEntryFile(): string {
  return fileURLToPath(new URL('./engine-entry.js', import.meta.url));
}

export interface NodeLaunchOptions {
  /** Environment of the engine process (the engine's tunings added, engine-tuning.ts); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where its stdout and stderr go; default the host's stderr. */
  stdio?: 'inherit' | 'pipe' | 'ignore';
}

/** The launcher `tessera serve` uses. */
export function nodeLauncher(options: NodeLaunchOptions = {}): EngineLauncher {
  return (args) => {
    const env = engineProcessEnv(options.env ?? process.env);
    const child = fork(engineEntryFile(), args, {
      serialization: 'advanced',
      env,
      // Flags that only work at start (engine-tuning.ts), after the host's own (an --inspect).
      execArgv: [...process.execArgv, ...engineExecArgv(env)],
      // By default both its outputs go to the host's stderr: the host's stdout is for what scripts
      // read (serve's one line with the URL), and the engine only ever logs.
      stdio:
        options.stdio === 'pipe'
          ? ['ignore', 'pipe', 'pipe', 'ipc']
          : options.stdio === 'ignore'
            ? ['ignore', 'ignore', 'ignore', 'ipc']
            : ['ignore', 2, 2, 'ipc'],
    });
    const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
    const engineProcess: EngineProcess = {
      pid: child.pid,
      exited,
      post(message: ToEngine) {
        // After the process is gone sending throws or reports ERR_IPC_CHANNEL_CLOSED: the exit answers what is owed.
        if (child.connected) child.send(message, (error) => void error);
      },
      onMessage(listener) {
        const wrapped = (message: unknown) => listener(message as FromEngine);
        child.on('message', wrapped);
        return () => child.off('message', wrapped);
      },
      kill: () => void child.kill('SIGKILL'),
    };
    child.on('error', () => {
      // A failed spawn or send: 'exit' follows (or the channel is closed), which the supervisor handles.
    });
    return engineProcess;
  };
}
