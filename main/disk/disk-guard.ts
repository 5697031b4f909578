/**
 * Keeps jobs from filling a disk (the seed review's finding 3): a job whose estimate does not fit
 * is refused before it starts, and a running job waits, rather than writes, while its volume is
 * below the free-space floor.
 *
 * Free space is read with statfs on the nearest existing folder of the output, so a cache on
 * another disk is checked against that disk. The cache quota covers the data directory only
 * (Settings.cacheQuotaBytes): outputs elsewhere are bounded by their volume's free space and floor.
 */
import { formatBytes } from '../../shared/format.js';
import { statfs } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { JobEstimate, Settings } from '../../shared/contract.js';
import { AbortError, TesseraError, throwIfAborted } from '../../shared/errors.js';
import { directoryBytes, nearestExisting } from './storage.js';
import { writerKindFor } from '../tile-cache/tile-writer.js';

/** Free bytes for an unprivileged writer on the volume that holds (or will hold) `path`. */
export async function freeBytesAt(path: string): Promise<number> {
  const existing = await nearestExisting(resolve(path));
  if (existing === null) throw new TesseraError('IO_ERROR', `no existing folder above ${path}`);
  const fs = await statfs(existing);
  return fs.bavail * fs.bsize;
}

/** True when `path` is `dir` or lies inside it (a sibling named "..x" is not "..": it is inside). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Whether `bytes` more can be written to `output`: the volume must keep its floor free, and an
 * output inside the data directory must stay within the cache quota. The problem names the numbers.
 */
export async function checkFits(input: { output: string; bytes: number | null; settings: Settings; dataDir: string }): Promise<JobEstimate['storage']> {
  const { output, settings, dataDir } = input;
  const freeBytes = await freeBytesAt(output);
  const floorBytes = settings.freeSpaceFloorBytes;
  const quotaBytes = settings.cacheQuotaBytes;
  const inData = isInside(dataDir, output);
  const quotaUsedBytes = quotaBytes !== null && inData ? await directoryBytes(dataDir) : 0;
  let problem: TesseraError | null = null;
  const need = peakBytes(output, input.bytes ?? 0);
  if (freeBytes - need < floorBytes) {
    const peak =
      need > (input.bytes ?? 0)
        ? ` at its peak (${formatBytes(input.bytes ?? 0)} of tiles${writerKindFor(output) === 'pmtiles' ? ', held twice while the archive is built from its working MBTiles' : ' in SQLite'})`
        : '';
    problem = new TesseraError(
      'DISK_FULL',
      `${output}: the job needs about ${formatBytes(need)}${peak} but its volume has ${formatBytes(freeBytes)} free and must keep ${formatBytes(floorBytes)} (the free-space floor)`,
      { details: { output, neededBytes: need, freeBytes, floorBytes } },
    );
  } else if (quotaBytes !== null && inData && quotaUsedBytes + need > quotaBytes) {
    problem = new TesseraError(
      'QUOTA_EXCEEDED',
      `${output}: the job needs about ${formatBytes(need)} but the data directory holds ${formatBytes(quotaUsedBytes)} of its ${formatBytes(quotaBytes)} cache quota`,
      { details: { output, neededBytes: need, quotaBytes, quotaUsedBytes } },
    );
  }
  return { output, freeBytes, floorBytes, quotaBytes, quotaUsedBytes, problem: problem?.toJSON() ?? null };
}

/** What an MBTiles holds beyond its tiles: the written-times table and its index, page slack. */
const MBTILES_OVERHEAD = 1.15;

/**
 * The most an output of `tileBytes` of tiles occupies on its volume while it is made. A PMTiles job
 * writes a working MBTiles beside the output and builds the archive from it before deleting it,
 * so for a moment both are there (issue 12, item 3: admitted at 64 MiB, it needed twice that).
 */
export function peakBytes(output: string, tileBytes: number): number {
  switch (writerKindFor(output)) {
    case 'mbtiles':
      return Math.ceil(tileBytes * MBTILES_OVERHEAD);
    case 'pmtiles':
      return Math.ceil(tileBytes * MBTILES_OVERHEAD + tileBytes);
    case 'directory':
      return tileBytes;
  }
}

/** Throws the estimate's storage problem, if any (jobs.start refuses what does not fit). */
export function assertFits(estimate: JobEstimate): void {
  const p = estimate.storage.problem;
  if (p) throw new TesseraError(p.code, p.message, { details: p.details });
}

export interface WaitForSpaceOptions {
  floorBytes: () => number;
  signal: AbortSignal;
  /** Called once per wait, with the reason shown to the user. */
  onWait(message: string, data: { path: string; freeBytes: number; floorBytes: number }): void;
  onResume?(message: string): void;
  pollMs?: number;
  /** For tests: where free space is read. */
  freeBytes?: (path: string) => Promise<number>;
}

/**
 * Resolves as soon as `path`'s volume has more free space than the floor; otherwise waits, polling
 * (one statfs at a time, never overlapping), until it has or the signal fires (AbortError).
 */
export async function waitForSpace(path: string, options: WaitForSpaceOptions): Promise<void> {
  const read = options.freeBytes ?? freeBytesAt;
  let waiting = false;
  for (;;) {
    throwIfAborted(options.signal);
    const free = await read(path);
    const floor = options.floorBytes();
    if (free > floor) {
      if (waiting) options.onResume?.(`${formatBytes(free)} free again at ${path}: writing resumes`);
      return;
    }
    if (!waiting) {
      waiting = true;
      const why = floor === 0 ? `the volume at ${path} is full` : `${formatBytes(free)} free at ${path}, below the ${formatBytes(floor)} floor`;
      options.onWait(`waiting for disk space: ${why}`, { path, freeBytes: free, floorBytes: floor });
    }
    await sleep(options.pollMs ?? 2000, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolveSleep();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
