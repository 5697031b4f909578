/**
 * What a storage setting will do once saved, said before it is: a free-space floor no volume can
 * keep (every preseed and upload would wait for ever), one above what is free now (they wait until
 * space is freed), or a cache quota below what is already used (every job that writes is refused).
 * The engine accepts all of these, as they can be meant; the form warns and asks once more.
 */
import type { StorageStatus } from '../../shared/contract.js';
import { formatBytes } from '../storage/bytes.js';

export interface StorageWarning {
  /** The settings field the warning is about. */
  field: 'freeSpaceFloorBytes' | 'cacheQuotaBytes';
  message: string;
}

/**
 * The warnings for a floor of `floorBytes` and a quota of `quotaBytes` (null: none) against the
 * volumes and use of `storage`. A value that is not a number (being typed) warns of nothing.
 */
export function storageWarnings(floorBytes: number, quotaBytes: number | null, storage: StorageStatus): StorageWarning[] {
  const warnings: StorageWarning[] = [];
  if (Number.isFinite(floorBytes) && floorBytes > 0) {
    const floor = formatBytes(floorBytes);
    const tooSmall = storage.volumes.filter((v) => floorBytes >= v.totalBytes);
    const tight = storage.volumes.filter((v) => floorBytes < v.totalBytes && floorBytes > v.freeBytes);
    for (const v of tooSmall) {
      warnings.push({
        field: 'freeSpaceFloorBytes',
        message: `Every preseed and upload writing to ${v.path} will wait for ever: the floor ${floor} is above this volume's ${formatBytes(v.totalBytes)}.`,
      });
    }
    for (const v of tight) {
      warnings.push({
        field: 'freeSpaceFloorBytes',
        message: `Jobs writing to ${v.path} will wait until ${formatBytes(floorBytes - v.freeBytes)} is freed: the floor ${floor} is above the ${formatBytes(v.freeBytes)} free there now.`,
      });
    }
  }
  const used = storage.quotas.find((q) => q.jobId === null)?.usedBytes;
  if (quotaBytes !== null && Number.isFinite(quotaBytes) && used !== undefined && quotaBytes < used) {
    warnings.push({
      field: 'cacheQuotaBytes',
      message: `Every job that writes to the data directory will be refused: the quota ${formatBytes(quotaBytes)} is below the ${formatBytes(used)} already used.`,
    });
  }
  return warnings;
}
