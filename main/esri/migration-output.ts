/**
 * Where a migration writes, and how its GeoPackage reaches the catalogue atomically.
 *
 * The copy is written to a staging file under `<dataDir>/esri-staging/`, named by a hash of
 * what is copied (service, layers, where, name), so an interrupted or retried job finds its own
 * file and resumes it. Only a copy whose every layer passed its final check is published: it is
 * renamed over `<dataDir>/catalog/<name>.gpkg` (same volume, so the rename is atomic: readers see
 * the old file or the new one, never half of one), and then registered in the catalogue.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EsriMigrateParams } from '../../preload/contract.js';
import { TesseraError } from '../../preload/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Logger } from '../engine/logger.js';

export function catalogDir(dataDir: string): string {
  return join(dataDir, 'catalog');
}

/**
 * The staging file of a migration: stable for the same service, layers, where and name. Outside
 * `catalog/` on purpose: the catalogue sweeps folders of its own that it has no row for.
 */
export function stagingPath(dataDir: string, params: EsriMigrateParams, serviceUrl: string): string {
  const key = JSON.stringify({ serviceUrl, layers: params.layers ? [...params.layers].sort((a, b) => a - b) : null, where: params.where ?? null, name: params.name });
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return join(dataDir, 'esri-staging', `esri-${slug(params.name)}-${hash}.gpkg`);
}

/** Where the finished GeoPackage lands (a refresh replaces it in one rename). */
export function publishedPath(dataDir: string, name: string): string {
  return join(catalogDir(dataDir), `${slug(name)}.gpkg`);
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
  throw new TesseraError('BAD_INPUT', `another job is already copying the same layers into "${path}"; wait for it or cancel it`, { details: { issues: [{ field: 'params.name', message: 'a job with the same service, layers, where and name is running' }] } });
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

/** Moves the finished staging file over the published one in one rename. */
export function publish(staging: string, target: string): { path: string; sizeBytes: number } {
  mkdirSync(join(target, '..'), { recursive: true });
  renameSync(staging, target);
  return { path: target, sizeBytes: statSync(target).size };
}

export interface MigratedDataset {
  name: string;
  path: string;
  serviceUrl: string;
  layers: number[];
  copiedAt: string;
  jobId: number | null;
  sizeBytes: number;
}

/**
 * Registers the published GeoPackage in the catalogue (source: esri, its URL and the time of the
 * copy; a refresh updates the same dataset).
 *
 * NOT WIRED YET: the catalogue's write API is being built by the ingestion issue. Until it lands
 * this only logs; the file is already in place under <dataDir>/catalog/. This is the one call the
 * lead replaces.
 */
export async function registerInCatalog(_catalog: Catalog, dataset: MigratedDataset, logger: Logger): Promise<void> {
  logger.info(`migrated GeoPackage ready for the catalogue: ${dataset.path}`, { name: dataset.name, source: dataset.serviceUrl, layers: dataset.layers, copiedAt: dataset.copiedAt, sizeBytes: dataset.sizeBytes });
}
