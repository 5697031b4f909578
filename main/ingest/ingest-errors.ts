/**
 * The errors an ingest item fails with. Each carries a stable `details.reason` next to its code, so
 * the console, the CLI and the tests tell a zip bomb from a zip-slip entry without reading prose.
 */
import { TesseraError, toTesseraError } from '../../preload/errors.js';

/** Why a file was refused or could not be read. */
export type RefusalReason =
  | 'empty'
  | 'not-a-file'
  | 'unreadable'
  | 'not-an-archive'
  | 'path-traversal'
  | 'absolute-path'
  | 'symlink'
  | 'encrypted'
  | 'duplicate-entry'
  | 'too-many-entries'
  | 'too-large'
  | 'compression-ratio'
  | 'nested-archive'
  | 'no-data'
  | 'no-crs'
  | 'layer-missing';

/** A file the ingest refuses or cannot read: DATASET_UNREADABLE with the reason in details. */
export function refused(reason: RefusalReason, message: string, details: Record<string, unknown> = {}): TesseraError {
  return new TesseraError(reason === 'no-crs' ? 'NO_GEOREFERENCE' : 'DATASET_UNREADABLE', message, { details: { reason, ...details } });
}

/** The refusal reason of an error made by `refused`, if it is one. */
export function reasonOf(error: unknown): RefusalReason | undefined {
  const details = toTesseraError(error).details as { reason?: RefusalReason } | undefined;
  return details?.reason;
}

/**
 * A GDAL (or file system) failure as the item's error. GDAL reports a full disk as a write error
 * ("No space left on device", SQLite's "database or disk is full"); that becomes DISK_FULL, which is
 * not retried. Everything else GDAL says is DATASET_UNREADABLE with GDAL's own words.
 */
export function fromGdal(error: unknown, what: string): TesseraError {
  if (error instanceof TesseraError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const errno = (error as { code?: unknown }).code;
  if (errno === 'ENOSPC' || /no space left|disk is full|disk full/i.test(message)) {
    return new TesseraError('DISK_FULL', `${what}: the disk filled up while writing (${message})`, { cause: error, details: { reason: 'disk-full' } });
  }
  if (errno === 'EDQUOT') return new TesseraError('QUOTA_EXCEEDED', `${what}: the file system's quota is used up (${message})`, { cause: error });
  if (typeof errno === 'string') return toTesseraError(error);
  return new TesseraError('DATASET_UNREADABLE', `${what}: ${message}`, { cause: error, details: { reason: 'unreadable' } });
}
