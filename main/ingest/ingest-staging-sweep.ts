/**
 * The staging area's housekeeping: staging folders of jobs that cannot be using them, and uploads
 * nobody finished or needs any more.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KindEnvironment } from '../kinds/job-kind.js';
import { stagingRoot, sweepUploads, uploadInUse } from './uploads.js';

/** Incomplete uploads idle this long, and complete ones unused this long, are removed. */
const UPLOAD_IDLE_MS = 3600_000;
const UPLOAD_MAX_AGE_MS = 24 * 3600_000;

/**
 * Run when an ingest begins, and by the engine at start and on a timer (not only when an ingest
 * begins or an upload arrives): removes uploads no job needs any more (uploadInUse: a failed
 * ingest's upload is kept for a retry, for UPLOAD_RETRY_WINDOW_MS after it failed), incomplete
 * uploads left idle, and staging folders of jobs that cannot be using them. With `jobFolders:
 * 'not-running'` (an ingest beginning) folders of every job not running go, left by a crash or an
 * engine stopped mid-job; with `'finished'` (while jobs may start) only folders of finished or
 * deleted jobs go: a queued job may start at any moment.
 */
export async function sweepIngestStaging(
  env: Pick<KindEnvironment, 'dataDir' | 'catalog'>,
  options: { jobFolders: 'not-running' | 'finished' } = { jobFolders: 'finished' },
): Promise<string[]> {
  const root = stagingRoot(env.dataDir);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const id = Number(/^job-(\d+)$/.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(id)) continue;
    const state = env.catalog.jobState(id);
    if (state === 'running' || state === 'cancelling') continue;
    if (options.jobFolders === 'finished' && (state === 'queued' || state === 'interrupted')) continue;
    await rm(join(root, name), { recursive: true, force: true });
  }
  return sweepUploads(env.dataDir, { idleMs: UPLOAD_IDLE_MS, maxAgeMs: UPLOAD_MAX_AGE_MS, keep: (id) => uploadInUse(env.catalog.db, id) });
}
