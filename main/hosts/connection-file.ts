/**
 * The connection file: how a `tessera` command finds the engine that holds a data directory, so
 * that it asks that engine instead of failing with DATA_DIR_LOCKED (the CLI's client mode).
 *
 * The holder (`tessera serve` on loopback) writes `engine.connection.json` beside `engine.lock`:
 * its loopback origin, its per-launch token and its pid. The token is the console's whole
 * authority, so the file is made 0600 (readable by this user only) and a file that other users
 * could read or that another user owns is never trusted. It is removed when the host closes; a
 * file left by a killed process is told apart by the lock: it counts only while the lock's live
 * owner is the process that wrote it.
 */
import { randomBytes } from 'node:crypto';
import { type Stats, closeSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { liveOwner } from '../engine/data-dir.js';
import { isLoopbackHost } from './http-security.js';

export const CONNECTION_FILE = 'engine.connection.json';

export interface Connection {
  /** `http://127.0.0.1:PORT`: loopback only. */
  origin: string;
  /** The headless host's token, sent as `Authorization: Bearer …`. */
  token: string;
  pid: number;
  hostname: string;
}

/**
 * Writes the connection file for the host at `origin` (this process holds the data directory's
 * lock). Written to a private temporary name, then renamed, so a reader never sees half a file.
 * Returns a remover, idempotent, also run at process exit.
 */
export function writeConnectionFile(dataDir: string, origin: string, token: string): () => void {
  if (!isLoopbackHost(new URL(origin).hostname)) throw new Error(`a connection file is only written for a loopback host, not ${origin}`);
  const file = join(dataDir, CONNECTION_FILE);
  const temporary = join(dataDir, `.${CONNECTION_FILE}.${randomBytes(6).toString('hex')}`);
  const connection: Connection = { origin, token, pid: process.pid, hostname: hostname() };
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(connection));
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    // Only our own: a later holder may have written its file since.
    if (readRaw(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', remove);
  return remove;
}

/**
 * The engine to talk to for `dataDir`, or null: no file, or one that cannot be trusted or is
 * stale (its writer is not the lock's live owner: killed, or the lock was taken over since).
 */
export function readConnection(dataDir: string): Connection | null {
  const file = join(dataDir, CONNECTION_FILE);
  let info: Stats | undefined;
  try {
    info = lstatSync(file, { throwIfNoEntry: false });
  } catch {
    // Not a folder (ENOTDIR), not readable: no console there; opening the directory says why.
    return null;
  }
  if (!info?.isFile()) return null;
  // Readable by others, or not ours: another user could have planted it to collect our requests.
  if ((info.mode & 0o077) !== 0 || (process.getuid && info.uid !== process.getuid())) return null;
  const connection = readRaw(file);
  if (!connection) return null;
  const owner = liveOwner(dataDir);
  if (!owner || owner.pid !== connection.pid || owner.hostname !== connection.hostname || connection.hostname !== hostname()) return null;
  let url: URL;
  try {
    url = new URL(connection.origin);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) return null;
  return connection;
}

function readRaw(file: string): Connection | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Connection>;
    if (typeof parsed.origin !== 'string' || typeof parsed.token !== 'string' || typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string')
      return null;
    return parsed as Connection;
  } catch {
    return null;
  }
}
