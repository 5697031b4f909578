/**
 * better-sqlite3's binary for this runtime. Under plain Node (tests, CLI, `tessera serve`, a
 * packaged app whose node_modules electron-builder rebuilt) the package finds its own build.
 * Under `npm start` the desktop app runs on Electron's ABI from the source tree, and the start
 * script names the Electron build (native-builds.ts) in TESSERA_SQLITE_BINDING, which worker
 * threads inherit with the rest of the environment.
 */
import type { Options } from 'better-sqlite3';

export const SQLITE_BINDING_ENV = 'TESSERA_SQLITE_BINDING';

/** `options` with the runtime's binary as `nativeBinding` when one is named; as given otherwise. */
export function withSqliteBinding(options: Options = {}, env: NodeJS.ProcessEnv = process.env): Options {
  const binding = env[SQLITE_BINDING_ENV];
  return binding ? { ...options, nativeBinding: binding } : options;
}
