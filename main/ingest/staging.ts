/**
 * A unit's files in the data directory's staging area, and the datasets found in them.
 *
 * Plan time looks at the sources where they are (archives through GDAL's /vsizip/, after their
 * central directory passed the checks); run time copies them into `<dataDir>/staging/job-<id>/u<n>/`
 * under the job's QuotaGuard (or hard-links them, when they are on the data directory's volume), unpacks archives into `x/` (nested archives one level deep, into
 * `<archive>.d/`), and finds the datasets again in the copy. Inside an archive, files GDAL cannot
 * read (a README, a licence) are skipped and listed; a unit with nothing readable fails.
 */
import { link, mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import gdal from 'gdal-async';
import { throwIfAborted } from '../../shared/errors.js';
import { fromGdal, refused } from './ingest-errors.js';
import { type InputFile, groupInputs, isArchive, isSidecar, isZipFormat, localFile, stemOf } from './inputs.js';
import { type FoundDataset, datasetsOfStaged, findDatasets } from './inspect.js';
import { gunzipStreamed, innerName, inspectGzip, isGzipName, isTarName, tarRefusal } from './gzip-file.js';
import type { QuotaGuard } from '../disk/quota-guard.js';
import { copyFileStreamed } from './streamed-copy.js';
import { isUploadRef } from './uploads.js';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS, extractZip, inspectZip, vsizipPath } from './zip-archive.js';

/** A unit as the plan records it in its items: enough to stage it again on any retry. */
export interface PlannedUnit {
  index: number;
  name: string;
  archive: boolean;
  files: { ref: string; path: string; name: string }[];
  bytes: number;
}

export interface Discovery {
  datasets: FoundDataset[];
  /** Files inside an archive that hold no geodata GDAL reads, with why. */
  skipped: { file: string; reason: string }[];
}

export interface StagedUnit extends Discovery {
  dir: string;
  /** Bytes written into the staging area for it. */
  bytes: number;
}

/** The folder a unit is staged in. */
export function unitDir(stagingDir: string, unit: number): string {
  return join(stagingDir, `u${unit}`);
}

/**
 * The files as given plus the side files that sit beside each local main file (same folder, same
 * stem whatever its case: `X.shp` brings `X.shx`, `x.dbf`, `X.PRJ`, `X.shp.xml`…), so that
 * `tessera ingest X.shp` stages what GDAL reads beside it. Uploads are taken as they are (their side
 * files are uploaded, or not, by the user). A folder that cannot be listed adds nothing.
 */
export async function withSidecarsBeside(files: readonly InputFile[]): Promise<InputFile[]> {
  const out = [...files];
  const given = new Set(files.map((f) => f.path));
  const listings = new Map<string, Promise<string[]>>();
  for (const file of files) {
    if (file.folder === 'uploads' || isUploadRef(file.ref) || isSidecar(file.name)) continue;
    let listing = listings.get(file.folder);
    if (!listing) {
      listing = readdir(file.folder).catch(() => [] as string[]);
      listings.set(file.folder, listing);
    }
    const stem = stemOf(file.name);
    for (const name of (await listing).sort()) {
      const path = join(file.folder, name);
      if (given.has(path) || !isSidecar(name) || stemOf(name) !== stem) continue;
      if (!(await stat(path).catch(() => null))?.isFile()) continue;
      given.add(path);
      out.push(localFile(path));
    }
  }
  return out;
}

/** Reads a file's first bytes (to tell archives by content, whatever their names say). */
export async function headOf(path: string): Promise<Uint8Array | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/**
 * Finds the datasets among `files` (relative names and where GDAL opens them), grouped as dropped
 * files are. With `skipUnreadable`, files GDAL cannot read are skipped (inside archives).
 */
