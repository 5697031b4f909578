/**
 * Files the headless host's upload route has staged, and how a job names them: `upload:<id>`.
 *
 * An upload lives in `<dataDir>/staging/uploads/<id>/`: `upload.json` (its name and size) and the
 * file under its original name, written as `<name>.part` until its last byte arrives. Ids are 128
 * random bits: nobody guesses another's upload.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TesseraError } from '../../shared/errors.js';
import type { Db } from '../store/database.js';
import { jobHolding } from '../store/jobs-holding.js';

export const UPLOAD_PREFIX = 'upload:';
const ID = /^[0-9a-f]{32}$/;

export interface UploadMeta {
  id: string;
  /** The original file name (base name only, checked). */
  name: string;
  /** Bytes the client announced; the upload is complete when that many have arrived. */
  size: number;
  createdAt: string;
}

export interface ResolvedUpload extends UploadMeta {
  dir: string;
  /** The complete file. */
  file: string;
}

export function stagingRoot(dataDir: string): string {
  return join(dataDir, 'staging');
}

export function uploadsRoot(dataDir: string): string {
  return join(stagingRoot(dataDir), 'uploads');
}

export function newUploadId(): string {
  return randomBytes(16).toString('hex');
}

export function isUploadRef(value: string): boolean {
  return value.startsWith(UPLOAD_PREFIX);
}

/**
 * The complete upload `upload:<id>` names. NOT_FOUND when there is no such upload (expired or
 * never made); BAD_INPUT when it is still arriving.
 */
export function resolveUpload(ref: string, dataDir: string): ResolvedUpload {
  const id = ref.slice(UPLOAD_PREFIX.length);
  if (!ID.test(id)) throw new TesseraError('BAD_INPUT', `${ref} is not an upload reference (upload:<32 hex digits>)`);
  const dir = join(uploadsRoot(dataDir), id);
  if (!existsSync(join(dir, 'upload.json')))
    throw new TesseraError('NOT_FOUND', `${ref}: no such upload (it was never made, or it expired and was removed)`, { details: { id } });
  const meta = JSON.parse(readFileSync(join(dir, 'upload.json'), 'utf8')) as UploadMeta;
  const file = join(dir, meta.name);
  if (!existsSync(file)) throw new TesseraError('BAD_INPUT', `${ref} (${meta.name}) has not arrived completely yet`, { details: { id } });
  return { ...meta, dir, file };
}

/**
 * The longest upload name, in UTF-8 bytes: file systems limit a path component to 255 bytes (not
 * characters: 200 "é" are 400 bytes), and the name is written with ".part" after it while it arrives.
 */
export const MAX_UPLOAD_NAME_BYTES = 255 - '.part'.length;

/** Checks an uploaded file's name: a plain base name, no path, nothing hidden, nothing odd, not too long. */
export function checkUploadName(name: string): string {
  const trimmed = name.trim();
  const bytes = Buffer.byteLength(trimmed, 'utf8');
  if (bytes > MAX_UPLOAD_NAME_BYTES) {
    const message = `the name is ${bytes} bytes long in UTF-8; file names may have ${MAX_UPLOAD_NAME_BYTES} bytes at most`;
    throw new TesseraError('BAD_INPUT', `name: ${message}`, { details: { issues: [{ field: 'name', message }] } });
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not hold
  if (trimmed === '' || basename(trimmed) !== trimmed || trimmed.startsWith('.') || /[\u0000-\u001f/\\:]/.test(trimmed) || trimmed === 'upload.json') {
    throw new TesseraError('BAD_INPUT', `name: ${JSON.stringify(name.slice(0, 100))} is not a file name an upload may have`, {
      details: { issues: [{ field: 'name', message: 'not a plain file name' }] },
    });
  }
  return trimmed;
}

/**
 * Removes uploads nobody finished or used: incomplete ones idle for `idleMs`, complete ones older
 * than `maxAgeMs`. Returns the ids removed.
 */
export async function sweepUploads(
  dataDir: string,
  options: { idleMs: number; maxAgeMs: number; keep?: (id: string) => boolean | Promise<boolean> },
): Promise<string[]> {
  const removed: string[] = [];
  const root = uploadsRoot(dataDir);
  for (const id of await readdir(root).catch(() => [] as string[])) {
    if (!ID.test(id)) continue;
    const dir = join(root, id);
    try {
      const files = await readdir(dir);
      const part = files.find((f) => f.endsWith('.part'));
      const newest = Math.max(...(await Promise.all(files.map(async (f) => (await stat(join(dir, f))).mtimeMs))), 0);
      const age = Date.now() - newest;
      // Asked only of an upload old enough to go: the engine may be another process, one message each.
      if (((part !== undefined && age > options.idleMs) || age > options.maxAgeMs) && !(await options.keep?.(id))) {
        await rm(dir, { recursive: true, force: true });
        removed.push(id);
      }
    } catch {
      // Removed meanwhile.
    }
  }
  return removed;
}

/** Removes one upload (a job that used it has finished with it). */
export async function removeUpload(ref: string, dataDir: string): Promise<void> {
  const id = ref.slice(UPLOAD_PREFIX.length);
  if (!ID.test(id)) return;
  await rm(join(uploadsRoot(dataDir), id), { recursive: true, force: true });
}

/** How long the upload of a failed, partial or cancelled ingest is kept for a retry of that job. */
export const UPLOAD_RETRY_WINDOW_MS = 24 * 3600_000;

/**
 * Whether an ingest job still needs the upload: one that is queued, running or interrupted (it
 * resumes), or one that failed, ended partial or was cancelled less than `retryWindowMs` ago (it may
 * be retried, and a retry stages the upload again). A succeeded job has used it; a failure older
 * than the window no longer holds it, so failed ingests do not keep their uploads forever.
 */
export function uploadInUse(db: Db, id: string, options: { retryWindowMs?: number; now?: Date } = {}): boolean {
  const since = new Date((options.now ?? new Date()).getTime() - (options.retryWindowMs ?? UPLOAD_RETRY_WINDOW_MS)).toISOString();
  const ref = `${UPLOAD_PREFIX}${id}`;
  const holding = jobHolding(
    db,
    { states: ['queued', 'running', 'cancelling', 'interrupted'], recent: { states: ['failed', 'partial', 'cancelled'], since } },
    (path) => path === ref,
  );
  return holding !== null;
}
