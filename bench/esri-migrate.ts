/**
 * `node dist/bench/esri-migrate.js [--reps N] [--seeds N]`: Esri migration against GDAL's own
 * ESRIJSON reader (ogr2ogr on the query URL), both reading the Koop fixture's whole Natural Earth
 * states layer (4,556 polygons, 17 MB of Esri JSON) through the same proxy.
 *
 * 1. Clean proxy: wall time of each, interleaved, after a warm-up (Koop parses its 20 MB file once);
 *    the ratio Tessera / ogr2ogr (target ≤ 1.2×). Both write a GeoPackage.
 * 2. 20% faults, per seed: what ogr2ogr got (exit code, features, whether they match the source)
 *    with no retry options and with GDAL_HTTP_MAX_RETRY, and what Tessera got, with its retries.
 *    Seen with GDAL 3.6.2: without retries any fault fails the layer (exit 1, nothing written);
 *    with GDAL_HTTP_MAX_RETRY a 503 on the first request still fails to open, and a 429 on a later
 *    page is retried and then paging stops: exit 0 with 3,000 of 4,556 features (seed 8).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tuneEsriMigration } from '../main/esri/migrate-kind.js';
import { startFaultProxy } from '../main/esri/testing/fault-proxy.js';
import { fixtureGeojsonPath, startKoopFixture } from '../main/esri/testing/koop-fixture.js';
import { geojsonDigest, gpkgDigest } from '../main/esri/testing/layer-digest.js';
import { copiedTables, jobDetail, openTestEngine } from '../main/esri/testing/migration-harness.js';
import { naturalEarthServicesCached } from '../main/esri/testing/natural-earth-services.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' }, seeds: { type: 'string', default: '3' } } });
const reps = Number(values.reps);
const seeds = Number(values.seeds);

const root = mkdtempSync(join(tmpdir(), 'tessera-esri-bench-'));
const { dir, services } = naturalEarthServicesCached();
const layer = services.world![0]!;
const fields = layer.fields.map((f) => f.name).filter((n) => n !== 'OBJECTID');
const source = geojsonDigest(fixtureGeojsonPath(dir, layer), fields);
const koop = await startKoopFixture(dir, services);

interface Outcome {
  ms: number;
  features: number;
  exact: boolean;
  note: string;
}

function ogr2ogr(queryUrl: string, out: string, env: Record<string, string>): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      'ogr2ogr',
      [
        '-f',
        'GPKG',
        out,
        `ESRIJSON:${queryUrl}?where=1%3D1&outFields=*&f=json`,
        '-nln',
        'states',
        '-nlt',
        'MULTIPOLYGON',
        '-lco',
        'FID=OBJECTID',
        '-overwrite',
      ],
      { env: { ...process.env, GDAL_HTTP_TIMEOUT: '20', OGR_ORGANIZE_POLYGONS: 'DEFAULT', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        const ms = performance.now() - started;
        let features = 0;
        let exact = false;
        try {
          const copy = gpkgDigest(out, 'states', fields);
          features = copy.count;
          exact = copy.checksum === source.checksum;
        } catch {
          // no file, or no table: nothing was written
        }
        const lines = stderr.split('\n').filter((l) => l.trim() !== '');
        const firstError = lines.find((l) => /^ERROR/.test(l)) ?? (error ? (lines[lines.length - 1] ?? '') : '');
        resolve({
          ms,
          features,
          exact,
          note: `exit ${error ? ((error as { code?: number }).code ?? 1) : 0}${firstError ? `: ${firstError.slice(0, 90)}` : ''}`,
        });
      },
    );
  });
}

async function tessera(serviceUrl: string, name: string): Promise<Outcome & { retries: number }> {
  const { engine } = await openTestEngine(root, name);
  const started = performance.now();
  try {
    const job = await engine.start({ kind: 'migrate-esri', params: { url: serviceUrl, layers: [0], name } });
    const done = await engine.waitFor(job.id);
    const ms = performance.now() - started;
    const item = jobDetail(engine, done).items[0]!;
    let features = 0;
    let exact = false;
    if (done.state === 'succeeded') {
      const gpkg = engine.catalog.list({ limit: 100 }).rows.find((d) => d.name === name)!.path;
      const copy = gpkgDigest(gpkg, copiedTables(gpkg).get(layer.name)!.table, fields);
      features = copy.count;
      exact = copy.checksum === source.checksum;
    }
    return {
      ms,
      features,
      exact,
      retries: (item.result?.retries as number) ?? 0,
      note: `${done.state}${item.error ? `: ${item.error.message.slice(0, 80)}` : ''}`,
    };
  } finally {
    await engine.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`Esri migration bench — Node ${process.version}, GDAL ogr2ogr vs Tessera, ${new Date().toISOString()}`);
console.log(`Layer: Natural Earth states_provinces via Koop, ${source.count} polygons, maxRecordCount ${layer.maxRecordCount}\n`);

// 1. Clean proxy.
const clean = await startFaultProxy({ target: koop.origin, seed: 0, rate: 0 });
const query = `${clean.via(koop.serviceUrl('world'))}/0/query`;
tuneEsriMigration({ client: {} });
await ogr2ogr(query, join(root, 'warm.gpkg'), {}); // Koop parses its file once; neither side pays for it below
const times = { gdal: [] as number[], tessera: [] as number[] };
for (let i = 0; i < reps; i++) {
  const g = await ogr2ogr(query, join(root, `gdal-${i}.gpkg`), {});
  const t = await tessera(clean.via(koop.serviceUrl('world')), `clean-${i}`);
  if (!g.exact || !t.exact) console.log(`  rep ${i}: gdal ${g.features} exact ${g.exact}; tessera ${t.features} exact ${t.exact} (${t.note})`);
  times.gdal.push(g.ms);
  times.tessera.push(t.ms);
}
await clean.close();
console.log('Clean proxy (median of %d, interleaved)', reps);
console.log('  reader                        time      features/s');
console.log(
  `  ogr2ogr ESRIJSON → GPKG   ${seconds(median(times.gdal)).padStart(9)}   ${Math.round(source.count / (median(times.gdal) / 1000))
    .toString()
    .padStart(10)}`,
);
console.log(
  `  Tessera migrate-esri      ${seconds(median(times.tessera)).padStart(9)}   ${Math.round(source.count / (median(times.tessera) / 1000))
    .toString()
    .padStart(10)}`,
);
console.log(`  ratio Tessera / ogr2ogr: ${(median(times.tessera) / median(times.gdal)).toFixed(2)}× (target ≤ 1.2×)\n`);

// 2. 20% faults.
tuneEsriMigration({ client: { timeoutMs: 5000, baseDelayMs: 50, maxDelayMs: 1000 } });
console.log('20% faults (503, 429 + Retry-After, resets, slow answers, Esri error bodies, cut bodies), per seed');
console.log('  seed  reader                              features  exact  result');
for (let seed = 1; seed <= seeds; seed++) {
  for (const [label, env] of [
    ['ogr2ogr', {}],
    ['ogr2ogr GDAL_HTTP_MAX_RETRY=5', { GDAL_HTTP_MAX_RETRY: '5', GDAL_HTTP_RETRY_DELAY: '1', GDAL_HTTP_TIMEOUT: '4' }],
  ] as const) {
    const proxy = await startFaultProxy({ target: koop.origin, seed, rate: 0.2, slowMs: 6000 });
    const g = await ogr2ogr(`${proxy.via(koop.serviceUrl('world'))}/0/query`, join(root, `faults-${seed}-${label.length}.gpkg`), env);
    console.log(`  ${String(seed).padStart(4)}  ${label.padEnd(34)}  ${String(g.features).padStart(8)}  ${String(g.exact).padEnd(5)}  ${g.note}`);
    await proxy.close();
  }
  const proxy = await startFaultProxy({ target: koop.origin, seed, rate: 0.2, slowMs: 6000 });
  const t = await tessera(proxy.via(koop.serviceUrl('world')), `faults-${seed}`);
  console.log(
    `  ${String(seed).padStart(4)}  ${'Tessera'.padEnd(34)}  ${String(t.features).padStart(8)}  ${String(t.exact).padEnd(5)}  ${t.note}, ${t.retries} retries, ${seconds(t.ms)}`,
  );
  await proxy.close();
}

await koop.close();
rmSync(root, { recursive: true, force: true });
