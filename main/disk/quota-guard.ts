/**
 * Keeps ingestion inside its limits: the job's quota, the data directory's quota and the volume's
 * free-space floor (the seed review's finding 3: uploads that fill the disk).
 *
 * Every write is admitted first with its size, so a file that cannot fit is refused before a byte
 * is copied; then the bytes actually written are counted, and free space is read again (statfs)
 * every few MiB, so a disk that fills up for another reason stops the copy at the floor instead of
 * at ENOSPC. Each refusal names the file and the numbers.
 */
import { TesseraError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';
import { freeBytesAt } from './disk-guard.js';
import { directoryBytes } from './storage.js';

export interface QuotaLimits {
  /** Bytes this job (or upload) may write; null: no such quota. */
  jobLimit: number | null;
  /** The data directory's quota (Settings.cacheQuotaBytes); null: none. */
  globalLimit: number | null;
  /** Free bytes the volume must keep (Settings.freeSpaceFloorBytes). */
  floorBytes: number;
}

export interface QuotaGuardOptions {
  /** The data directory: the global quota counts what it holds. */
  dataDir: string;
  /** Where the bytes go (its volume's free space is what the floor is checked against). */
  volumePath: string;
  /** Bytes the job has already written (a resumed job, an upload's earlier chunks). */
  alreadyUsed?: number;
  /** Free space is read again after this many bytes. Default 8 MiB. */
  recheckEveryBytes?: number;
  /** For tests: how free space and the data directory's size are read. */
  freeBytes?: (path: string) => Promise<number>;
  usedBytes?: (dataDir: string) => Promise<number>;
}

/** Which limit a refusal was about. */
export type QuotaLimitName = 'job' | 'global' | 'floor';

export class QuotaGuard {
  private jobUsed: number;
  private globalBase: number | null = null;
  private sinceGlobalBase = 0;
  private sinceCheck = 0;
  private readonly recheckEvery: number;
  private readonly readFree: (path: string) => Promise<number>;
  private readonly readUsed: (dataDir: string) => Promise<number>;

  constructor(
    readonly limits: QuotaLimits,
    private readonly options: QuotaGuardOptions,
  ) {
    this.jobUsed = options.alreadyUsed ?? 0;
    this.recheckEvery = options.recheckEveryBytes ?? 8 * 1024 * 1024;
    this.readFree = options.freeBytes ?? freeBytesAt;
    this.readUsed = options.usedBytes ?? directoryBytes;
  }

  /** Bytes this guard has let through (plus what it started with). */
  get used(): number {
    return this.jobUsed;
  }

  /** Bytes the job quota still allows; null without a job quota. */
  get jobRemaining(): number | null {
    return this.limits.jobLimit === null ? null : Math.max(0, this.limits.jobLimit - this.jobUsed);
  }

  /** QUOTA_EXCEEDED unless `bytes` more fit the job's own quota. */
  private assertJobQuota(what: string, bytes: number): void {
    const { jobLimit } = this.limits;
    if (jobLimit !== null && this.jobUsed + bytes > jobLimit) {
      throw quotaError(
        'job',
        `${what} (${formatBytes(bytes)}) does not fit the job's quota: ${formatBytes(this.jobUsed)} of ${formatBytes(jobLimit)} is used, ${formatBytes(Math.max(0, jobLimit - this.jobUsed))} is left`,
        {
          neededBytes: bytes,
          limitBytes: jobLimit,
          usedBytes: this.jobUsed,
        },
      );
    }
  }

  /**
   * Refuses (QUOTA_EXCEEDED or DISK_FULL, naming `what` and the numbers) unless `bytes` more fit
   * every limit. Nothing is counted yet: `wrote` counts what is really written.
   */
  async admit(what: string, bytes: number): Promise<void> {
    const { globalLimit, floorBytes } = this.limits;
    this.assertJobQuota(what, bytes);
    if (globalLimit !== null) {
      // Measured afresh at each file: other jobs and deletions change it between files.
      this.globalBase = await this.readUsed(this.options.dataDir);
      this.sinceGlobalBase = 0;
      if (this.globalBase + bytes > globalLimit) {
        throw quotaError(
          'global',
          `${what} (${formatBytes(bytes)}) does not fit the data directory's quota: it holds ${formatBytes(this.globalBase)} of ${formatBytes(globalLimit)}`,
          {
            neededBytes: bytes,
            limitBytes: globalLimit,
            usedBytes: this.globalBase,
          },
        );
      }
    }
    const free = await this.readFree(this.options.volumePath);
    if (free - bytes < floorBytes) {
      throw floorError(
        `${what} (${formatBytes(bytes)}) does not fit: ${formatBytes(free)} is free at ${this.options.volumePath} and ${formatBytes(floorBytes)} must stay free (the free-space floor)`,
        {
          neededBytes: bytes,
          freeBytes: free,
          floorBytes,
        },
      );
    }
    this.sinceCheck = 0;
  }

  /**
   * Counts bytes that are already in the data directory (an upload the job takes over) against the
   * job's quota only: the data directory's quota and the disk counted them when they arrived.
   */
  async adopt(what: string, bytes: number): Promise<void> {
    this.assertJobQuota(what, bytes);
    this.jobUsed += bytes;
  }

  /** Counts bytes written; throws when a limit is crossed (free space is re-read every few MiB). */
  async wrote(what: string, bytes: number): Promise<void> {
    this.jobUsed += bytes;
    this.sinceGlobalBase += bytes;
    this.sinceCheck += bytes;
    const { jobLimit, globalLimit, floorBytes } = this.limits;
    if (jobLimit !== null && this.jobUsed > jobLimit) {
      throw quotaError('job', `${what}: writing stopped at the job's quota of ${formatBytes(jobLimit)} (${formatBytes(this.jobUsed)} written)`, {
        limitBytes: jobLimit,
        usedBytes: this.jobUsed,
      });
    }
    if (globalLimit !== null && this.globalBase !== null && this.globalBase + this.sinceGlobalBase > globalLimit) {
      throw quotaError('global', `${what}: writing stopped at the data directory's quota of ${formatBytes(globalLimit)}`, {
        limitBytes: globalLimit,
        usedBytes: this.globalBase + this.sinceGlobalBase,
      });
    }
    if (this.sinceCheck >= this.recheckEvery) {
      this.sinceCheck = 0;
      const free = await this.readFree(this.options.volumePath);
      if (free < floorBytes) {
        throw floorError(
          `${what}: writing stopped: only ${formatBytes(free)} is left free at ${this.options.volumePath}, below the ${formatBytes(floorBytes)} floor`,
          { freeBytes: free, floorBytes },
        );
      }
    }
  }

  /** Gives back bytes that were written and then removed (a failed copy, a discarded import). */
  release(bytes: number): void {
    this.jobUsed = Math.max(0, this.jobUsed - bytes);
    this.sinceGlobalBase -= bytes;
  }
}

function quotaError(limit: 'job' | 'global', message: string, details: Record<string, unknown>): TesseraError {
  return new TesseraError('QUOTA_EXCEEDED', message, { details: { limit, ...details } });
}

function floorError(message: string, details: Record<string, unknown>): TesseraError {
  return new TesseraError('DISK_FULL', message, { details: { limit: 'floor', ...details } });
}
