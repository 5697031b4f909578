/**
 * Whether a preseed may write its tiles at `output`, checked before the job is accepted, so that a
 * bad output is one BAD_INPUT line (exit 2 in the CLI, 400 over HTTP) and not a job that fails
 * later, or an "estimate" that reports a pseudo file system as a full disk (statfs of /proc is 0).
 * Shared by the raster and vector preseeds.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { TesseraError } from '../../shared/errors.js';
import { writerKindFor } from '../tile-cache/tile-writer.js';
import { fsReason } from './fs-reason.js';

const SQLITE_HEADER = 'SQLite format 3\0';
const PMTILES_MAGIC = 'PMTiles';

/** GDAL paths that are not files on disk: /vsi… virtual file systems and DRIVER:… connection strings. */
export function isGdalVirtualPath(path: string): boolean {
  return path.startsWith('/vsi') || /^[A-Za-z][A-Za-z0-9_]+:/.test(path);
}

/**
 * Why tiles cannot be written at `output`, or null. An existing output must be what its name says
 * (an MBTiles is SQLite, a PMTiles starts with its magic, a tile directory is a folder); its folder
 * nearest existing folder must take a new file.
 */
export async function checkOutputPath(output: string): Promise<string | null> {
  const kind = writerKindFor(output);
  const full = resolve(output);
  const existing = await stat(full).catch(() => null);
  if (existing) {
    if (kind === 'directory' && !existing.isDirectory())
      return `${output} exists and is not a directory (a tile directory was asked for; use .mbtiles or .pmtiles for a file)`;
    if (kind !== 'directory' && !existing.isFile()) return `${output} is ${existing.isDirectory() ? 'a directory' : 'not a regular file'}, not a ${kind} file`;
    if (kind !== 'directory' && existing.size > 0) {
      const magic = kind === 'mbtiles' ? SQLITE_HEADER : PMTILES_MAGIC;
      const head = await readHead(full, magic.length);
      if (head === null) return `${output} exists and cannot be read`;
      if (head !== magic)
        return `${output} exists and is not ${kind === 'mbtiles' ? 'an MBTiles file (not SQLite)' : 'a PMTiles archive'}; refusing to overwrite it`;
    }
  }
  // The folder that must exist: the output's own folder, or a tile directory's parent.
  const folder = kind === 'directory' && existing ? full : dirname(full);
  let nearest = folder;
  for (;;) {
    const s = await stat(nearest).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? null : error));
    if (s instanceof Error) return `${nearest} cannot be read (${fsReason(s)})`;
    if (s !== null) {
      if (!s.isDirectory()) return `${nearest} is a file, not a folder`;
      break;
    }
    const parent = dirname(nearest);
    if (parent === nearest) return `no existing folder above ${output}`;
    nearest = parent;
  }
  // Missing folders are made, as gdal2tiles and tippecanoe do for a terminal user. Where another
  // user drives the engine (serve --host, data roots set), the path policy has already kept the
  // output inside a data root before this runs (engine.start → assertPaths).
  return canCreateFileIn(nearest);
}

/** Makes and removes an empty file in `folder`: the only check that holds for read-only mounts, /proc and ACLs. */
async function canCreateFileIn(folder: string): Promise<string | null> {
  const probe = join(folder, `.tessera-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (error) {
    return `cannot create files in ${folder} (${fsReason(error)})`;
  }
  await rm(probe, { force: true });
  return null;
}

async function readHead(path: string, bytes: number): Promise<string | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/** Whether something exists at `path` (a file or folder). */
export async function pathExists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** Throws BAD_INPUT naming params.output when tiles cannot be written there (a dry run asks this first). */
export async function assertOutputPath(output: string): Promise<void> {
  const problem = await checkOutputPath(output);
  if (problem) throw new TesseraError('BAD_INPUT', `params.output: ${problem}`, { details: { issues: [{ field: 'params.output', message: problem }] } });
}
