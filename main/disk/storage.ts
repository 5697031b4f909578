/**
 * Storage status for the console's gauges: free space on every volume Tessera writes to, the
 * quotas and what they hold, and warnings before anything crosses a limit.
 *
 * Volumes are told apart by the device statfs reports (`type` + block totals) so two folders on one
 * disk show as one gauge with both roles.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { QuotaStatus, Settings, StorageStatus, VolumeStatus } from '../../shared/contract.js';

export interface StorageInputs {
  dataDir: string;
  settings: Settings;
  /** Other folders in use, with what they hold (e.g. a job's output folder). */
  extraPaths?: { path: string; role: string }[];
  /** Quotas of running jobs (an ingest's per-job quota), with what each holds. */
  jobQuotas?: QuotaStatus[];
}

/** Share of a quota or of a volume above which a warning is raised. */
const WARN_AT = 0.9;

export async function storageStatus(inputs: StorageInputs): Promise<StorageStatus> {
  const places = [{ path: inputs.dataDir, role: 'data directory' }, ...(inputs.extraPaths ?? [])];
  const volumes = new Map<string, VolumeStatus>();
  const warnings: string[] = [];
  for (const place of places) {
    const existing = await nearestExisting(place.path);
    if (existing === null) continue;
    const [fs, info] = await Promise.all([statfs(existing), stat(existing)]);
    const key = String(info.dev);
    // Total as df counts it: what is used plus what a user may still write (root's reserved blocks
    // are neither), so that total − free is what is really used.
    const volume = volumes.get(key) ?? {
      path: existing,
      roles: [],
      device: key,
      totalBytes: (fs.blocks - fs.bfree + fs.bavail) * fs.bsize,
      freeBytes: fs.bavail * fs.bsize,
    };
    volume.roles.push(place.role);
    volumes.set(key, volume);
  }
  const floor = inputs.settings.freeSpaceFloorBytes;
  for (const v of volumes.values()) {
    if (v.freeBytes < floor) warnings.push(`${v.path}: ${gib(v.freeBytes)} free, below the ${gib(floor)} floor`);
    else if (v.freeBytes - floor < (v.totalBytes - floor) * (1 - WARN_AT))
      warnings.push(`${v.path}: ${gib(v.freeBytes)} free, close to the ${gib(floor)} floor`);
  }
  const quotas: QuotaStatus[] = [];
  const cacheQuota = inputs.settings.cacheQuotaBytes;
  const used = await directoryBytes(inputs.dataDir);
  quotas.push({ name: 'cache quota (data directory)', jobId: null, limitBytes: cacheQuota, usedBytes: used });
  if (cacheQuota !== null && used >= cacheQuota * WARN_AT) {
    warnings.push(`the data directory holds ${gib(used)} of its ${gib(cacheQuota)} quota${used >= cacheQuota ? ' (over quota)' : ''}`);
  }
  for (const quota of inputs.jobQuotas ?? []) {
    quotas.push(quota);
    if (quota.limitBytes !== null && quota.usedBytes >= quota.limitBytes * WARN_AT)
      warnings.push(`${quota.name}: ${gib(quota.usedBytes)} of ${gib(quota.limitBytes)} used`);
  }
  return { volumes: [...volumes.values()], quotas, freeSpaceFloorBytes: floor, warnings };
}

/** The path itself or its closest existing parent (an output folder may not exist yet). */
export async function nearestExisting(path: string): Promise<string | null> {
  for (let p = path; ; p = dirname(p)) {
    try {
      await stat(p);
      return p;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/** Bytes of the files under `dir` (allocated blocks, as a disk quota counts them). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) total += await fileBytes(p);
    }
  };
  await walk(dir);
  return total;
}

/**
 * Allocated bytes of one file; 0 when it went between the listing and the look (an upload's
 * `.part` renamed as it completes, a staging folder cleared): a gauge read mid-ingest must not fail.
 */
export async function fileBytes(path: string): Promise<number> {
  try {
    return (await lstat(path)).blocks * 512;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}
