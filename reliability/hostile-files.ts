/**
 * Family 5, hostile files: each ingested through a real engine (the CLI for the file names that
 * are shell or option syntax, from a working folder of its own), and each must be refused cleanly
 * with a named reason (a job error whose code is not INTERNAL and whose message is not empty) or
 * imported correctly; and no file may appear outside the data directory (no `x` from
 * `$(touch x)`, nothing from an archive's `../` or absolute names). The upload of a name of 200
 * "é" goes through the headless host's upload route.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { hostileZip, pointsGeoJson } from '../main/ingest/testing/ingest-fixtures.js';
import { writeZip } from '../main/ingest/testing/zip-writer.js';
import { rgdalVector, worldMapGpkg } from '../main/testing/real-data.js';
import type { CatalogDataset, JobEvent, JobSummary } from '../shared/contract.js';
import { rawRequest, startBridges } from './bridges.js';
import { lastLines, tessera } from './cli.js';
import { type Family, expect } from './harness.js';

type Expect = 'refused' | 'imported' | 'either';

interface HostileCase {
  name: string;
  /** The issue-12 item the case guards, when it has one. */
  item?: number;
  expect: Expect;
  /** Makes the input in `dir`; returns the paths to ingest. */
  make(dir: string): string[];
  /** Through the CLI from `dir` as the working folder, with these arguments (relative names). */
  cli?: string[];
  /** Checks an imported result. */
  imported?(datasets: CatalogDataset[], job: JobSummary, events: JobEvent[]): string | null;
}

const features = (ds: CatalogDataset[]) => ds.reduce((n, d) => n + d.layers.reduce((m, l) => m + l.featureCount, 0), 0);

