/**
 * `tessera migrate esri` as a user runs it: a real child process against the Koop fixture. The
 * token goes into the credential store, never into the job, the output or the data directory's
 * job store; the exit codes are the spine's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { CredentialStore } from '../credentials/credential-store.js';
import { type KoopFixture, startKoopFixture } from '../esri/testing/koop-fixture.js';
import { cataloguedCopy } from '../esri/testing/migration-harness.js';
import { naturalEarthServicesCached } from '../esri/testing/natural-earth-services.js';
import { MigrateUsageError, migrateEsriInput } from './migrate-command.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-cli-migrate-'));
let koop: KoopFixture;

before(async () => {
  const { dir, services } = naturalEarthServicesCached();
  koop = await startKoopFixture(dir, services);
});
after(async () => {
  await koop?.close();
  rmSync(root, { recursive: true, force: true });
});

async function tessera(args: string[], env: Record<string, string> = {}): Promise<{ code: number; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TESSERA_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code, signal] = (await once(child, 'exit')) as [number, string | null];
  return { code, signal, stdout, stderr };
}

test("the command line becomes the contract's params; a token becomes a credential id", async () => {
  const store = new CredentialStore(mkdtempSync(join(root, 'p-')));
  const url = 'https://gis.example.org/arcgis/rest/services/Hydro/FeatureServer';
  const input = await migrateEsriInput(['esri', url], { layers: '0, 2', where: "TYPE = 'river'", token: 'tok-secret-123', output: 'Hydro' }, store, {});
  assert.equal(input.kind, 'migrate-esri');
  const params = input.params as Record<string, unknown>;
  assert.deepEqual(
    { ...params, credentialId: typeof params.credentialId },
    { url, name: 'Hydro', layers: [0, 2], where: "TYPE = 'river'", credentialId: 'string' },
  );
  assert.ok(!JSON.stringify(input).includes('tok-secret-123'));
  assert.equal(store.info(params.credentialId as string).kind, 'token');

  const fromEnv = await migrateEsriInput(['esri', url], { output: 'Hydro' }, store, { TESSERA_ESRI_TOKEN: 'env-token' });
  assert.equal(typeof (fromEnv.params as { credentialId?: string }).credentialId, 'string');
  const none = await migrateEsriInput(['esri', url], { output: 'Hydro' }, store, {});
  assert.equal((none.params as { credentialId?: string }).credentialId, undefined);

  const usage = (args: string[], o: Parameters<typeof migrateEsriInput>[1], pattern: RegExp, env: NodeJS.ProcessEnv = {}) =>
    assert.rejects(migrateEsriInput(args, o, store, env), (e: unknown) => e instanceof MigrateUsageError && pattern.test(e.message));
  await usage(['wfs', url], { output: 'x' }, /needs a source: tessera migrate esri/);
  await usage(['esri'], { output: 'x' }, /needs the service URL/);
  await usage(['esri', url], {}, /-o NAME is required/);
  await usage(['esri', url], { output: 'x', layers: '0,a' }, /--layers takes comma-separated layer ids/);
  await usage(['esri', url], { output: 'x', username: 'ops' }, /TESSERA_ESRI_PASSWORD/);
  await assert.rejects(migrateEsriInput(['esri', `${url}?token=abc`], { output: 'x' }, store, {}), /save the token as a credential/);
});

test('tessera migrate esri with --token: the layer is copied, exit 0, and the token is nowhere but the credential store', async () => {
  const dataDir = join(root, 'run');
  const token = koop.staticToken;
  const run = await tessera([
    'migrate',
    'esri',
    `${koop.serviceUrl('secure')}/`,
    '--layers',
    '0',
    '--token',
    token,
    '-o',
    'secure borders',
    '--json',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    job: { state: string; params: Record<string, unknown> };
    items: { label: string; state: string; done: number; result: Record<string, unknown> }[];
  };
  assert.equal(doc.job.state, 'succeeded');
  assert.match(String(doc.job.params.credentialId), /^cred_/);
  assert.deepEqual(
    doc.items.map((i) => [i.label, i.state, i.done, i.result.idsChecked]),
    [['0 Disputed borders', 'succeeded', 46, true]],
  );
  for (const [where, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
    ['job store', JSON.stringify(new Database(join(dataDir, 'jobs.sqlite'), { readonly: true }).prepare('SELECT * FROM jobs').all())],
    ['credentials.json', readFileSync(join(dataDir, 'credentials.json'), 'utf8')],
  ] as const) {
    assert.ok(!text.includes(token), `the token leaked into ${where}`);
  }
  const copy = cataloguedCopy(dataDir, 'secure borders');
  assert.equal(copy.source.url, koop.serviceUrl('secure'));
  assert.deepEqual(copy.source.layers, [0]);
  assert.ok(!Number.isNaN(Date.parse(copy.source.copiedAt)), copy.source.copiedAt);
  assert.ok(readFileSync(copy.path).byteLength > 0);
});

test('exit codes: 2 for bad usage or input, 1 for a job that failed', async () => {
  const dataDir = join(root, 'codes');
  const usage = await tessera(['migrate', 'esri', koop.serviceUrl('world'), '--data-dir', dataDir]);
  assert.equal(usage.code, 2, `${usage.signal} ${usage.stderr}`);
  assert.match(usage.stderr, /-o NAME is required/);
  const folder = await tessera(['migrate', 'esri', koop.folderUrl, '-o', 'x', '--data-dir', dataDir]);
  assert.equal(folder.code, 2, `${folder.signal} ${folder.stderr}`);
  assert.match(folder.stderr, /is a services-directory folder; pick one of its services/);
  const refused = await tessera(['migrate', 'esri', koop.serviceUrl('secure'), '--layers', '0', '-o', 'no token', '--json', '--data-dir', dataDir]);
  assert.equal(refused.code, 1, `${refused.signal} ${refused.stderr}`);
  const doc = JSON.parse(refused.stdout) as { items: { error: { code: string; message: string } }[] };
  assert.equal(doc.items[0]!.error.code, 'UNAUTHORIZED');
  assert.match(doc.items[0]!.error.message, /error 499: Token Required/);
});

test('beside a running console (client mode) the migration runs in it: the token is saved in its credential store, never in the job', async () => {
  const dataDir = join(root, 'client');
  const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json', '--data-dir', dataDir], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(serve.stdout!, 'data')) as [Buffer];
    const origin = new URL((JSON.parse(String(line).split('\n')[0]!) as { url: string }).url).origin;
    const token = koop.staticToken;
    const run = await tessera(['migrate', 'esri', koop.serviceUrl('secure'), '--layers', '0', '--token', token, '-o', 'via console', '--data-dir', dataDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes(`(in the console at ${origin})`), run.stderr);
    assert.match(run.stdout, /succeeded/);
    assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));
    const shown = await tessera(['jobs', 'show', '1', '--json', '--data-dir', dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    const doc = JSON.parse(shown.stdout) as { job: { state: string; params: Record<string, unknown> } };
    assert.equal(doc.job.state, 'succeeded');
    // Saved by the console's engine in its credential store: a credential id in the job, no token.
    assert.match(String(doc.job.params.credentialId), /^cred_/);
    assert.ok(!shown.stdout.includes(token));
    assert.ok(!readFileSync(join(dataDir, 'credentials.json'), 'utf8').includes(token));
  } finally {
    serve.kill('SIGTERM');
    await once(serve, 'exit');
  }
  assert.equal(cataloguedCopy(dataDir, 'via console').source.url, koop.serviceUrl('secure'));
});
