/**
 * How dropped files become ingest units: a Shapefile's .dbf/.shx/.prj/.cpg (and a GeoTIFF's
 * .tfw/.aux.xml, a MapInfo table's .dat/.map/.id) travel with their main file, whether they were
 * dropped together or sit together in an archive; every other file is a unit of its own. Pure.
 */
import { basename, dirname, extname } from 'node:path';

/** One file as given: a path on this machine or an upload, and its own name. */
export interface InputFile {
  /** As the job's params name it (an absolute path, or `upload:<id>`). */
  ref: string;
  /** Where its bytes are now. */
  path: string;
  /** Its file name (an upload's original name). */
  name: string;
  /** Files in different folders never share a unit; uploads count as one folder. */
  folder: string;
}

export interface InputUnit {
  /** The main file's name: what the unit is called in labels and messages. */
  name: string;
  /** The main file first, then its side files. */
  files: InputFile[];
  /** A ZIP archive (by its name or its first bytes), unpacked when staged. */
  archive: boolean;
}

/** Extensions of side files: they belong to the main file with the same stem. */
const SIDECARS = new Set([
  // Shapefile
  'dbf',
  'shx',
  'prj',
  'cpg',
  'qix',
  'sbn',
  'sbx',
  'fbn',
  'fbx',
  'ain',
  'aih',
  'atx',
  'ixs',
  'mxs',
  'qmd',
  'shp.xml',
  // World files, PAM and overviews
  'tfw',
  'tifw',
  'tiffw',
  'wld',
  'jgw',
  'jpgw',
  'pgw',
  'pngw',
  'gfw',
  'aux.xml',
  'aux',
  'ovr',
  'rrd',
  'xml',
  'hdr',
  // MapInfo TAB and MIF, CSV column types, GML schemas (GDAL's .gfs, an application schema)
  'dat',
  'map',
  'id',
  'ind',
  'mid',
  'csvt',
  'gfs',
  'xsd',
]);

/** Formats that are ZIP files inside but that GDAL reads as they are. */
const ZIP_FORMATS = new Set(['kmz', 'xlsx', 'ods', 'docx']);

/** The file's extension, two-part ones (`aux.xml`, `shp.xml`) included, lower-cased. */
export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  for (const double of ['aux.xml', 'shp.xml']) if (lower.endsWith(`.${double}`)) return double;
  return extname(lower).slice(1);
}

/** The file's name without its extension (two-part ones included), lower-cased: how side files match. */
export function stemOf(name: string): string {
  const ext = extensionOf(name);
  return (ext === '' ? name : name.slice(0, name.length - ext.length - 1)).toLowerCase();
}

export function isSidecar(name: string): boolean {
  return SIDECARS.has(extensionOf(name));
}

/**
 * Whether `name` is a format that is a ZIP inside (KMZ, XLSX, ODS) that GDAL reads as it is: not
 * unpacked, but its directory gets the archive checks all the same (a KMZ can be a zip bomb too).
 */
export function isZipFormat(name: string): boolean {
  return ZIP_FORMATS.has(extensionOf(name));
}

/** Whether bytes that start with `head` (at least 4 of them) named `name` are a ZIP archive to unpack. */
export function isArchive(name: string, head: Uint8Array | null): boolean {
  const ext = extensionOf(name);
  if (ZIP_FORMATS.has(ext)) return false;
  if (ext === 'zip') return true;
  return head !== null && head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Groups files into units: per folder and stem, each main file takes the side files of its stem.
 * Side files without a main file are units of their own (GDAL will say what it makes of them).
 * Units keep the order of their main files in the input.
 */
export function groupInputs(files: readonly InputFile[], heads: ReadonlyMap<string, Uint8Array | null> = new Map()): InputUnit[] {
  const byStem = new Map<string, InputFile[]>();
  for (const file of files) {
    const key = `${file.folder}\u0000${stemOf(file.name)}`;
    const group = byStem.get(key) ?? [];
    group.push(file);
    byStem.set(key, group);
  }
  const units: InputUnit[] = [];
  const claimed = new Set<InputFile>();
  for (const file of files) {
    if (isSidecar(file.name)) continue;
    const group = byStem.get(`${file.folder}\u0000${stemOf(file.name)}`)!;
    const sides = group.filter((f) => isSidecar(f.name));
    for (const side of sides) claimed.add(side);
    units.push({ name: file.name, files: [file, ...sides], archive: isArchive(file.name, heads.get(file.path) ?? null) });
  }
  for (const file of files) {
    if (isSidecar(file.name) && !claimed.has(file)) units.push({ name: file.name, files: [file], archive: false });
  }
  return units;
}

/** The InputFile for a path on this machine. */
export function localFile(path: string): InputFile {
  return { ref: path, path, name: basename(path), folder: dirname(path) };
}
