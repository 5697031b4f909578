/**
 * The errors an ingest item fails with. Each carries a stable `details.reason` next to its code, so
 * the console, the CLI and the tests tell a zip bomb from a zip-slip entry without reading prose.
 */
import { posix } from 'node:path';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { missingPartsText } from '../gdal/shapefile-parts.js';

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
  | 'layer-missing'
  | 'missing-parts'
  | 'unrecognised-format'
  | 'tar-archive';

/** A file the ingest refuses or cannot read: DATASET_UNREADABLE with the reason in details. */
export function refused(reason: RefusalReason, message: string, details: Record<string, unknown> = {}): TesseraError {
  return new TesseraError(reason === 'no-crs' ? 'NO_GEOREFERENCE' : 'DATASET_UNREADABLE', message, { details: { reason, ...details } });
}

/** The refusal reason of an error made by `refused`, if it is one. */
export function reasonOf(error: unknown): RefusalReason | undefined {
  const details = toTesseraError(error).details as { reason?: RefusalReason } | undefined;
  return details?.reason;
}

/** What the ingest reads, in a line an operator can act on. */
export const ACCEPTED_FORMATS =
  'GeoPackage, Shapefile (.shp with its .shx and .dbf), GeoJSON, CSV with coordinates, KML/KMZ, GML, GPX, FlatGeobuf, or a raster such as GeoTIFF; also a .zip of them or a .gz of one file';

/** What a layer or raster without a CRS asks of the operator in the console ("Retry with CRS…"). */
export const CRS_ADVICE = 'give its CRS (e.g. EPSG:27700) and retry';
/** The same advice as the CLI says it (job-summary swaps it in). */
export const CRS_ADVICE_CLI = 'run the ingest again with its CRS, e.g. --crs EPSG:27700';

/** A source without a CRS: NO_GEOREFERENCE, `why` as the operator reads it, then what to do. */
export function noCrs(what: string, why: string, details: Record<string, unknown> = {}): TesseraError {
  return refused('no-crs', `${what}: ${why}; ${CRS_ADVICE}`, details);
}

/**
 * A path as the operator knows it: a staged copy (`<dataDir>/staging/job-7/u0/x/data/a.shp`), an
 * upload (`<dataDir>/staging/uploads/<id>/a.shp`) or a GDAL virtual path into an archive
 * (`/vsizip/{…/a.zip}/data/a.shp`) becomes the file's own name (`a.shp`).
 */
function ownName(path: string): string {
  let p = path.replace(/^\/vsi(?:zip|gzip|tar)\//, '');
  const inner = /^\{(.*)\}\/(.+)$/.exec(p);
  if (inner) p = inner[2]!;
  return posix.basename(p.replace(/[}]+$/, '')) || path;
}

const STAGING_PATH = /(?:\/vsi(?:zip|gzip|tar)\/\{?)?(?:\/[^\s`'"/]+)*\/staging\/(?:job-\d+\/u\d+|uploads\/[^\s`'"/]+)\/[^\s`'"]+/g;

/**
 * GDAL's text as the operator may read it: staging paths (and `known` paths) replaced by the file's
 * own name, GDAL's `quote' as "quote".
 */
export function operatorText(raw: string, known: Readonly<Record<string, string>> = {}): string {
  let text = raw.trim();
  for (const [path, name] of Object.entries(known).sort(([a], [b]) => b.length - a.length)) if (path) text = text.split(path).join(name);
  text = text.replace(/`([^`'\n]*)'/g, (_m, inside: string) => `"${STAGING_PATH.test(inside) || inside.startsWith('/') ? ownName(inside) : inside}"`);
  STAGING_PATH.lastIndex = 0;
  return text.replace(STAGING_PATH, (path) => ownName(path));
}

/** How a Shapefile's missing mandatory parts are said: "its .shx and .dbf are missing; add them…". */
export function missingParts(what: string, missing: readonly string[]): TesseraError {
  return refused('missing-parts', `${what}: ${missingPartsText(missing, '(or a .zip of the set)')}`, { missing: missing.map((m) => `.${m}`) });
}

/**
 * A GDAL (or file system) failure as the item's error, written for the operator: `what` (the file,
 * and the layer) named once in front, no staging paths, no GDAL quoting; GDAL's own text kept in
 * `details.gdal`. GDAL reports a full disk as a write error ("No space left on device", SQLite's
 * "database or disk is full"); that becomes DISK_FULL, which is not retried. A file GDAL does not
 * recognise says which formats are read; everything else is DATASET_UNREADABLE with GDAL's words.
 * `opening` says the failure came from opening the file (GDAL cannot open it).
 */
export function fromGdal(error: unknown, what: string, options: { opening?: boolean; known?: Readonly<Record<string, string>> } = {}): TesseraError {
  if (error instanceof TesseraError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = operatorText(raw, options.known);
  const errno = (error as { code?: unknown }).code;
  if (errno === 'ENOSPC' || /no space left|disk is full|disk full/i.test(raw)) {
    return new TesseraError('DISK_FULL', `${what}: the disk filled up while writing (${message})`, {
      cause: error,
      details: { reason: 'disk-full', gdal: raw },
    });
  }
  if (errno === 'EDQUOT')
    return new TesseraError('QUOTA_EXCEEDED', `${what}: the file system's quota is used up (${message})`, { cause: error, details: { gdal: raw } });
  if (typeof errno === 'string' && errno.startsWith('Z_'))
    return refused('unreadable', `${what}: not a readable gzip file (corrupt or cut short)`, { gdal: raw });
  if (typeof errno === 'string') return toTesseraError(error);
  if (/not recogni[sz]ed as a supported file format|not recogni[sz]ed as being in a supported file format/i.test(raw)) {
    return refused('unrecognised-format', `${what}: not a format Tessera reads. Accepted: ${ACCEPTED_FORMATS}`, { gdal: raw });
  }
  const shx = /Unable to open (\S+?)\.shx\b/i.exec(raw);
  if (shx)
    return new TesseraError('DATASET_UNREADABLE', `${what}: its .shx is missing; add it (or a .zip of the set)`, {
      cause: error,
      details: { reason: 'missing-parts', missing: ['.shx'], gdal: raw },
    });
  return new TesseraError('DATASET_UNREADABLE', `${what}: ${options.opening ? 'GDAL cannot open it: ' : ''}${message}`, {
    cause: error,
    details: { reason: 'unreadable', gdal: raw },
  });
}
