/**
 * The read-only commands (jobs list|show|report, catalog list|show) answer from the store alone:
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

/** Runs one command in a fresh process and lists the native libraries mapped into it afterwards. */
function nativeLibrariesAfter(args: string[]): { code: number; libraries: string[]; stderr: string } {
  const probe = `
    import { readFileSync } from 'node:fs';
    const { main } = await import(${JSON.stringify(tessera)});
    const code = await main(${JSON.stringify(args)}, { stdout: process.stderr, stderr: process.stderr });
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const libraries = ['libgdal', 'gdal.node', 'sharp', 'libvips', 'better_sqlite3'].filter((l) => maps.includes(l));
    process.stdout.write(JSON.stringify({ code, libraries }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' } });
  return { ...(JSON.parse(run.stdout) as { code: number; libraries: string[] }), stderr: run.stderr };
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
    const { code, libraries, stderr } = nativeLibrariesAfter([...args, '--data-dir', dataDir]);
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.deepEqual(libraries, ['better_sqlite3'], `${args.join(' ')} loads only SQLite`);
  }
  // The probe sees what a job does load: the check can fail.
  const { libraries } = nativeLibrariesAfter(['verify', join(dir, 'missing.mbtiles'), '--data-dir', join(dir, 'other')]);
  assert.ok(libraries.includes('libgdal') || libraries.includes('gdal.node'), `a job-running command loads GDAL: ${libraries.join(', ')}`);
});
