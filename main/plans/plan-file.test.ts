import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanFileError } from '../../shared/plan-shapes.js';
import { type Plan, parseDuration, parsePlanFile, scheduleToCron } from './plan-file.js';

const FOLDER = '/srv/plans/team';

function plan(text: string, file = 'p.yaml'): Plan {
  const parsed = parsePlanFile(text, file, FOLDER);
  assert.ok('plan' in parsed, JSON.stringify(parsed));
  return parsed.plan;
}

function errors(text: string, file = 'p.yaml'): PlanFileError[] {
  const parsed = parsePlanFile(text, file, FOLDER);
  assert.ok('errors' in parsed, `expected errors, got ${JSON.stringify(parsed)}`);
  return parsed.errors;
}

const HILLSHADE = `name: hillshade-z8
kind: preseed-raster
params:
  datasets: [../data/srtm_hillshade.tif, /vsizip//srv/data/dem.zip/dem.tif]
  minZoom: 6
  maxZoom: 8
  output: ../caches/hillshade.mbtiles
schedule: "0 3 * * *"
refresh: { olderThan: 7d }
`;

test("the issue's example plan: the contract's params with its defaults, paths resolved against the plan's folder", () => {
  const p = plan(HILLSHADE);
  assert.equal(p.name, 'hillshade-z8');
  assert.equal(p.kind, 'preseed-raster');
  const params = p.params as { datasets: string[]; output: string; minZoom: number; maxZoom: number; mode: string };
  // Relative paths resolve against the plan's folder; a GDAL virtual path stays exactly as written.
  assert.deepEqual(params.datasets, ['/srv/plans/data/srtm_hillshade.tif', '/vsizip//srv/data/dem.zip/dem.tif']);
  assert.equal(params.output, '/srv/plans/caches/hillshade.mbtiles');
  assert.equal(params.mode, 'resume', "the contract's default is applied, as jobs.start would");
  assert.equal(p.schedule, '0 3 * * *');
  assert.equal(p.timezone, 'UTC');
  assert.equal(p.refreshOlderThanMs, 7 * 86_400_000);
  assert.equal(p.priority, 0);
});

test('JSON plans read the same as YAML', () => {
  const json = JSON.stringify({ name: 'v', kind: 'verify', params: { cache: 'out/x.mbtiles' }, timezone: 'Europe/Zurich', priority: 3 });
  const p = plan(json, 'v.json');
  assert.equal((p.params as { cache: string }).cache, '/srv/plans/team/out/x.mbtiles');
  assert.equal(p.timezone, 'Europe/Zurich');
  assert.equal(p.priority, 3);
});

test('every problem of a file is reported with its line, column and field', () => {
  const found = errors(`name: broken
kind: preseed-raster
params:
  datasets: [a.tif]
  minZoom: "five"
  maxZoom: 6
  output: x.mbtiles
sechedule: daily
`);
  const byField = new Map(found.map((e) => [e.field, e]));
  assert.deepEqual([...byField.keys()].sort(), ['params.minZoom', 'sechedule']);
  assert.equal(byField.get('params.minZoom')!.line, 5);
  assert.match(byField.get('params.minZoom')!.message, /number/);
  assert.equal(byField.get('sechedule')!.line, 8);
  assert.match(byField.get('sechedule')!.message, /unknown field "sechedule"/);
  for (const e of found) assert.equal(e.file, 'p.yaml');
});

test('a missing field is called missing, at the mapping it is missing from', () => {
  const [e] = errors('name: a\nkind: verify\nparams:\n  maxZoom: 3\n');
  assert.equal(e!.field, 'params.cache');
  assert.equal(e!.line, 4);
  assert.match(e!.message, /^required, and missing/);
});

test("the kind's own checks apply: a zoom range upside down is refused at its field", () => {
  const [e] = errors('name: z\nkind: preseed-raster\nparams:\n  datasets: [a.tif]\n  minZoom: 9\n  maxZoom: 3\n  output: o.mbtiles\n');
  assert.ok(e!.field.startsWith('params.'), e!.field);
  assert.ok(e!.line >= 3, String(e!.line));
});

test('syntax errors, empty files, unknown kinds, bad names are placed too', () => {
  const [syntax] = errors('name: a\nkind: [unclosed\n');
  assert.equal(syntax!.field, '');
  assert.ok(syntax!.line >= 2, JSON.stringify(syntax));
  assert.match(errors('')[0]!.message, /holds no plan/);
  const kind = errors('name: a\nkind: seed-everything\nparams: {}\n');
  assert.deepEqual(
    kind.map((e) => [e.field, e.line]),
    [['kind', 2]],
  );
  assert.equal(errors('name: "../escape"\nkind: verify\nparams: { cache: a.mbtiles }\n')[0]!.field, 'name');
  assert.equal(errors('name: a\nname: b\nkind: verify\nparams: { cache: a.mbtiles }\n')[0]!.line, 2, 'a key given twice is an error at its second place');
});

test('schedules: cron checked by croner, "every N" only where it divides the day or hour evenly, time zones real', () => {
  assert.deepEqual(scheduleToCron('every 6h'), { cron: '0 */6 * * *' });
  assert.deepEqual(scheduleToCron('every 24h'), { cron: '0 0 * * *' });
  assert.deepEqual(scheduleToCron('every 15m'), { cron: '*/15 * * * *' });
  assert.deepEqual(scheduleToCron('every 1d'), { cron: '0 0 * * *' });
  assert.match((scheduleToCron('every 5h') as { error: string }).error, /does not divide a day/);
  assert.match((scheduleToCron('every 2d') as { error: string }).error, /cron/);
  assert.match((scheduleToCron('at dawn') as { error: string }).error, /not a cron expression/);
  assert.deepEqual(scheduleToCron(' 30 2 * * 1-5 '), { cron: '30 2 * * 1-5' });
  const base = 'name: a\nkind: verify\nparams: { cache: a.mbtiles }\n';
  assert.deepEqual(
    errors(`${base}schedule: every 7h\n`).map((e) => [e.field, e.line]),
    [['schedule', 4]],
  );
  assert.deepEqual(
    errors(`${base}timezone: Mars/Olympus\n`).map((e) => e.field),
    ['timezone'],
  );
});

test('refresh: a duration, on preseed plans only, and the plan sets the mode itself', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('0d'), null);
  assert.equal(parseDuration('7 days'), null);
  assert.deepEqual(
    errors('name: a\nkind: verify\nparams: { cache: a.mbtiles }\nrefresh: { olderThan: 7d }\n').map((e) => e.field),
    ['refresh'],
  );
  assert.deepEqual(
    errors(
      'name: a\nkind: preseed-raster\nparams: { datasets: [a.tif], minZoom: 0, maxZoom: 1, output: o.mbtiles, mode: overwrite }\nrefresh: { olderThan: 7d }\n',
    ).map((e) => e.field),
    ['params.mode'],
  );
  assert.deepEqual(
    errors('name: a\nkind: preseed-raster\nparams: { datasets: [a.tif], minZoom: 0, maxZoom: 1, output: o.mbtiles }\nrefresh: { olderThan: soon }\n').map(
      (e) => e.field,
    ),
    ['refresh.olderThan'],
  );
});
