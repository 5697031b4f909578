/**
 * The headless host's streaming upload: how a browser puts files into the staging area for an
 * ingest job. The host's gate (Host, Origin, token) has already passed when this runs.
 *
 *   POST /uploads?name=<file name>&size=<bytes>     body: the first chunk (or the whole file)
 *   POST /uploads/<id>?offset=<bytes received>      body: the next chunk
 *
 * Bodies are `application/octet-stream` and stream to disk (never held in memory). The whole
 * declared size is checked against the per-upload quota (the ingestJobQuotaBytes setting), the data
 * directory's quota and the free-space floor before the first byte is written, and every chunk
 * again while it streams (statfs): an upload that would cross a limit is refused with the numbers
 * (507), and everything it had written is removed. Chunks keep each request short, well inside the
 * host's request timeout, whatever the file's size. The reply is `{ ok, result: UploadStatus }`;
 * once `complete`, `result.file` (`upload:<id>`) goes into an ingest job's `files`.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { join } from 'node:path';
import type { Settings, UploadStatus } from '../../shared/contract.js';
import { type ErrorCode, type SerializedError, TesseraError, toTesseraError } from '../../shared/errors.js';
import { QuotaGuard } from '../disk/quota-guard.js';
import { writeStreamed } from '../ingest/streamed-copy.js';
import { type UploadMeta, UPLOAD_PREFIX, checkUploadName, newUploadId, sweepUploads, uploadsRoot } from '../ingest/uploads.js';
import { sendJson } from './http-responses.js';

export interface UploadRouteOptions {
  dataDir: string;
  /** Read at every upload and chunk (a settings.get of the engine, which may be in another process). */
  settings: () => Settings | Promise<Settings>;
  /** Whether a job that may still run names the upload (it is kept past its age then). */
  isInUse?: (id: string) => boolean | Promise<boolean>;
  /** Incomplete uploads idle this long are removed. Default 1 hour. */
  idleMs?: number;
  /** Complete uploads no job has used are removed after this long. Default 24 hours. */
  maxAgeMs?: number;
}

const ID = /^[0-9a-f]{32}$/;
const COUNT = /^(0|[1-9]\d{0,15})$/;

/** The headless host's `uploadHandler`: answers /uploads and /uploads/<id>; false for other paths. */
export function createUploadRoute(options: UploadRouteOptions): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> {
  const busy = new Set<string>();
  const root = uploadsRoot(options.dataDir);
  return async (req, res, url) => {
    const path = url.pathname;
    if (path !== '/uploads' && !path.startsWith('/uploads/')) return false;
    // A refused body may still be arriving: close the connection rather than read it all.
    const reply = (status: number, body: { ok: true; result: UploadStatus } | { ok: false; error: SerializedError }) =>
      sendJson(res, status, body, !body.ok && !req.complete ? { Connection: 'close' } : {});
    let id: string | null = null;
    try {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new HttpError(405, 'BAD_INPUT', 'Uploads are POSTed.');
      }
      if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/octet-stream')
        throw new HttpError(415, 'BAD_INPUT', 'Content-Type must be application/octet-stream.');
      const length = contentLength(req);
      if (path === '/uploads') {
        const name = checkUploadName(url.searchParams.get('name') ?? '');
        const size = count(url.searchParams.get('size'), 'size');
        if (size === 0) throw new HttpError(400, 'BAD_INPUT', `${name} is empty (0 bytes); there is nothing to ingest in it`);
        if (length > size) throw new HttpError(400, 'BAD_INPUT', `the body (${length} bytes) is longer than the file's size (${size})`);
        await sweepUploads(options.dataDir, {
          idleMs: options.idleMs ?? 3600_000,
          maxAgeMs: options.maxAgeMs ?? 24 * 3600_000,
          keep: options.isInUse ?? (() => false),
        });
        id = newUploadId();
        const meta: UploadMeta = { id, name, size, createdAt: new Date().toISOString() };
        const guard = await guardFor(options, 0);
        // The whole file must fit before its first byte is written.
        await guard.admit(name, size);
        busy.add(id);
        await mkdir(join(root, id), { recursive: true });
        await writeFile(join(root, id, 'upload.json'), JSON.stringify(meta));
        reply(200, { ok: true, result: await receive(req, meta, 0, length, guard) });
        return true;
      }
      const candidate = path.slice('/uploads/'.length);
      if (!ID.test(candidate)) throw new HttpError(404, 'NOT_FOUND', 'No such upload.', { upload: candidate.slice(0, 100) });
      const meta = await readMeta(root, candidate);
      if (busy.has(candidate))
        throw new HttpError(409, 'ILLEGAL_TRANSITION', `upload ${candidate} is receiving another chunk; send chunks one after the other`);
      id = candidate;
      busy.add(id);
      const received = await receivedBytes(root, meta);
      const offset = count(url.searchParams.get('offset'), 'offset');
      if (offset !== received)
        throw new HttpError(409, 'ILLEGAL_TRANSITION', `upload ${id} has ${received} bytes; a chunk at offset ${offset} does not follow on`, { received });
      if (received + length > meta.size) throw new HttpError(400, 'BAD_INPUT', `the chunk would take ${meta.name} past its ${meta.size} bytes`);
      const guard = await guardFor(options, received);
      await guard.admit(meta.name, length);
      reply(200, { ok: true, result: await receive(req, meta, received, length, guard) });
      return true;
    } catch (error) {
      const failure = error instanceof HttpError ? error : outward(error, options.dataDir);
      // Past the first byte, a refused upload goes whole: nothing partial stays behind.
      if (id !== null && !(error instanceof HttpError && error.keepUpload)) await rm(join(root, id), { recursive: true, force: true }).catch(() => {});
      reply(error instanceof HttpError ? error.status : statusFor(failure.code), { ok: false, error: failure.toJSON() });
      return true;
    } finally {
      if (id !== null) busy.delete(id);
    }
  };

  /** Streams the body onto the upload's `.part` file; renames it once the last byte is in. */
  async function receive(req: http.IncomingMessage, meta: UploadMeta, received: number, length: number, guard: QuotaGuard): Promise<UploadStatus> {
    const dir = join(root, meta.id);
    const part = join(dir, `${meta.name}.part`);
    const written = length === 0 ? 0 : await writeStreamed(req, part, { guard, label: meta.name, expectedBytes: length, append: true });
    if (written < length) throw new TesseraError('BAD_INPUT', `${meta.name}: the body ended after ${written} of ${length} bytes`);
    const total = received + written;
    const complete = total === meta.size;
    if (complete) await rename(part, join(dir, meta.name));
    return { id: meta.id, file: `${UPLOAD_PREFIX}${meta.id}`, name: meta.name, size: meta.size, received: total, complete };
  }
}

