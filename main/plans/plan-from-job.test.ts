/** Save as plan: a real engine's jobs written as plan files that read back to the same params, by the engine and by the CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { hillshadeMbtiles, srtmDem } from '../testing/real-data.js';
import { parsePlanFile } from './plan-file.js';
import { planFromJob, planName } from './plan-from-job.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-plan-from-job-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

test('plan names: a job name made a valid plan name, or job-N when nothing is left', () => {
  assert.equal(planName('Preseed raster: srtm_hillshade.tif z6–8', 7), 'Preseed-raster-srtm_hillshade.tif-z6-8');
  assert.equal(planName('Zürich Übersicht', 7), 'Zurich-Ubersicht');
  assert.equal(planName('——', 7), 'job-7');
  assert.equal(planName('x'.repeat(300), 7).length, 100);
});

test("a job's plan reads back to the job's params, defaults left out; uploads refused; the CLI prints it and writes it once", async () => {
  const dataDir = join(root, 'data');
  const folder = join(root, 'plans');
  mkdirSync(folder);
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
  let rasterId: number;
  try {
    await engine.handlers['queue.pause']({});
    const raster = await engine.start({
      kind: 'preseed-raster',
      name: 'Hillshade west',
      params: { datasets: [srtmDem()], minZoom: 6, maxZoom: 8, output: join(root, 'out.mbtiles'), bbox: [-10.5, 40, 12.5, 58] },
    });
    rasterId = raster.id;
    const verify = await engine.start({ kind: 'verify', params: { cache: hillshadeMbtiles(root), maxTileBytes: 100_000 } });
    for (const job of [raster, verify]) {
      const { fileName, yaml } = await engine.handlers['plans.fromJob']({ id: job.id });
      assert.match(fileName, /^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$/);
      assert.match(yaml, new RegExp(`^# Made by Tessera from job ${job.id} `));
      const parsed = parsePlanFile(yaml, fileName, folder);
      assert.ok('plan' in parsed, JSON.stringify(parsed));
      assert.equal(parsed.plan.kind, job.kind);
      assert.deepEqual(parsed.plan.params, job.params, 'the plan starts the same job');
      // The name inside the file is the file's name: one word, valid for the plan schema.
      assert.equal(`${parsed.plan.name}.yaml`, fileName);
    }
    // Named by someone: the plan keeps that name. Named by its kind ("verify …hillshade.mbtiles"):
    // the plan is named after what the job is about (the cache's stem), not the long made-up name.
    assert.equal((await engine.handlers['plans.fromJob']({ id: raster.id })).fileName, 'Hillshade-west.yaml');
    assert.notEqual(verify.name, 'hillshade');
    assert.equal((await engine.handlers['plans.fromJob']({ id: verify.id })).fileName, 'hillshade.yaml');
    // The preseed form before the start and the job after it agree, with and without a typed name.
    const blueMarble = { datasets: [srtmDem()], minZoom: 0, maxZoom: 3, output: join(root, 'bm.mbtiles') };
    for (const name of [undefined, 'Blue Marble z0–3']) {
      const before = await engine.handlers['plans.fromInput']({ kind: 'preseed-raster', ...(name && { name }), params: blueMarble } as never);
      const started = await engine.start({ kind: 'preseed-raster', ...(name && { name }), params: blueMarble });
      const after = await engine.handlers['plans.fromJob']({ id: started.id });
      assert.equal(before.fileName, name ? 'Blue-Marble-z0-3.yaml' : 'bm.yaml');
      assert.equal(after.fileName, before.fileName);
      assert.match(after.yaml, new RegExp(`^name: ${before.fileName.replace(/\.yaml$/, '')}$`, 'm'));
    }
    const rasterYaml = (await engine.handlers['plans.fromJob']({ id: raster.id })).yaml;
    assert.match(rasterYaml, /bbox:\n\s+- -10\.5\n/, 'the bbox west of Greenwich as given');
    assert.doesNotMatch(rasterYaml, /resampling|format: png|mode:/, 'values the schema fills in are left out');

    // An ingest of uploaded files names no path a plan could: refused, saying why.
    assert.throws(
      () => planFromJob({ id: 5, kind: 'ingest', name: 'upload', params: { files: ['upload:0123456789abcdef0123456789abcdef'] } as never }),
      (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /uploaded through the console/.test(e.message),
    );
    await assert.rejects(
      async () => engine.handlers['plans.fromJob']({ id: 9999 }),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
    );
  } finally {
    await engine.close();
  }

  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, 'plans', 'from-job', ...args, '--data-dir', dataDir], { encoding: 'utf8' });
  const printed = cli(String(rasterId));
  assert.equal(printed.status, 0, printed.stderr);
  const json = JSON.parse(cli(String(rasterId), '--json').stdout) as { fileName: string; yaml: string };
  assert.equal(printed.stdout.trimEnd(), json.yaml.trimEnd());
  assert.equal(json.fileName, 'Hillshade-west.yaml');
  const file = join(folder, 'hill.yaml');
  assert.equal(cli(String(rasterId), '-o', file).status, 0);
  // Written to a file, the plan is named after it: the sync knows it by the name the file shows.
  assert.match(readFileSync(file, 'utf8'), /^name: hill$/m);
  const spaced = cli(String(rasterId), '-o', join(folder, 'hill west.yaml'));
  assert.equal(spaced.status, 2);
  assert.equal(spaced.stderr.trim().split('\n').length, 1, spaced.stderr);
  assert.match(spaced.stderr, /"hill west" is not a name of letters, digits/);
  const again = cli(String(rasterId), '-o', file);
  assert.equal(again.status, 2, 'never written over an existing file');
  assert.match(again.stderr, /the file exists/);
  writeFileSync(join(folder, 'note.txt'), 'not a plan');
  const diff = spawnSync(process.execPath, [bin, 'plans', 'diff', '--source', folder, '--data-dir', dataDir], { encoding: 'utf8' });
  assert.equal(diff.status, 0, diff.stderr);
  assert.match(diff.stdout, /^\+ hill +new +preseed-raster/m, 'the saved file is a valid plan of its folder');
  assert.ok(readFileSync(file, 'utf8').includes('minZoom: 6'));
  assert.equal(cli('abc').status, 2);
});
