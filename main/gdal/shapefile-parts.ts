/**
 * A Shapefile is a set of files: GDAL needs the .shx (the index) and the .dbf (the attributes)
 * beside the .shp, and without them says only "Unable to open ….shx … SHAPE_RESTORE_SHX". Every job
 * kind that reads a Shapefile checks the set first and says what is missing in the same words.
 */
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';

/** The parts GDAL cannot open a Shapefile without. */
const MANDATORY = ['shx', 'dbf'] as const;

/** True when GDAL would open `path` as a Shapefile's .shp (whatever the case of its extension). */
export function isShapefile(path: string): boolean {
  return /\.shp$/i.test(path);
}

/**
 * The mandatory parts (.shx, .dbf) missing beside a Shapefile, matched by stem whatever the case
 * (as GDAL does); in a real folder or a GDAL virtual one (inside an archive). Nothing when the
 * folder cannot be listed: opening the file then says why.
 */
export async function shapefileMissing(shpPath: string): Promise<string[]> {
  const dir = posix.dirname(shpPath);
  let names: string[];
  try {
    // GDAL only for a virtual folder, and loaded only then: the messages here are read by code that
    // must not load GDAL (the CLI's read-only commands report ingest errors).
    names = shpPath.startsWith('/vsi') ? await (await import('gdal-async')).default.fs.readDirAsync(dir) : await readdir(dir);
  } catch {
    return [];
  }
  const stem = posix.basename(shpPath).slice(0, -4).toLowerCase();
  const present = new Set(names.map((n) => n.toLowerCase()));
  return MANDATORY.filter((ext) => !present.has(`${stem}.${ext}`));
}

/**
 * The missing parts as the operator reads them: "its .shx and .dbf are missing; add them", then
 * `alternative` when the job kind takes one ("(or a .zip of the set)").
 */
export function missingPartsText(missing: readonly string[], alternative?: string): string {
  const list = missing.map((m) => (m.startsWith('.') ? m : `.${m}`));
  const named = list.length === 1 ? `${list[0]} is` : `${list.slice(0, -1).join(', ')} and ${list.at(-1)} are`;
  return `its ${named} missing; add ${list.length === 1 ? 'it' : 'them'}${alternative ? ` ${alternative}` : ''}`;
}
