/**
 * The path GDAL opens for a preseed's dataset or source given as a compressed file: a `.gz` of any
 * single-file format through /vsigzip/, a `.zip` holding one dataset (a GeoTIFF, a GeoJSON, a
 * Shapefile with its side files…) through /vsizip/. Ingest unpacks such files into staging; a
 * preseed reads them where they are, so they get the same archive checks first (the ZIP's
 * directory: names, links, entry count, sizes and ratios; the gzip's whole stream inflated once
 * without being written, a bomb's ratio refused), from main/ingest/zip-archive.ts and gzip-file.ts.
 *
 * Anything else (a plain file, a GDAL virtual path given exactly, a connection string) is opened
 * as given. A check is remembered for the file's size and modification time: a vector preseed
 * opens its sources once per partition, and a gzip is inflated once, not each time.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TesseraError } from '../../shared/errors.js';
import { innerName, inspectGzip, isGzipName, isTarName, tarRefusal } from '../ingest/gzip-file.js';
import { extensionOf, groupInputs, isArchive, isSidecar } from '../ingest/inputs.js';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS, inspectZip, vsizipPath } from '../ingest/zip-archive.js';
import { isGdalVirtualPath } from '../paths/output-path.js';

const checked = new Map<string, { stamp: string; gdalPath: string }>();

/**
 * Where GDAL opens `path`: itself, or its content through /vsigzip/ or /vsizip/ once the archive
 * checks passed. Throws DATASET_UNREADABLE naming the file when an archive fails a check, holds no
 * dataset or more than one (the message says how to name one).
 */
export async function gdalSourcePath(path: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<string> {
  if (isGdalVirtualPath(path)) return path;
  const name = basename(path);
  const gz = isGzipName(name);
  const zip = !gz && isArchive(name, null);
  if (!gz && !zip && !isTarName(name)) return path;
  const info = await stat(path).catch(() => null);
  // Missing: GDAL's own refusal names it as for any other file.
  if (!info?.isFile()) return path;
  const stamp = `${info.size}:${info.mtimeMs}`;
  const known = checked.get(path);
  if (known?.stamp === stamp) return known.gdalPath;
  const gdalPath = await check(path, name, gz, limits);
  checked.set(path, { stamp, gdalPath });
  return gdalPath;
}

async function check(path: string, name: string, gz: boolean, limits: ArchiveLimits): Promise<string> {
  if (isTarName(name)) throw tarRefusal(name);
  if (gz) {
    if (isArchive(innerName(name), null)) throw unreadable(path, `${name} is a compressed ZIP; give the .zip itself`);
    await inspectGzip(path, name, limits);
    return `/vsigzip/${path}`;
  }
  const entries = (await inspectZip(path, name, limits)).filter((e) => !e.directory && !/(^|\/)(__MACOSX\/|\.)/.test(e.name));
  // Grouped as the ingest groups dropped files: a Shapefile's .shx/.dbf/.prj travel with its .shp.
  const units = groupInputs(entries.map((e) => ({ ref: e.name, path: e.name, name: basename(e.name), folder: e.name.split('/').slice(0, -1).join('/') })));
  const datasets = units.filter((u) => !(u.files.length === 1 && isSidecar(u.name)) && !isGzipName(u.name) && extensionOf(u.name) !== 'zip');
  if (datasets.length === 1) return vsizipPath(path, datasets[0]!.files[0]!.ref);
  if (datasets.length === 0) throw unreadable(path, `${name} holds no file a preseed can read (${entries.length} entries)`);
  const names = datasets.map((d) => d.files[0]!.ref);
  throw unreadable(
    path,
    `${name} holds ${datasets.length} datasets (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); name one as /vsizip/${path}/${names[0]} or ingest the archive`,
  );
}

function unreadable(path: string, message: string): TesseraError {
  return new TesseraError('DATASET_UNREADABLE', `${path}: ${message}`, { details: { path, reason: 'archive-content' } });
}