const CASES: HostileCase[] = [
  { name: 'zip bomb (64 MiB of zeros in one entry)', expect: 'refused', make: (d) => [hostileZip(d, 'bomb')] },
  { name: 'zip slip (../../../../tmp/…)', expect: 'either', make: (d) => [hostileZip(d, 'zip-slip')] },
  { name: 'absolute entry name (/tmp/…)', expect: 'either', make: (d) => [hostileZip(d, 'absolute')] },
  {
    name: 'symlink entry to /etc/passwd',
    expect: 'either',
    make: (d) => [hostileZip(d, 'symlink')],
    imported: (ds) => (ds.some((x) => /passwd/.test(x.name)) ? 'a symlink entry was imported' : null),
  },
  { name: 'zip nested three deep', expect: 'refused', make: (d) => [hostileZip(d, 'nested-too-deep')] },
  {
    name: 'zip of 12,000 entries',
    expect: 'refused',
    make: (d) => {
      const p = join(d, 'many.zip');
      writeZip(
        p,
        Array.from({ length: 12_000 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x'), method: 'store' as const })),
      );
      return [p];
    },
  },
  {
    name: 'GeoPackage whose layer is named -skipfailures',
    item: 2,
    expect: 'imported',
    make: (d) => {
      const p = join(d, 'dash-layer.gpkg');
      // Renamed by SQL: ogr2ogr itself stumbles over `-nln -skipfailures`.
      execFileSync('ogr2ogr', ['-f', 'GPKG', p, worldMapGpkg(), 'countries'], { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync('ogrinfo', [p, '-sql', 'ALTER TABLE countries RENAME TO "-skipfailures"'], { stdio: ['ignore', 'ignore', 'pipe'] });
      return [p];
    },
    // Every feature (GDAL did not take the name as -skipfailures); GeoPackage refuses a table name
    // starting with '-', so the layer may be '_-skipfailures' instead, said by an ingest.renamed event.
    imported: (ds, _job, events) => {
      const names = ds.flatMap((x) => x.layers.map((l) => l.name));
      if (features(ds) !== 240) return `imported ${features(ds)} features, not the source's 240 (layers ${names.join(',')})`;
      if (names.includes('-skipfailures')) return null;
      if (!names.includes('_-skipfailures')) return `the layer is named ${names.join(',')}, neither -skipfailures nor _-skipfailures`;
      const said = events.some((e) => e.type === 'ingest.renamed' && (e.data as { from?: unknown } | null)?.from === '-skipfailures');
      return said ? null : 'the layer was renamed _-skipfailures without an ingest.renamed event';
    },
  },
  {
    name: 'file named -rf.geojson (CLI, relative)',
    item: 2,
    expect: 'imported',
    make: (d) => [pointsGeoJson(join(d, '-rf.geojson'))],
    cli: ['ingest', './-rf.geojson'],
    imported: (ds) => (features(ds) === 2 ? null : `${features(ds)} features, not 2`),
  },
  {
    name: 'file named $(touch x).geojson (CLI)',
    item: 2,
    expect: 'imported',
    make: (d) => [pointsGeoJson(join(d, '$(touch x).geojson'))],
    cli: ['ingest', '$(touch x).geojson'],
    imported: (ds) => (features(ds) === 2 ? null : `${features(ds)} features, not 2`),
  },
  {
    name: 'file named (a);b.geojson',
    item: 2,
    expect: 'imported',
    make: (d) => [pointsGeoJson(join(d, '(a);b.geojson'))],
    imported: (ds) => (features(ds) === 2 ? null : `${features(ds)} features, not 2`),
  },
  {
    name: 'GeoJSON feature with "coordinates":["x"]',
    item: 13,
    expect: 'either',
    make: (d) => {
      const p = join(d, 'bad-coords.geojson');
      writeFileSync(
        p,
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{"n":2},"geometry":{"type":"Point","coordinates":["x"]}}]}',
      );
      return [p];
    },
    // Imported is fine only if the bad geometry is not silently a NULL: counted as invalid, or dropped.
    imported: (ds) => {
      const layer = ds[0]?.layers[0];
      if (!layer) return 'no layer imported';
      if (layer.featureCount === 1) return null;
      return (layer.invalidGeometries ?? 0) >= 1
        ? null
        : `imported ${layer.featureCount} features with the bad geometry as NULL and invalidGeometries ${layer.invalidGeometries}: silent`;
    },
  },
  {
    name: '.shp given alone, sidecars beside it',
    item: 4,
    expect: 'imported',
    make: (d) => {
      for (const ext of ['shp', 'shx', 'dbf', 'prj']) copyFileSync(rgdalVector(`cities.${ext}`), join(d, `cities.${ext}`));
      return [join(d, 'cities.shp')];
    },
    imported: (ds) =>
      features(ds) === 606 && ds[0]?.layers[0]?.crs ? null : `${features(ds)} features (606 expected), CRS ${ds[0]?.layers[0]?.crs ?? 'none'}`,
  },
];

export const hostileFilesFamily: Family = async (ctx) => {
  const tmpBefore = new Set(readdirSync('/tmp'));
  for (const c of CASES) {
    const label = `${c.name}${c.item ? ` (issue 12 item ${c.item})` : ''}`;
    await ctx.check(label, 90_000, async (signal) => {
      const dir = join(ctx.scratch, c.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40));
      const inputs = join(dir, 'inputs');
      const dataDir = join(dir, 'data');
      mkdirSync(inputs, { recursive: true });
      const files = c.make(inputs);
      const before = new Set(readdirSync(inputs));
      let job: JobSummary;
      let datasets: CatalogDataset[];
      let events: JobEvent[] = [];
      if (c.cli) {
        const r = await tessera([...c.cli, '--data-dir', dataDir, '--json'], signal, inputs).exited;
        let doc: { job?: JobSummary; error?: { code: string; message: string } } = {};
        try {
          doc = JSON.parse(r.stdout);
        } catch {
          // judged below
        }
        if (!doc.job) {
          expect(
            c.expect !== 'imported',
            `the CLI refused it (exit ${r.code}): ${doc.error ? `${doc.error.code}: ${doc.error.message}` : lastLines(r.stderr)}`,
          );
          expect(doc.error && doc.error.code !== 'INTERNAL' && doc.error.message, `refused without a named reason: ${lastLines(r.stderr)}`);
          return;
        }
        job = doc.job;
        const engine = await Engine.open({ dataDir, host: 'headless', holder: 'reliability (read)', logger: createLogger('silent'), threads: 1 });
        try {
          await engine.catalog.analysesDone();
          datasets = engine.catalog.list({ limit: 100 }).rows;
          events = engine.store.events(job.id, 0, 1000);
        } finally {
          await engine.close();
        }
      } else {
        const engine = await Engine.open({ dataDir, host: 'headless', holder: 'reliability suite', logger: createLogger('silent'), threads: 1 });
        try {
          let started: JobSummary;
          try {
            started = await engine.start({ kind: 'ingest', params: { files } });
          } catch (error) {
            const e = error as { code?: string; message?: string };
            expect(c.expect !== 'imported', `refused at submission: ${e.code}: ${e.message}`);
            expect(e.code && e.code !== 'INTERNAL' && e.message, `refused at submission without a named reason: ${String(error)}`);
            return;
          }
          job = await engine.waitFor(started.id);
          await engine.catalog.analysesDone();
          datasets = engine.catalog.list({ limit: 100 }).rows;
          events = engine.store.events(job.id, 0, 1000);
        } finally {
          await engine.close();
        }
      }
      const created = readdirSync(inputs).filter((n) => !before.has(n));
      expect(created.length === 0, `files appeared beside the input, outside the data directory: ${created.join(', ')}`);
      if (job.state === 'succeeded') {
        expect(c.expect !== 'refused', `imported, but it must be refused (${datasets.length} dataset(s))`);
        const problem = c.imported?.(datasets, job, events) ?? null;
        expect(problem === null, `imported wrongly: ${problem}`);
      } else {
        expect(c.expect !== 'imported', `job ${job.state}: ${job.error ? `${job.error.code}: ${job.error.message}` : 'no error'}`);
        expect(
          job.error && job.error.code !== 'INTERNAL' && job.error.message.trim(),
          `refused without a named reason: ${job.error ? `${job.error.code}: "${job.error.message}"` : 'no error'}`,
        );
      }
    });
  }

  await ctx.check('upload name of 200 "é" (issue 12 item 12)', 60_000, async () => {
    const b = await startBridges(join(ctx.scratch, 'upload'), 7703);
    try {
      const body = Buffer.from('{"type":"FeatureCollection","features":[]}');
      const name = `${'é'.repeat(200)}.geojson`;
      const res = await rawRequest(b.host.port, {
        method: 'POST',
        path: `/uploads?name=${encodeURIComponent(name)}&size=${body.length}`,
        headers: { Authorization: `Bearer ${b.host.token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
        body,
        keepAlive: false,
      });
      expect(res.status < 500, `HTTP ${res.status}: ${res.body.slice(0, 300)}`);
      expect(!res.body.includes(b.dataDir), `the answer shows an internal path: ${res.body.slice(0, 300)}`);
      if (res.status >= 400) expect(/"code":"BAD_INPUT"/.test(res.body), `refused without BAD_INPUT: ${res.body.slice(0, 200)}`);
    } finally {
      await b.close();
    }
  });

  await ctx.check('nothing written outside the data directories', 10_000, async () => {
    const appeared = readdirSync('/tmp').filter((n) => !tmpBefore.has(n) && /tessera-(zip-slip|absolute)|^x$|pwned/.test(n));
    for (const n of appeared) rmSync(join('/tmp', n), { force: true, recursive: true });
    // Only what appeared during the run counts: a /tmp/x someone left earlier is not this suite's doing.
    expect(appeared.length === 0, `files appeared in /tmp: ${appeared.join(', ')}`);
  });
};
