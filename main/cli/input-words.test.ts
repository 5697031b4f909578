/**
 * What a new user reads when the CLI refuses an input: the options they typed and plain words with
 * the value (never the contract's field paths, the request's name or zod's wording); the jobs table
 * lined up whatever the kind; `tessera --version`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { JobSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { describeIssues } from './input-words.js';
import { formatJobTable } from './jobs-command.js';
import { parseInput } from './request.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-words-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tessera = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, TESSERA_DATA_DIR: join(dir, 'data'), TESSERA_LOG_LEVEL: 'warn' },
  });

test('a refused input names the options typed, in plain words with the value: exit 2, one line per problem', () => {
  const cases: [string[], string][] = [
    [
      ['preseed', 'raster', 'x.tif', '--zoom', '0-3', '--bbox', '10,40,5,50', '-o', 'out.mbtiles'],
      'tessera: BAD_INPUT: --bbox: west (10) must be less than east (5); a bbox across the antimeridian is two jobs\n',
    ],
    [
      ['preseed', 'raster', 'x.tif', '--zoom', '0-3', '--bbox', '-10,95,5,96', '-o', 'out.mbtiles'],
      'tessera: BAD_INPUT: --bbox: south (95) must be between -90 and 90\ntessera: BAD_INPUT: --bbox: north (96) must be between -90 and 90\n',
    ],
    [
      ['jobs', 'list', '--kind', 'nope'],
      'tessera: BAD_INPUT: --kind: "nope" is not one of verify, preseed-raster, preseed-vector, ingest, migrate-esri, truncate\n',
    ],
    [
      ['preseed', 'raster', 'x.tif', '--zoom', '9-31', '--quality', '150', '--tile-size', '300', '--format', 'gif', '-o', 'out.mbtiles'],
      [
        '--zoom: 31 must be between 0 and 30',
        '--tile-size: 300 is not one of 256, 512',
        '--format: "gif" is not one of png, jpeg, webp',
        '--quality: 150 must be between 1 and 100',
      ]
        .map((l) => `tessera: BAD_INPUT: ${l}\n`)
        .join(''),
    ],
    [
      ['preseed', 'vector', 'x.gpkg', '--zoom', '3', '--layer', 'roads:3-40', '--max-tile-bytes', '5', '--mode', 'refresh', '-o', 'out.mbtiles'],
      [
        '--layer: 40 must be between 0 and 30',
        '--max-tile-bytes: 5 must be at least 1024',
        '--older-than: required with --mode refresh (a date or ISO date-time)',
      ]
        .map((l) => `tessera: BAD_INPUT: ${l}\n`)
        .join(''),
    ],
    [['verify', 'x.mbtiles', '--min-zoom', '5', '--max-zoom', '3'], 'tessera: BAD_INPUT: --min-zoom: 5 must not be greater than --max-zoom (3)\n'],
    [['jobs', 'list', '--limit', '5000'], 'tessera: BAD_INPUT: --limit: 5000 must be between 1 and 1000\n'],
    // A job's own check (the files exist) names the argument too, one line each.
    [
      ['preseed', 'raster', 'nope.tif', 'nope2.tif', '--zoom', '0-2', '-o', 'out.mbtiles'],
      `tessera: BAD_INPUT: dataset 1: no such file: ${join(dir, 'nope.tif')}\ntessera: BAD_INPUT: dataset 2: no such file: ${join(dir, 'nope2.tif')}\n`,
    ],
  ];
  for (const [args, stderr] of cases) {
    const run = tessera(...args);
    assert.equal(run.stderr, stderr, args.join(' '));
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stdout, '', args.join(' '));
  }
});

test('with --json the refusal keeps its fields and adds the option of each; the message is the same words', () => {
  const run = tessera('jobs', 'list', '--state', 'bad', '--kind', 'nope', '--json');
  assert.equal(run.status, 2);
  const { error } = JSON.parse(run.stdout) as {
    error: { code: string; message: string; details: { request: string; issues: { field: string; option: string }[] } };
  };
  assert.equal(error.code, 'BAD_INPUT');
  assert.equal(error.details.request, 'jobs.list');
  assert.deepEqual(
    error.details.issues.map((i) => [i.field, i.option]),
    [
      ['filter.states.0', '--state'],
      ['filter.kinds.0', '--kind'],
    ],
  );
  assert.doesNotMatch(error.message, /jobs\.list|filter\.|Invalid option/);
  assert.equal(run.stderr.split('\n').filter(Boolean).length, 2);
});

test('a positional list names the argument by its place: params.datasets.1 is dataset 2', async () => {
  let error: unknown;
  try {
    await parseInput('jobs.start', { kind: 'preseed-raster', params: { minZoom: 0, maxZoom: 2, output: '/tmp/o.mbtiles', datasets: ['/tmp/a.tif', '  '] } });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TesseraError);
  assert.deepEqual(describeIssues('preseed raster', error), [{ field: 'params.datasets.1', option: 'dataset 2', text: 'dataset 2: dataset path is empty' }]);
  // Without the command, the field is still named: never the request's name.
  assert.deepEqual(
    describeIssues(null, error)?.map((i) => i.text),
    ['params.datasets.1: dataset path is empty'],
  );
});

test('jobs list: the columns line up whatever the kind and state', () => {
  const job = (id: number, kind: string, state: string, name: string) =>
    ({ id, kind, state, name, createdAt: '2026-12-07T06:00:00.000Z', progress: { done: id * 10, total: 1000, failed: 0, bytes: 0 } }) as unknown as JobSummary;
  const table = formatJobTable([
    job(1, 'verify', 'queued', 'a'),
    job(12, 'preseed-raster', 'interrupted', 'world'),
    job(123, 'migrate-esri', 'cancelling', 'parcels'),
    job(4, 'ingest', 'succeeded', 'states'),
  ]);
  const lines = table.split('\n');
  assert.equal(lines.length, 5);
  const [header, ...rows] = lines as [string, ...string[]];
  const kindAt = header.indexOf('kind');
  const doneEnd = header.indexOf('done/total') + 'done/total'.length;
  const createdAt = header.indexOf('created (UTC)');
  const nameAt = header.indexOf('name');
  rows.forEach((line, i) => {
    const [kind, done, name] = [
      ['verify', '10/1000', 'a'],
      ['preseed-raster', '120/1000', 'world'],
      ['migrate-esri', '1230/1000', 'parcels'],
      ['ingest', '40/1000', 'states'],
    ][i] as [string, string, string];
    assert.equal(line.indexOf(` ${kind} `) + 1, kindAt, line);
    assert.equal(line.indexOf(` ${done} `) + 1 + done.length, doneEnd, line);
    assert.equal(line.indexOf('2026-12-07 06:00:00'), createdAt, line);
    assert.equal(line.slice(nameAt), name, line);
  });
  // The longest kind leaves the two spaces between columns.
  assert.match(rows[1]!, /^ {4}12 {2}interrupted {2}preseed-raster {2}/);
});

test("tessera --version (and -V) prints the package's version, exit 0; with --json a document", () => {
  const version = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const run = tessera(flag);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${version}\n`);
    assert.equal(run.stderr, '');
  }
  const json = tessera('--version', '--json');
  assert.equal(json.status, 0);
  assert.deepEqual(JSON.parse(json.stdout), { version });
});
