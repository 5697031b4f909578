/**
 * The data directory: where the job store lives, and who owns it.
 *
 * One engine owns a data directory at a time. The owner holds `engine.lock` (created with O_EXCL,
 * holding its pid); a second engine gets DATA_DIR_LOCKED naming the owner instead of a store
 * corrupted by two writers. A lock left by a process that no longer exists is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { TesseraError } from '../../preload/errors.js';

/** The per-user application data folder (the same one Electron's `userData` uses), or TESSERA_DATA_DIR. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TESSERA_DATA_DIR) return resolve(env.TESSERA_DATA_DIR);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Tessera');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Tessera');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Tessera');
}

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  /** What holds it ("tessera serve", "tessera verify", "electron"). */
  holder: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Takes the data directory's lock or throws DATA_DIR_LOCKED naming the live owner. */
export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'engine.lock');
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), holder };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
      };
      process.on('exit', release);
      return { path, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readLock(path);
      if (owner && owner.hostname === hostname() && !isAlive(owner.pid)) {
        rmSync(path, { force: true }); // stale: its process is gone
        continue;
      }
      if (!owner) {
        rmSync(path, { force: true }); // unreadable lock, e.g. a crash between create and write
        continue;
      }
      throw new TesseraError(
        'DATA_DIR_LOCKED',
        `the data directory ${dataDir} is in use by another Tessera (${owner.holder}, pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}); stop it or use --data-dir`,
        { details: { dataDir, owner } },
      );
    }
  }
  throw new TesseraError('DATA_DIR_LOCKED', `could not take the lock of ${dataDir}`);
}

export function readLock(path: string): LockInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The live engine that holds `dataDir` now, or null. Read-only commands use it to tell work that
 * is under way from work that waits for an engine (a dataset's analysis cut short by a kill).
 */
export function liveOwner(dataDir: string): LockInfo | null {
  const owner = readLock(join(dataDir, 'engine.lock'));
  if (!owner) return null;
  return owner.hostname !== hostname() || isAlive(owner.pid) ? owner : null;
}
