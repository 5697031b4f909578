/**
 * The read-only commands (jobs list|show|report, catalog list|show, caches list) answer from the store alone:
 * they must not load GDAL, sharp/libvips or the worker pool, which cost a terminal user half a
 * second per command (issue 14, item 6). Checked on the process's own memory map, after each
 * command ran against a data directory that holds a real job and a real dataset.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { realDataPath } from '../testing/real-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-read-only-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tessera = fileURLToPath(new URL('./tessera.js', import.meta.url));
const bin = fileURLToPath(new URL('./bin.js', import.meta.url));

/**
 * A module resolve hook (it runs on the loader's thread) that writes each npm package a module
 * resolves into to stderr, one `package <name>` line each: what a command's imports pulled in.
 */
const packageHook = `data:text/javascript,${encodeURIComponent(`
  export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(resolved.url);
    if (match) process.stderr.write('package ' + match[1] + '\\n');
    return resolved;
  }
`)}`;

/**
 * Runs one command in a fresh process; lists the native libraries mapped into it afterwards and
 * the npm packages its imports loaded.
 */
function nativeLibrariesAfter(args: string[]): { code: number; libraries: string[]; packages: Set<string>; stderr: string } {
  const probe = `
    import { readFileSync } from 'node:fs';
    import { register } from 'node:module';
    register(${JSON.stringify(packageHook)});
    const { main } = await import(${JSON.stringify(tessera)});
    const code = await main(${JSON.stringify(args)}, { stdout: process.stderr, stderr: process.stderr });
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const libraries = ['libgdal', 'gdal.node', 'sharp', 'libvips', 'better_sqlite3'].filter((l) => maps.includes(l));
    process.stdout.write(JSON.stringify({ code, libraries }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' } });
  const packages = new Set([...run.stderr.matchAll(/^package (\S+)$/gm)].map((m) => m[1]!));
  return { ...(JSON.parse(run.stdout) as { code: number; libraries: string[] }), packages, stderr: run.stderr };
}

test('jobs list|show|report and catalog list|show load no GDAL, sharp or libvips', { skip: process.platform !== 'linux' && 'reads /proc/self/maps' }, () => {
  const dataDir = join(dir, 'data');
  const ingest = spawnSync(process.execPath, [bin, 'ingest', realDataPath('rgdal', 'vectors', 'cities.shp'), '--data-dir', dataDir], { encoding: 'utf8' });
  assert.equal(ingest.status, 0, ingest.stderr);
  for (const args of [
    ['jobs', 'list'],
    ['jobs', 'show', '1'],
    ['jobs', 'report', '1', '--format', 'csv'],
    ['catalog', 'list'],
    ['catalog', 'show', '1'],
  ]) {
    const { code, libraries, packages, stderr } = nativeLibrariesAfter([...args, '--data-dir', dataDir]);
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.deepEqual(libraries, ['better_sqlite3'], `${args.join(' ')} loads only SQLite`);
    assert.ok(packages.has('better-sqlite3'), `the hook sees the packages a command loads: ${[...packages].join(', ')}`);
    // The report builder (pdfkit and its fonts, the tile-cache readers) and the terminal
    // prettifier load only for the command that needs them: a listing is parsed by scripts.
    // Nor zod: their inputs are checked by plain-inputs.ts (a report's format goes to the schema).
    const heavy = ['pdfkit', 'fontkit', 'pmtiles', '@mapbox/vector-tile', 'pino-pretty', 'zod'].filter((p) => packages.has(p));
    if (args[1] !== 'report') assert.deepEqual(heavy, [], `${args.join(' ')} loads no report or pretty-printing package`);
  }
  // caches list reads each cache's file (the tile-cache readers load: pmtiles…), but starts no engine.
  const caches = nativeLibrariesAfter(['caches', 'list', '--data-dir', dataDir]);
  assert.equal(caches.code, 0, caches.stderr);
  assert.deepEqual(caches.libraries, ['better_sqlite3'], 'caches list loads only SQLite');
  assert.ok(!caches.packages.has('piscina') && !caches.packages.has('gdal-async') && !caches.packages.has('sharp'), [...caches.packages].join(', '));
  // --help loads no store, no schema and no native library.
  const help = nativeLibrariesAfter(['--help']);
  assert.deepEqual(help.libraries, [], 'tessera --help loads no native library');
  assert.ok(!help.packages.has('zod') && !help.packages.has('pino'), [...help.packages].join(', '));
  // The probe sees what a job does load: the check can fail.
  assert.ok(nativeLibrariesAfter(['jobs', 'report', '1', '--format', 'pdf', '--data-dir', dataDir]).packages.has('pdfkit'), 'a PDF report loads pdfkit');
  const { libraries } = nativeLibrariesAfter(['verify', join(dir, 'missing.mbtiles'), '--data-dir', join(dir, 'other')]);
  assert.ok(libraries.includes('libgdal') || libraries.includes('gdal.node'), `a job-running command loads GDAL: ${libraries.join(', ')}`);
});