export async function discoverFiles(files: readonly { rel: string; gdalPath: string }[], label: string, skipUnreadable: boolean): Promise<Discovery> {
  const byPath = new Map(files.map((f) => [f.gdalPath, f]));
  const inputs: InputFile[] = files.map((f) => ({ ref: f.rel, path: f.gdalPath, name: posix.basename(f.rel), folder: posix.dirname(f.rel) }));
  const discovery: Discovery = { datasets: [], skipped: [] };
  for (const unit of groupInputs(inputs)) {
    const main = byPath.get(unit.files[0]!.path)!;
    try {
      discovery.datasets.push(...(await findDatasets(main.gdalPath, main.rel, `${label} › ${main.rel.replace(/^x\//, '')}`)));
    } catch (error) {
      if (!skipUnreadable) throw error;
      discovery.skipped.push({ file: main.rel.replace(/^x\//, ''), reason: (error as Error).message });
    }
  }
  return discovery;
}

/**
 * The datasets of a unit, looked at where its files are now (plan time). An archive is checked
 * (names, links, sizes, ratios) before GDAL looks inside it.
 */
export async function discoverInPlace(unit: PlannedUnit, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<Discovery> {
  const main = unit.files[0]!;
  if (isTarName(main.name)) throw tarRefusal(unit.name);
  if (!unit.archive && isGzipName(main.name)) {
    // Inflated once to its end first: GDAL then reads what is known to be no bomb.
    await inspectGzip(main.path, unit.name, limits);
    const inner = innerName(main.name);
    const datasets = await findDatasets(`/vsigzip/${main.path}`, inner, unit.name);
    // GDAL names a single-layer file's layer after the file ("small.geojson" for small.geojson.gz);
    // the staged, inflated copy's layer is named after the inner file ("small").
    const gzStem = posix.basename(main.path).replace(/\.[^.]*$/, '');
    for (const d of datasets) d.layers = d.layers.map((l) => (l.name === gzStem && gzStem !== d.name ? { ...l, name: d.name } : l));
    return { datasets, skipped: [] };
  }
  if (!unit.archive) {
    const together = unit.files.every((f) => posix.dirname(f.path) === posix.dirname(main.path) && f.name === posix.basename(f.path));
    // Side files uploaded one by one sit in different folders: a Shapefile's single layer is its stem.
    if (!together && /\.shp$/i.test(main.name)) {
      return {
        datasets: [{ kind: 'vector', relPath: main.name, name: main.name.slice(0, -4), layers: [{ name: main.name.slice(0, -4), features: -1 }] }],
        skipped: [],
      };
    }
    if (isZipFormat(main.name)) await inspectZip(main.path, unit.name, limits);
    // A unit that is one file: what is found is kept for its staging and import (planned-sources.ts).
    return { datasets: await findDatasets(main.path, main.name, unit.name, unit.files.length === 1), skipped: [] };
  }
  const entries = await inspectZip(main.path, unit.name, limits);
  const files: { rel: string; gdalPath: string }[] = [];
  for (const entry of entries) {
    if (entry.directory) continue;
    const gdalPath = vsizipPath(main.path, entry.name);
    if (isArchive(entry.name, null)) {
      for (const inner of await listVsiFiles(`/vsizip/{${gdalPath}}`)) files.push({ rel: `x/${entry.name}.d/${inner}`, gdalPath: vsizipPath(gdalPath, inner) });
    } else files.push({ rel: `x/${entry.name}`, gdalPath });
  }
  return discoverFiles(files, unit.name, true);
}

/** Every file below a GDAL virtual folder, as relative names. */
async function listVsiFiles(root: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let names: string[];
  try {
    names = await gdal.fs.readDirAsync(prefix === '' ? root : `${root}/${prefix}`);
  } catch {
    return out;
  }
  for (const name of names) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const info = await gdal.fs.statAsync(`${root}/${rel}`).catch(() => null);
    if (info && (info.mode & 0o170000) === 0o040000) out.push(...(await listVsiFiles(root, rel)));
    else out.push(rel);
  }
  return out;
}

export interface StageOptions {
  guard: QuotaGuard;
  signal?: AbortSignal;
  onBytes?(bytes: number): void;
  limits?: ArchiveLimits;
}

/**
 * Copies a unit into `dir` (emptied first), unpacks it when it is an archive, and finds its
 * datasets in the copy. On failure `dir` is removed: nothing partial stays behind.
 */
export async function stageUnit(unit: PlannedUnit, dir: string, options: StageOptions): Promise<StagedUnit> {
  const { guard, signal } = options;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  const count = (n: number) => {
    bytes += n;
    options.onBytes?.(n);
  };
  try {
    if (isTarName(unit.files[0]!.name)) throw tarRefusal(unit.name);
    const gzipped = !unit.archive && isGzipName(unit.files[0]!.name);
    for (const [i, file] of unit.files.entries()) {
      throwIfAborted(signal);
      const target = join(dir, file.name);
      if (gzipped && i === 0) {
        // Inflated straight from where it is (an upload, a local file): the staged file has the inner name.
        await gunzipStreamed(file.path, join(dir, innerName(file.name)), {
          guard,
          label: unit.name,
          signal,
          onBytes: count,
          limits: options.limits ?? DEFAULT_ARCHIVE_LIMITS,
        });
      } else if (isUploadRef(file.ref)) {
        // Uploads are already in the staging area, counted against the data directory as they
        // arrived: linked, not copied, and counted against this job's quota only.
        const size = (await stat(file.path)).size;
        if (size === 0) throw refused('empty', `${file.name} is empty (0 bytes)`);
        await guard.adopt(file.name, size);
        await link(file.path, target).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EXDEV') throw error;
          guard.release(size);
          await copyFileStreamed(file.path, target, { guard, label: file.name, signal, onBytes: count });
        });
        count(size);
      } else if (!(await linkedInPlace(file, target, guard, count))) {
        await copyFileStreamed(file.path, target, { guard, label: file.name, signal, onBytes: count });
      }
    }
    if (gzipped) {
      const inner = innerName(unit.files[0]!.name);
      return { dir, bytes, datasets: await findDatasets(join(dir, inner), inner, unit.name), skipped: [] };
    }
    if (!unit.archive) {
      const staged = join(dir, unit.files[0]!.name);
      const head = await headOf(staged);
      // A ZIP behind another extension (a wrong one) is unpacked all the same.
      if (!isArchive(unit.files[0]!.name, head)) {
        // GDAL reads a KMZ through /vsizip/: its directory passes the archive checks first.
        if (isZipFormat(unit.files[0]!.name) && isArchive('', head)) await inspectZip(staged, unit.name, options.limits ?? DEFAULT_ARCHIVE_LIMITS);
        // Hard-linked, it is the file the plan read: the plan's discovery stands (planned-sources.ts).
        const datasets =
          unit.files.length === 1 ? await datasetsOfStaged(staged, unit.files[0]!.name, unit.name) : await findDatasets(staged, unit.files[0]!.name, unit.name);
        return { dir, bytes, datasets, skipped: [] };
      }
    }
    const limits = { ...(options.limits ?? DEFAULT_ARCHIVE_LIMITS) };
    const archive = join(dir, unit.files[0]!.name);
    const unpacked = join(dir, 'x');
    await unpack(archive, unit.name, unpacked, 0, { ...options, limits, onBytes: count });
    // The archive itself is no longer needed: its bytes go back to the quota.
    const archiveBytes = (await stat(archive)).size;
    await rm(archive, { force: true });
    guard.release(archiveBytes);
    const files = (await listFiles(unpacked)).map((rel) => ({ rel: `x/${rel}`, gdalPath: join(unpacked, rel) }));
    const discovery = await discoverFiles(files, unit.name, true);
    if (discovery.datasets.length === 0) {
      const skipped = discovery.skipped
        .map((s) => s.file)
        .slice(0, 5)
        .join(', ');
      throw refused(
        'no-data',
        `${unit.name}: no geodata GDAL can read in it${skipped ? ` (skipped: ${skipped}${discovery.skipped.length > 5 ? ', …' : ''})` : ' (it is empty)'}`,
        { skipped: discovery.skipped },
      );
    }
    return { dir, bytes, ...discovery };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    guard.release(bytes);
    throw fromGdal(error, unit.name);
  }
}

/**
 * Stages a file that sits on the data directory's own volume by a hard link: nothing to copy, and
 * the staged name keeps the bytes it had when staged even if the original is replaced (saved anew).
 * Admitted like a copy (the quotas and the floor are checked first). False when it cannot be linked
 * (another volume, a file system or kernel policy that refuses): then it is copied.
 */
async function linkedInPlace(file: PlannedUnit['files'][number], target: string, guard: QuotaGuard, count: (n: number) => void): Promise<boolean> {
  // link() does not follow symlinks: a link to a symlink would be a (maybe relative, now broken) symlink.
  const real = await realpath(file.path).catch(() => null);
  if (real === null) return false;
  const [source, here] = await Promise.all([stat(real), stat(dirname(target))]);
  if (!source.isFile() || source.dev !== here.dev) return false;
  if (source.size === 0) throw refused('empty', `${file.name} is empty (0 bytes)`);
  await guard.admit(file.name, source.size);
  try {
    await link(real, target);
  } catch (error) {
    if (['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
  await guard.adopt(file.name, source.size);
  count(source.size);
  return true;
}

/** Unpacks `archive` into `destination`, and archives inside it one level deep. */
async function unpack(
  archive: string,
  label: string,
  destination: string,
  depth: number,
  options: StageOptions & { limits: ArchiveLimits; onBytes: (n: number) => void },
): Promise<void> {
  const { guard } = options;
  const remaining = guard.jobRemaining;
  const limits = { ...options.limits, maxTotalBytes: remaining === null ? options.limits.maxTotalBytes : Math.min(options.limits.maxTotalBytes, remaining) };
  const written = await extractZip(archive, label, destination, {
    limits,
    signal: options.signal,
    beforeEntry: (entry) => guard.admit(`${label}: ${entry.name}`, entry.size),
    onBytes: async (n) => {
      await guard.wrote(label, n);
      options.onBytes(n);
    },
  });
  for (const entry of written) {
    const path = join(destination, ...entry.name.split('/'));
    if (!isArchive(entry.name, await headOf(path))) continue;
    if (depth >= 1)
      throw refused(
        'nested-archive',
        `${label}: ${entry.name} is an archive inside an archive inside an archive; archives are unpacked one level deep at most`,
        { entry: entry.name },
      );
    await unpack(path, `${label}: ${entry.name}`, `${path}.d`, depth + 1, options);
    const size = (await stat(path)).size;
    await rm(path, { force: true });
    guard.release(size);
  }
}

/** Files below `dir`, relative, with slashes. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}
