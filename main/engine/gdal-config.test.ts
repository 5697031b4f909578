import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { GDAL_CACHE_MEGABYTES } from './gdal-config.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'tessera-gdal-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * GDAL_CACHEMAX as GDAL sees it before and after Engine.open, in a fresh process (GDAL reads the
 * setting once per process, so this process's own GDAL use must not decide the answer).
 */
async function cacheMaxAroundOpen(name: string, env: NodeJS.ProcessEnv): Promise<{ before: string | null; after: string | null }> {
  const engineUrl = new URL('./engine.js', import.meta.url).href;
  const loggerUrl = new URL('./logger.js', import.meta.url).href;
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
