/**
 * The data directory: where the job store lives, and who owns it.
 *
 * One engine owns a data directory at a time. The owner holds `engine.lock` (created with O_EXCL,
 * holding its pid); a second engine gets DATA_DIR_LOCKED naming the owner instead of a store
 * corrupted by two writers. A lock left by a process that no longer exists is taken over.
 */
import { fsReason } from '../paths/fs-reason.js';
import { type Stats, accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TesseraError } from '../../shared/errors.js';

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

/** A data directory that cannot be one: BAD_INPUT with one line naming the path and what is wrong. */
function unusable(dataDir: string, what: string, errno?: string): TesseraError {
  return new TesseraError('BAD_INPUT', `data directory ${dataDir}: ${what}`, {
    details: { issues: [{ field: 'dataDir', message: what }], dataDir, ...(errno && { errno }) },
  });
}

/**
 * Checks that `dataDir` is (or, with `create`, can become) a data directory, and makes its missing
 * folders one by one. Returns whether it exists now. Every problem is BAD_INPUT naming the path:
 * a file where the folder should be, a folder that cannot be made or written.
 *
 * Not `mkdirSync(…, { recursive: true })`: on Node 20 that never returns for a path under /proc
 * (libuv's mkdir -p retries ENOENT forever at 100% CPU).
 */
export function prepareDataDir(dataDir: string, options: { create: boolean }): boolean {
  const missing: string[] = [];
  let folder = dataDir;
  for (;;) {
    let info: Stats;
    try {
      info = statSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a file above; walking up finds it and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unusable(dataDir, `cannot be read (${fsReason(error)})`, code);
      missing.unshift(folder);
      const parent = dirname(folder);
      if (parent === folder) throw unusable(dataDir, 'no part of the path exists');
      folder = parent;
      continue;
    }
    if (!info.isDirectory()) throw unusable(dataDir, folder === dataDir ? 'is a file, not a folder' : `${folder} is a file, not a folder`);
    break;
  }
  if (missing.length > 0 && !options.create) return false;
  try {
    accessSync(folder, options.create ? constants.R_OK | constants.W_OK | constants.X_OK : constants.R_OK | constants.X_OK);
  } catch (error) {
    throw unusable(
      dataDir,
      `${folder === dataDir ? 'cannot be' : `its folder ${folder} cannot be`} ${options.create ? 'written' : 'read'} (${fsReason(error)})`,
      (error as NodeJS.ErrnoException).code,
    );
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      throw unusable(dataDir, `cannot create ${dir} (${fsReason(error)})`, code);
    }
  }
  if (missing.length === 0) checkStoreFile(dataDir);
  return true;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** A jobs.sqlite that is a folder or not SQLite at all means this is not a Tessera data directory. */
function checkStoreFile(dataDir: string): void {
  const file = join(dataDir, 'jobs.sqlite');
  const info = statSync(file, { throwIfNoEntry: false });
  if (info === undefined) return;
  if (!info.isFile()) throw unusable(dataDir, `${file} is not a file (is this a Tessera data directory?)`);
  if (info.size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch (error) {
    throw unusable(dataDir, `${file} cannot be read (${fsReason(error)})`, (error as NodeJS.ErrnoException).code);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw unusable(dataDir, `${file} is not a job store (not an SQLite file; is this a Tessera data directory?)`);
}

/**
 * Takes the data directory's lock or throws DATA_DIR_LOCKED naming the live owner.
 *
 * `ownerPid`: the process the lock names, when not this one. An engine process names its
 * supervisor, which outlives it: a CLI command run while the engine restarts after a crash still
 * finds the directory held (and asks the console), and a lock that names the supervisor is the
 * crashed engine's, which the restarted one takes over (the supervisor runs one engine at a time).
 */
export function lockDataDir(dataDir: string, holder: string, ownerPid: number = process.pid): DataDirLock {
  prepareDataDir(dataDir, { create: true });
  const path = join(dataDir, 'engine.lock');
  const info: LockInfo = { pid: ownerPid, hostname: hostname(), startedAt: new Date().toISOString(), holder };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw error;
        // e.g. /proc or /sys: a folder whose file system takes no files (ENOENT), a read-only mount
        throw unusable(dataDir, `cannot create files in it (${fsReason(error)})`, code);
      }
      try {
        writeSync(fd, JSON.stringify(info));
      } catch (error) {
        // A full volume: no empty lock file is left behind for the next start to puzzle over.
        closeSync(fd);
        rmSync(path, { force: true });
        const code = (error as NodeJS.ErrnoException).code;
        throw new TesseraError(code === 'ENOSPC' ? 'DISK_FULL' : 'IO_ERROR', `data directory ${dataDir}: cannot write its lock file (${fsReason(error)})`, {
          details: { dataDir, errno: code },
        });
      }
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readLock(path)?.pid === ownerPid) rmSync(path, { force: true });
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
      if (owner && owner.hostname === hostname() && owner.pid === ownerPid && ownerPid !== process.pid) {
        rmSync(path, { force: true }); // our supervisor's: left by the engine process it restarts us after
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
