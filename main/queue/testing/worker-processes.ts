/**
 * Scale-out tests' pieces: real `tessera worker` processes on a test Redis, a digest of a cache's
 * tiles, and redis-cli, for the raster and the vector scale-out tests; a worker can run under a
 * command prefix (another mount namespace: storage it does not share).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const TESSERA_BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

export interface TileDigest {
  tiles: number;
  bytes: number;
  sha256: string;
}

/** Every tile's z/x/y and bytes, in order, hashed: equal digests, equal caches. */
export function digest(mbtiles: string): TileDigest {
  const db = new Database(mbtiles, { readonly: true });
  try {
    const hash = createHash('sha256');
    let tiles = 0;
    let bytes = 0;
    for (const row of db.prepare('SELECT zoom_level z, tile_column x, tile_row y, tile_data data FROM tiles ORDER BY z, x, y').iterate() as Iterable<{
      z: number;
      x: number;
      y: number;
      data: Buffer;
    }>) {
      hash.update(`${row.z}/${row.x}/${row.y}:`).update(row.data);
      tiles++;
      bytes += row.data.length;
    }
    return { tiles, bytes, sha256: hash.digest('hex') };
  } finally {
    db.close();
  }
}

export interface WorkerLaunch {
  env?: NodeJS.ProcessEnv;
  /** A command the worker runs under, its `node …` appended (e.g. unshare and a mount first). */
  prefix?: string[];
}

/** A `tessera worker` (one thread, 2 s locks), resolved once it said it takes tasks; `children` keeps it for clean-up. */
export async function startWorker(queue: string, name: string, children: Set<ChildProcess>, launch: WorkerLaunch = {}): Promise<ChildProcess> {
  const command = [process.execPath, TESSERA_BIN, 'worker', '--queue', queue, '--concurrency', '1', '--name', name, '--lock-seconds', '2'];
  const [program, ...args] = [...(launch.prefix ?? []), ...command];
  const child = spawn(program!, args, { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn', ...launch.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}: ${stderr}`)));
  });
  return child;
}

/** SIGTERM, then its exit code. */
export async function stopWorker(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

export function redisCli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}
