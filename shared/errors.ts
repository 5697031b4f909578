/**
 * Errors that cross a boundary (worker → engine → host → renderer) as `{ code, message, details }`.
 *
 * Callers tell errors apart by `code`, never by message text. `transient` marks the failures that
 * a retry may cure (I/O hiccups, timeouts, HTTP 429/5xx); everything else fails its item at once.
 */

/** Every code the engine, the hosts and the workers may send. */
export const ERROR_CODES = [
  'BAD_INPUT',
  'UNKNOWN_REQUEST',
  'NOT_FOUND',
  'ILLEGAL_TRANSITION',
  /** The thing to create exists already (a STAC collection or item POSTed twice). */
  'CONFLICT',
  'BAD_CURSOR',
  'DATA_DIR_LOCKED',
  'STORE_UNAVAILABLE',
  'QUEUE_FULL',
  'ABORTED',
  'NO_ITEMS',
  'CACHE_UNREADABLE',
  'TILE_CORRUPT',
  'QUOTA_EXCEEDED',
  'DISK_FULL',
  'DATASET_UNREADABLE',
  'NO_GEOREFERENCE',
  'OUTSIDE_EXTENT',
  'TILE_TOO_LARGE',
  'WRITE_FAILED',
  'WORKER_CRASHED',
  'WORKER_OUT_OF_MEMORY',
  'IO_ERROR',
  'TIMEOUT',
  'HTTP_429',
  'HTTP_5XX',
  'UNAUTHORIZED',
  'FORBIDDEN',
  /** The engine process exited and is being restarted (main/engine-process/): try again shortly. */
  'ENGINE_RESTARTING',
  /** The engine process is not running and will not be restarted (it crashed too often, or Tessera is quitting). */
  'ENGINE_STOPPED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire form of an error. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** Codes that are worth a retry unless the error says otherwise. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['IO_ERROR', 'WRITE_FAILED', 'TIMEOUT', 'HTTP_429', 'HTTP_5XX', 'WORKER_CRASHED', 'ENGINE_RESTARTING']);

/** An error with a stable code, safe to send across any boundary. */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown; transient?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.details = options.details;
    this.transient = options.transient ?? TRANSIENT_CODES.has(code);
  }

  toJSON(): SerializedError {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: this.details };
  }
}

/** Raised where a signal was aborted; cancellation is a value, not a flag to poll after the fact. */
export class AbortError extends TesseraError {
  constructor(message = 'The operation was cancelled') {
    super('ABORTED', message);
    this.name = 'AbortError';
  }
}

/** True for our AbortError and for the DOMException-style errors that AbortSignal and libraries raise. */
export function isAbortError(error: unknown): boolean {
  if (error instanceof TesseraError) return error.code === 'ABORTED';
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown };
  return e.name === 'AbortError' || e.code === 'ABORT_ERR' || e.name === 'TaskCancelledError';
}

/** Throws an AbortError if the signal has fired. */
export function throwIfAborted(signal: { readonly aborted: boolean } | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

/** A full volume: DISK_FULL, or any error whose errno says so (a writer's WRITE_FAILED with ENOSPC). */
export function isDiskFull(error: unknown): boolean {
  const e = toTesseraError(error);
  if (e.code === 'DISK_FULL') return true;
  const errno = (e.details as { errno?: unknown } | undefined)?.errno;
  return errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'SQLITE_FULL';
}

/**
 * BAD_INPUT about one field of a request, in the shape every refusal of input has: the field and
 * what is wrong with it in `details.issues` (what forms mark and the CLI names as an option).
 */
export function badInputAt(field: string, message: string, details: Record<string, unknown> = {}): TesseraError {
  // The message names the field, as every refusal does ("directory: /srv/x holds other files").
  const named = message.includes(field) ? message : `${field}: ${message}`;
  return new TesseraError('BAD_INPUT', named, { details: { ...details, issues: [{ field, message }] } });
}

/** Node system error codes that mean "try again later" rather than "this input is bad". */
const TRANSIENT_ERRNO = new Set([
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EIO',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/**
 * Turns anything thrown into a TesseraError, keeping the code when there is one.
 * Unknown errors become INTERNAL (not transient), system errors IO_ERROR with their errno.
 */
export function toTesseraError(error: unknown, fallback: ErrorCode = 'INTERNAL'): TesseraError {
  if (error instanceof TesseraError) return error;
  if (isAbortError(error)) return new AbortError();
  if (isSerializedError(error)) return fromSerialized(error);
  if (error instanceof Error) {
    const errno = (error as NodeLikeError).code;
    // A full volume, whoever hit it (a tile write's ENOSPC, the store's SQLITE_FULL): the job waits
    // for space and tries again, so it is transient; callers that cannot wait fail with it.
    if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'SQLITE_FULL') {
      return new TesseraError('DISK_FULL', withErrno(errno, error.message), { cause: error, transient: true, details: { errno } });
    }
    // SQLite's I/O errors (SQLITE_IOERR_WRITE, _FSYNC, …) are the disk's hiccups, as EIO is.
    if (typeof errno === 'string' && errno.startsWith('SQLITE_IOERR')) {
      return new TesseraError('IO_ERROR', withErrno(errno, error.message), { cause: error, details: { errno } });
    }
    if (errno === 'SQLITE_CORRUPT' || errno === 'SQLITE_NOTADB' || errno === 'SQLITE_READONLY' || errno === 'SQLITE_CANTOPEN') {
      return new TesseraError('IO_ERROR', withErrno(errno, error.message), { cause: error, transient: false, details: { errno } });
    }
    if (typeof errno === 'string' && TRANSIENT_ERRNO.has(errno)) {
      return new TesseraError('IO_ERROR', withErrno(errno, error.message), { cause: error, details: { errno } });
    }
    if (errno === 'ENOENT' || errno === 'EACCES' || errno === 'EISDIR' || errno === 'ENOTDIR') {
      return new TesseraError('IO_ERROR', error.message, { cause: error, transient: false, details: { errno } });
    }
    return new TesseraError(fallback, error.message, { cause: error });
  }
  return new TesseraError(fallback, String(error));
}

/** A system error's message led by its errno, once (Node's own messages already start with it). */
function withErrno(errno: string, message: string): string {
  return message.startsWith(errno) ? message : `${errno}: ${message}`;
}

interface NodeLikeError extends Error {
  code?: unknown;
}

/** The wire form of anything thrown. */
export function serializeError(error: unknown): SerializedError {
  return toTesseraError(error).toJSON();
}

/** Rebuilds a TesseraError from its wire form (an unknown code becomes INTERNAL). */
export function fromSerialized(wire: SerializedError & { transient?: boolean }): TesseraError {
  const code = (ERROR_CODES as readonly string[]).includes(wire.code) ? wire.code : 'INTERNAL';
  return new TesseraError(code, wire.message, { details: wire.details, transient: wire.transient });
}

function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}
