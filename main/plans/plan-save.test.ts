/**
 * "Save as plan" from the preseed form into a plan source: a job not yet started written as a plan
 * (plans.fromInput), saved into a folder the engine keeps reconciled (plans.save), which the plan
 * sync then applies: its job runs. Never over a file, never a name another plan of the folder
 * uses, never outside the configured sources, never an invalid plan.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { srtmDem } from '../testing/real-data.js';
import { parsePlanFile } from './plan-file.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-plan-save-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown> | unknown): Promise<{ code: string; message: string; field: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string; details?: { issues?: { field: string }[] } };
    return { code: e.code, message: e.message, field: e.details?.issues?.[0]?.field ?? '' };
  }
  throw new Error('expected a refusal');
}

test('a preseed from the form saved as a plan into a plan source: the sync runs it; files, names and folders guarded', async () => {
  const folder = join(root, 'plans');
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(folder);
  mkdirSync(elsewhere);
  const engine = await Engine.open({
    dataDir: join(root, 'data'),
    host: 'headless',
    logger: createLogger('silent'),
    planSources: [folder],
    planSyncIntervalMs: 3600_000,
  });
  try {
    const output = join(root, 'west.mbtiles');
    const input = {
      kind: 'preseed-raster' as const,
      params: { datasets: [srtmDem()], minZoom: 6, maxZoom: 6, bbox: [11, 57, 11.5, 58] as [number, number, number, number], output },
    };
    const plan = await engine.handlers['plans.fromInput'](input as Parameters<Engine['handlers']['plans.fromInput']>[0]);
    assert.equal(plan.fileName, 'west.yaml');
    assert.match(plan.yaml, /^# Made by Tessera from the preseed form/);
    const read = parsePlanFile(plan.yaml, plan.fileName, folder);
    assert.ok('plan' in read);
    const back = read.plan.params as { datasets: string[]; minZoom: number; maxZoom: number; bbox: number[]; output: string };
    assert.deepEqual([back.datasets, back.minZoom, back.maxZoom, back.bbox, back.output], [input.params.datasets, 6, 6, input.params.bbox, output]);

    const saved = await engine.handlers['plans.save']({ source: folder, fileName: plan.fileName, yaml: plan.yaml });
    assert.equal(saved.path, join(folder, 'west.yaml'));
    assert.equal(readFileSync(saved.path, 'utf8'), plan.yaml);

    // The sync sees the new plan and starts its job.
    let jobId: number | undefined;
    for (let i = 0; i < 300 && jobId === undefined; i++) {
      jobId = (await engine.handlers['jobs.list']({ limit: 10 })).rows.find((j) => j.kind === 'preseed-raster')?.id;
      if (jobId === undefined) await sleep(100);
    }
    assert.ok(jobId !== undefined, 'the plan sync started the saved plan');
    assert.equal((await engine.waitFor(jobId)).state, 'succeeded');
    assert.ok(existsSync(output));

    const again = await refusal(engine.handlers['plans.save']({ source: folder, fileName: plan.fileName, yaml: plan.yaml }));
    assert.deepEqual([again.code, again.field], ['BAD_INPUT', 'fileName']);
    assert.match(again.message, /never written over/);
    const sameName = await refusal(engine.handlers['plans.save']({ source: folder, fileName: 'west-2.yaml', yaml: plan.yaml }));
    assert.deepEqual([sameName.code, sameName.field], ['BAD_INPUT', 'yaml']);
    assert.match(sameName.message, /west\.yaml .*already holds a plan named west/);
    const other = await refusal(engine.handlers['plans.save']({ source: elsewhere, fileName: 'x.yaml', yaml: plan.yaml }));
    assert.deepEqual([other.code, other.field], ['BAD_INPUT', 'source']);
    const traversal = await refusal(engine.handlers['plans.save']({ source: folder, fileName: '../x.yaml', yaml: plan.yaml }));
    assert.deepEqual([traversal.code, traversal.field], ['BAD_INPUT', 'fileName']);
    const invalid = await refusal(
      engine.handlers['plans.save']({ source: folder, fileName: 'bad.yaml', yaml: 'name: bad\nkind: preseed-raster\nparams: { minZoom: 3 }\n' }),
    );
    assert.deepEqual([invalid.code, invalid.field], ['BAD_INPUT', 'yaml']);
    assert.equal(existsSync(join(folder, 'bad.yaml')), false);
    assert.equal(existsSync(join(elsewhere, 'x.yaml')), false);
  } finally {
    await engine.close();
  }
});