async function guardFor(options: UploadRouteOptions, received: number): Promise<QuotaGuard> {
  const settings = await options.settings();
  return new QuotaGuard(
    { jobLimit: settings.ingestJobQuotaBytes, globalLimit: settings.cacheQuotaBytes, floorBytes: settings.freeSpaceFloorBytes },
    { dataDir: options.dataDir, volumePath: options.dataDir, alreadyUsed: received },
  );
}

async function readMeta(root: string, id: string): Promise<UploadMeta> {
  try {
    return JSON.parse(await readFile(join(root, id, 'upload.json'), 'utf8')) as UploadMeta;
  } catch {
    throw new HttpError(404, 'NOT_FOUND', `no upload ${id} (never made, refused, or expired)`, { upload: id });
  }
}

async function receivedBytes(root: string, meta: UploadMeta): Promise<number> {
  const dir = join(root, meta.id);
  const done = await stat(join(dir, meta.name)).catch(() => null);
  if (done) throw new HttpError(409, 'ILLEGAL_TRANSITION', `upload ${meta.id} (${meta.name}) is already complete`, { received: done.size });
  return (await stat(join(dir, `${meta.name}.part`)).catch(() => null))?.size ?? 0;
}

function contentLength(req: http.IncomingMessage): number {
  const header = req.headers['content-length'];
  if (header === undefined) throw new HttpError(411, 'BAD_INPUT', 'Content-Length is required (send the file in chunks of known length).');
  return count(header, 'Content-Length');
}

function count(value: string | null | undefined, field: string): number {
  if (value == null || !COUNT.test(value)) throw new HttpError(400, 'BAD_INPUT', `${field} must be a whole number of bytes`);
  return Number(value);
}

/**
 * What a failure tells the client: never a path inside the server (the data directory's folders,
 * the staging area). A name the file system refuses as too long is the client's input (BAD_INPUT,
 * field `name`); other system errors keep their errno and lose their path.
 */
function outward(error: unknown, dataDir: string): TesseraError {
  const errno = (error as { code?: unknown } | null)?.code;
  if (errno === 'ENAMETOOLONG') {
    const message = 'the file name is longer than the file system allows';
    return new TesseraError('BAD_INPUT', `name: ${message}`, { details: { issues: [{ field: 'name', message }] } });
  }
  const failure = toTesseraError(error);
  const internal =
    failure.message.includes(dataDir) || (error instanceof Error && !(error instanceof TesseraError) && typeof (error as { path?: unknown }).path === 'string');
  if (!internal) return failure;
  const reason = typeof errno === 'string' ? ` (${errno})` : '';
  return new TesseraError(failure.code, `the upload could not be stored in the staging area${reason}`, {
    details: typeof errno === 'string' ? { errno } : undefined,
    transient: failure.transient,
  });
}

function statusFor(code: ErrorCode): number {
  switch (code) {
    case 'BAD_INPUT':
    case 'DATASET_UNREADABLE':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'ILLEGAL_TRANSITION':
      return 409;
    case 'QUOTA_EXCEEDED':
    case 'DISK_FULL':
      return 507;
    default:
      return 500;
  }
}

/** A refusal with its HTTP status. `keepUpload`: the upload itself is fine (a chunk was out of order). */
class HttpError extends TesseraError {
  readonly keepUpload: boolean;
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.keepUpload = status === 409 || status === 404;
  }
}
