/**
 * Turns a failure to read a tile cache into a coded error that names the cache.
 *
 * The engine retries IO_ERROR (a busy or flaky disk) and fails the job at once on CACHE_UNREADABLE
 * (the file is not what it claims to be), so the split matters more than the wording.
 */
import { TesseraError } from '../../shared/errors.js';

/** errno / SQLite codes that a later attempt may not hit again. */
const TRANSIENT = /^(EAGAIN|EBUSY|EMFILE|ENFILE|EIO|ETIMEDOUT|SQLITE_BUSY|SQLITE_LOCKED|SQLITE_IOERR|SQLITE_NOMEM)/;

/** A failure's message, and its errno or SQLite code when it has one (readers' and writers' errors alike). */
export function describeCause(cause: unknown): { message: string; errno: string | undefined } {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  return { message, errno: typeof code === 'string' ? code : undefined };
}

/** `what` says what could not be done ("cannot read tiles"), `path` which cache it was. */
export function cacheError(path: string, what: string, cause: unknown): TesseraError {
  if (cause instanceof TesseraError) return cause;
  const { message, errno } = describeCause(cause);
  if (errno !== undefined && TRANSIENT.test(errno)) {
    return new TesseraError('IO_ERROR', `${what}: ${path}: ${message}`, { cause, details: { path, errno } });
  }
  return new TesseraError('CACHE_UNREADABLE', `${what}: ${path} (${message})`, { cause, details: { path, errno } });
}
