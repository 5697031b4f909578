import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { GDAL_CACHE_MEGABYTES, GEOJSON_MAX_OBJECT_MEGABYTES } from './gdal-config.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'tessera-gdal-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * GDAL_CACHEMAX as GDAL sees it before and after Engine.open, in a fresh process (GDAL reads the
 * setting once per process, so this process's own GDAL use must not decide the answer).
 */
async function cacheMaxAroundOpen(name: string, env: NodeJS.ProcessEnv): Promise<{ before: string | null; after: string | null }> {
  const engineUrl = new URL('../engine/engine.js', import.meta.url).href;
  const loggerUrl = new URL('../logging/logger.js', import.meta.url).href;
  const script = `
    import gdal from ${JSON.stringify(import.meta.resolve('gdal-async'))};
    import { Engine } from ${JSON.stringify(engineUrl)};
    import { createLogger } from ${JSON.stringify(loggerUrl)};
    const before = gdal.config.get('GDAL_CACHEMAX');
    const engine = await Engine.open({ dataDir: ${JSON.stringify(join(root, name))}, host: 'headless', logger: createLogger('silent') });
    const after = gdal.config.get('GDAL_CACHEMAX');
    await engine.close();
    process.stdout.write(JSON.stringify({ before, after }));`;
  const childEnv = { ...process.env, ...env };
  if (env.GDAL_CACHEMAX === undefined) delete childEnv.GDAL_CACHEMAX;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: childEnv });
  return JSON.parse(stdout) as { before: string | null; after: string | null };
}

test("Engine.open bounds GDAL's block cache before any job runs (loading the engine does not)", async () => {
  const seen = await cacheMaxAroundOpen('bounded', {});
  assert.equal(seen.before, null, 'importing the engine and its kinds leaves GDAL alone');
  assert.equal(seen.after, String(GDAL_CACHE_MEGABYTES));
});

test("an operator's own GDAL_CACHEMAX wins over the engine's bound", async () => {
  const seen = await cacheMaxAroundOpen('operator', { GDAL_CACHEMAX: '64' });
  assert.equal(seen.after, '64');
});

/**
 * A GeoJSON FeatureCollection whose single feature is a ~2.5 MB polygon: over a lowered
 * OGR_GEOJSON_MAX_OBJ_SIZE of 1 (MB), the same failure a > 200 MB feature meets at GDAL's default.
 */
function writeBigFeature(path: string): void {
  const n = 120_000;
  const ring: [number, number][] = [];
  for (let i = 0; i < n; i++) ring.push([Number((10 * Math.cos((2 * Math.PI * i) / n)).toFixed(6)), Number((10 * Math.sin((2 * Math.PI * i) / n)).toFixed(6))]);
  ring.push([10, 0]);
  const collection = {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: 'big' }, geometry: { type: 'Polygon', coordinates: [ring] } }],
  };
  writeFileSync(path, JSON.stringify(collection));
}

/** Opens `path` the way every job kind does (openVector) in a fresh process, after configureGdal, and reads every feature. */
async function readAfterConfigure(
  path: string,
  env: NodeJS.ProcessEnv,
): Promise<{ setting: string | null; features?: number; vertices?: number; error?: string }> {
  const script = `
    import gdal from ${JSON.stringify(import.meta.resolve('gdal-async'))};
    import { configureGdal } from ${JSON.stringify(new URL('./gdal-config.js', import.meta.url).href)};
    import { openVector } from ${JSON.stringify(new URL('../gdal/open-vector.js', import.meta.url).href)};
    configureGdal();
    const setting = gdal.config.get('OGR_GEOJSON_MAX_OBJ_SIZE');
    try {
      const ds = await openVector(${JSON.stringify(path)});
      let features = 0, vertices = 0;
      for (const f of ds.layers.get(0).features) { features++; vertices += f.getGeometry().rings.get(0).points.count(); }
      ds.close();
      process.stdout.write(JSON.stringify({ setting, features, vertices }));
    } catch (error) {
      process.stdout.write(JSON.stringify({ setting, error: String(error.message) }));
    }`;
  const childEnv = { ...process.env, ...env };
  if (env.OGR_GEOJSON_MAX_OBJ_SIZE === undefined) delete childEnv.OGR_GEOJSON_MAX_OBJ_SIZE;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: childEnv, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as { setting: string | null; features?: number; vertices?: number; error?: string };
}

test("Engine.open lifts GDAL's GeoJSON object-size limit", async () => {
  const engineUrl = new URL('../engine/engine.js', import.meta.url).href;
  const script = `
    import gdal from ${JSON.stringify(import.meta.resolve('gdal-async'))};
    import { Engine } from ${JSON.stringify(engineUrl)};
    import { createLogger } from ${JSON.stringify(new URL('../logging/logger.js', import.meta.url).href)};
    const engine = await Engine.open({ dataDir: ${JSON.stringify(join(root, 'geojson'))}, host: 'headless', logger: createLogger('silent') });
    process.stdout.write(String(gdal.config.get('OGR_GEOJSON_MAX_OBJ_SIZE')));
    await engine.close();`;
  const env = { ...process.env };
  delete env.OGR_GEOJSON_MAX_OBJ_SIZE;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  assert.equal(stdout, GEOJSON_MAX_OBJECT_MEGABYTES);
});

test('a GeoJSON feature over the object-size limit opens with the engine setting, and fails under a lowered one', async () => {
  const path = join(root, 'big-feature.geojson');
  writeBigFeature(path);
  assert.ok(statSync(path).size > 2_000_000);

  // The failure mode: an operator's lowered limit (1 MB) wins over the engine's, and GDAL refuses the feature.
  const lowered = await readAfterConfigure(path, { OGR_GEOJSON_MAX_OBJ_SIZE: '1' });
  assert.equal(lowered.setting, '1');
  assert.ok(lowered.error !== undefined, `expected GDAL to refuse the feature, read ${lowered.features} features`);

  // The engine's own setting (0) lifts it: every vertex comes through.
  const lifted = await readAfterConfigure(path, {});
  assert.equal(lifted.setting, '0');
  assert.equal(lifted.error, undefined, lifted.error);
  assert.equal(lifted.features, 1);
  assert.equal(lifted.vertices, 120_001);
});
