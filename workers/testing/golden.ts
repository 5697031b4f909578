/**
 * Golden fixtures: what a peer tool (gdal2tiles.py, vt-pbf, ogr2ogr) produced, kept as a small
 * JSON file in a `testing/golden/` folder beside the test's source, so the everyday test compares
 * against it without the tool. `UPDATE=1 node --test dist/…/x.test.js` runs the reference code
 * again and rewrites the file; the reference suite (`npm run test:reference`) runs the tools live
 * and checks the golden files are still what they make.
 *
 * Tests run from dist/; the golden files live in the sources (tsc does not copy JSON), found by
 * mapping dist/<path>/x.js back to <path>/testing/golden/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by `UPDATE=1`: tests make their golden files again with the peer tool. */
export const updatingGoldens = process.env.UPDATE === '1';

/** The golden file `name`.json beside the source of the compiled module at `moduleUrl`. */
export function goldenPath(moduleUrl: string, name: string): string {
  const file = fileURLToPath(moduleUrl);
  const marker = `${sep}dist${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) throw new Error(`${file} is not under dist/: golden files are found from the compiled tests`);
  const repo = file.slice(0, at);
  const sourceDir = dirname(relative(join(repo, 'dist'), file));
  // A helper under testing/ names the golden folder beside it, like a test does.
  const base = sourceDir.split(sep).at(-1) === 'testing' ? dirname(sourceDir) : sourceDir;
  return join(repo, base, 'testing', 'golden', `${name}.json`);
}

/** Reads a golden file; a missing one says how to make it. */
export function readGolden<T>(moduleUrl: string, name: string): T {
  const path = goldenPath(moduleUrl, name);
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing: make it with UPDATE=1 (needs the peer tool)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Writes a golden file: stable JSON, two-space indented, newline at the end. */
export function writeGolden(moduleUrl: string, name: string, value: unknown): string {
  const path = goldenPath(moduleUrl, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/**
 * The golden value `name`: made by `make` (the peer tool) and written when UPDATE=1, read from
 * the committed file otherwise.
 */
export async function golden<T>(moduleUrl: string, name: string, make: () => T | Promise<T>): Promise<T> {
  if (!updatingGoldens) return readGolden<T>(moduleUrl, name);
  const value = await make();
  writeGolden(moduleUrl, name, value);
  return JSON.parse(JSON.stringify(value)) as T;
}
