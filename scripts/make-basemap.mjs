#!/usr/bin/env node
/**
 * Makes the offline basemap, dist/basemap/world.pmtiles, with Tessera's own vector preseed (the
 * built CLI, `tessera preseed vector`): Natural Earth 1:50m land and countries (public domain, as
 * world-atlas ships them in node_modules), z0–6, as vector tiles. Both hosts serve it at
 * `tiles/basemap/{z}/{x}/{y}` (main/hosts/basemap-tiles.ts) and every map draws it under the caches.
 *
 *   node scripts/make-basemap.mjs          # part of `npm run build`, after build:node
 *
 * It runs after tsc (it needs dist/main/cli/bin.js) and needs no network: the data is an npm
 * devDependency. The job runs on a throwaway data directory, so neither a running console nor the
 * user's own queue is touched. About 4 s and 1.3 MB on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const atlas = dirname(require.resolve('world-atlas/package.json'));
const cli = join(root, 'dist/main/cli/bin.js');
const out = join(root, 'dist/basemap/world.pmtiles');

const started = performance.now();
mkdirSync(dirname(out), { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-basemap-'));
try {
  // land: the fill and the coastline; countries: the borders (their outlines). Only the name is kept.
  execFileSync(
    process.execPath,
    [
      cli,
      'preseed',
      'vector',
      join(atlas, 'land-50m.json'),
      join(atlas, 'countries-50m.json'),
      '--layer',
      'land',
      '--layer',
      'countries',
      '--attributes',
      'name',
      '--zoom',
      '0-6',
      '--mode',
      'overwrite',
      '-o',
      out,
      '--data-dir',
      dataDir,
      '--json',
    ],
    // The job's JSON document is not wanted here; its errors (stderr) are.
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;
console.log(`basemap: ${out} (${(statSync(out).size / 1024 ** 2).toFixed(2)} MiB) in ${seconds.toFixed(1)} s`);
