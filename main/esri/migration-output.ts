/**
 * Where a migration writes while it copies.
 *
 * The copy is written to a staging file under `<dataDir>/esri-staging/`, named by a hash of
 * what is copied (service, layers, where, name), so an interrupted or retried job finds its own
 * file and resumes it. Only a copy whose every layer passed its final check reaches the catalogue:
 * the migrate-esri kind's `end` renames it into a catalogue draft and commits that (atomic, see
 * main/catalog/catalog.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EsriMigrateParams } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';

/**
 * The staging file of a migration: stable for the same service, layers, where and name. Outside
 * `catalog/` on purpose: the catalogue sweeps folders of its own that it has no row for.
 */
export function stagingPath(dataDir: string, params: EsriMigrateParams, serviceUrl: string): string {
  const key = JSON.stringify({
    serviceUrl,
    layers: params.layers ? [...params.layers].sort((a, b) => a - b) : null,
    where: params.where ?? null,
    name: params.name,
  });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return join(dataDir, 'esri-staging', `esri-${slug(params.name)}-${hash}.gpkg`);
}

/** A file-name-safe form of a dataset name. */
export function slug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return s === '' ? 'esri' : s;
}

const heldHere = new Set<string>();

/**
 * Takes the staging file's lock (O_EXCL, holding the pid), so two jobs never write one file. A
 * lock whose process is gone is taken over. Returns the release function.
 */
export function lockStaging(path: string): () => void {
  const lockPath = `${path}.lock`;
  mkdirSync(join(path, '..'), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    if (heldHere.has(lockPath)) break;
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(lockPath);
      return () => {
        heldHere.delete(lockPath);
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (owner !== process.pid && !alive(owner)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      break;
    }
  }
  throw new TesseraError('BAD_INPUT', `another job is already copying the same layers into "${path}"; wait for it or cancel it`, {
    details: { issues: [{ field: 'params.name', message: 'a job with the same service, layers, where and name is running' }] },
  });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
