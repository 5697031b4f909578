import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { JOB_KINDS, JOB_STATES, type JobFilter, type JobKind, type JobState } from '../../shared/contract.js';
import { type Db, latestVersion, openDatabase, schemaVersion } from './database.js';
import { JobStore } from './job-store.js';
import { MIGRATIONS } from './migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-job-query-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Pieces of names and paths: unicode, case, quotes, LIKE's % _ \ and FTS5's query syntax. */
const WORDS = [
  'Zürich',
  'ZÜRICH',
  'straße',
  'İstanbul',
  'ΣΟΦΙΑ',
  'σοφια',
  '東京',
  '🗺️tiles',
  'naïve',
  'e\u0301',
  "o'neil",
  'say "hi"',
  '100%',
  'a_b',
  'c:\\tmp',
  'x*',
  '-neg',
  'OR',
  'AND',
  'NOT',
  'NEAR(a b)',
  '^start',
  '(x)',
  'col:val',
  'roads',
  'water',
  '  ',
  'tab\there',
];
const START = Date.parse('2024-01-01T00:00:00Z');

function seeded(name: string, jobs: number, seed: number): { store: JobStore; db: Db; at: (i: number) => string } {
  const db = openDatabase(join(dir, `${name}.sqlite`));
  let now = START;
  const store = new JobStore(db, { clock: () => new Date(now) });
  const r = fc.sample(fc.array(fc.nat({ max: 1_000_000 }), { minLength: jobs * 6, maxLength: jobs * 6 }), { seed, numRuns: 1 })[0]!;
  let k = 0;
  const next = (n: number) => r[k++ % r.length]! % n;
  const setState = db.prepare('UPDATE jobs SET state = ? WHERE id = ?');
  for (let i = 0; i < jobs; i++) {
    now = START + i * 3_600_000;
    const words = Array.from({ length: 1 + next(3) }, () => WORDS[next(WORDS.length)]!);
    const kind = JOB_KINDS[next(JOB_KINDS.length)]!;
    const job = store.createJob({ kind, name: words.join(' '), params: { cache: `/c/${WORDS[next(WORDS.length)]}.mbtiles` } as never, priority: 0 });
    const roll = next(10);
    if (roll < 3) {
      // Through the store: the error message is appended to search_text (the update trigger).
      store.transitionJob(job.id, 'running');
      store.transitionJob(job.id, 'failed', { error: { code: 'INTERNAL', message: `boom ${WORDS[next(WORDS.length)]}` } });
    } else {
      setState.run(JOB_STATES[next(JOB_STATES.length)]!, job.id);
    }
  }
  return { store, db, at: (i) => new Date(START + i * 3_600_000).toISOString() };
}

/** Every id listJobs pages through for `filter`, `pageSize` at a time. */
function allPages(store: JobStore, filter: JobFilter, pageSize: number): number[] {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page = store.listJobs(filter, cursor, pageSize);
    ids.push(...page.rows.map((j) => j.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

/**
 * The plain answer: one scan, newest first; text of 3+ characters as LIKE finds it, 1–2 characters
 * at the start of the name (which begins search_text).
 */
function oracle(db: Db, filter: JobFilter): number[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.states?.length) where.push(`state IN (${filter.states.map(() => '?').join(',')})`), args.push(...filter.states);
  if (filter.kinds?.length) where.push(`kind IN (${filter.kinds.map(() => '?').join(',')})`), args.push(...filter.kinds);
  if (filter.createdFrom) where.push('created_at >= ?'), args.push(new Date(filter.createdFrom).toISOString());
  if (filter.createdTo) where.push('created_at <= ?'), args.push(new Date(filter.createdTo).toISOString());
  const text = filter.text?.toLowerCase() ?? '';
  if ([...text].length >= 3) where.push(`search_text LIKE ? ESCAPE '\\'`), args.push(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  else if (text) where.push('name_starts(name, ?)'), args.push(text);
  // The name as the console shows it, folded as the search folds it: not the stored search_text.
  db.function('name_starts', { deterministic: true }, (name, start) => (String(name).toLowerCase().startsWith(String(start)) ? 1 : 0));
  return (
    db.prepare(`SELECT id FROM jobs NOT INDEXED ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`).all(...args) as { id: number }[]
  ).map((r) => r.id);
}

/** FTS5's own check of an external-content index against the jobs table (rank 1: compare with the content). */
function assertFtsInStep(db: Db): void {
  db.prepare(`INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('integrity-check', 1)`).run();
}

test('text search through the trigram index finds exactly what LIKE finds (property)', () => {
  const { store, db } = seeded('text', 400, 14);
  assertFtsInStep(db);
  const texts: string[] = (db.prepare('SELECT search_text FROM jobs').all() as { search_text: string }[]).map((r) => r.search_text);
  // Queries cut from stored text (so most match), and free strings over the same pieces (most do not).
  const fromStored = fc
    .tuple(fc.nat({ max: texts.length - 1 }), fc.nat({ max: 200 }), fc.integer({ min: 1, max: 12 }), fc.boolean())
    .map(([row, start, length, upper]) => {
      const chars = [...texts[row]!];
      const s = start % chars.length;
      const cut = chars.slice(s, s + length).join('');
      return upper ? cut.toUpperCase() : cut;
    });
  const free = fc
    .array(fc.constantFrom(...WORDS, '"', '""', '*', '-', ' OR ', '%', '_', '\\', 'é', 'ß', 'zz'), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.oneof(fromStored, free), (text) => {
      assert.deepEqual(allPages(store, { text }, 1000), oracle(db, { text }), JSON.stringify(text));
    }),
    { numRuns: 400, seed: 14 },
  );
});

test('every filter pages through exactly the jobs a plain scan finds (property)', () => {
  const { store, db, at } = seeded('filters', 300, 7);
  const filter = fc.record(
    {
      states: fc.subarray([...JOB_STATES] as JobState[], { minLength: 1 }),
      kinds: fc.subarray([...JOB_KINDS] as JobKind[], { minLength: 1 }),
      text: fc.constantFrom('zürich', 'boom', 'ro', '"hi"', 'mbtiles', 'naïve', '100%'),
      createdFrom: fc.nat({ max: 300 }).map(at),
      createdTo: fc.nat({ max: 300 }).map(at),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(filter, fc.integer({ min: 1, max: 40 }), (f, pageSize) => {
      assert.deepEqual(allPages(store, f, pageSize), oracle(db, f));
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('the index follows updates and retention purges', () => {
  let now = Date.parse('2024-01-01T00:00:00Z');
  const db = openDatabase(join(dir, 'purge.sqlite'));
  const store = new JobStore(db, { clock: () => new Date(now) });
  const old = store.createJob({ kind: 'verify', name: 'Old Kraków job', params: { cache: '/c/a.mbtiles' } as never, priority: 0 });
  store.transitionJob(old.id, 'running');
  store.transitionJob(old.id, 'failed', { error: { code: 'INTERNAL', message: 'Quokka exploded' } });
  now += 10 * 86_400_000;
  const young = store.createJob({ kind: 'verify', name: 'young kraków job', params: { cache: '/c/b.mbtiles' } as never, priority: 0 });
  const ids = (text: string) => store.listJobs({ text }).rows.map((j) => j.id);
  assert.deepEqual(ids('quokka'), [old.id], 'an error appended by a transition is searchable');
  assert.deepEqual(ids('kraków'), [young.id, old.id]);
  assert.equal(store.purgeFinishedBefore(new Date(now - 86_400_000)), 1);
  assert.deepEqual(ids('kraków'), [young.id], 'a purged job leaves the index');
  assert.deepEqual(ids('quokka'), []);
  assertFtsInStep(db);
  assert.equal((db.prepare(`SELECT count(*) AS n FROM jobs_fts WHERE jobs_fts MATCH '"old"'`).get() as { n: number }).n, 0);
});

test('migrating a store that already holds jobs backfills the text index', () => {
  const file = join(dir, 'old-store.sqlite');
  const raw = new Database(file);
  // The store as Tessera left it before migration 3.
  for (const [i, sql] of MIGRATIONS.slice(0, 2).entries()) {
    raw.exec(sql);
    raw.pragma(`user_version = ${i + 1}`);
  }
  const insert = raw.prepare(`INSERT INTO jobs (kind, name, state, params, created_at, updated_at, search_text) VALUES ('ingest', ?, 'failed', '{}', ?, ?, ?)`);
  for (let i = 0; i < 50; i++)
    insert.run(
      `job ${i}`,
      `2024-01-0${1 + (i % 9)}T00:00:00.000Z`,
      '2024-01-01T00:00:00.000Z',
      `job ${i} ${i % 5 === 0 ? 'gdal could not open île.tif' : 'fine'}`,
    );
  raw.close();

  const db = openDatabase(file);
  assert.equal(schemaVersion(db), latestVersion());
  assertFtsInStep(db);
  const store = new JobStore(db);
  const found = store.listJobs({ text: 'could not open île' }).rows.map((j) => j.id);
  assert.equal(found.length, 10);
  assert.deepEqual(found, oracle(db, { text: 'could not open île' }));
  // And the trigram index, not a scan, answered it.
  assert.equal(store.pageQuery({ text: 'could not open île' }, undefined, 101).driver, 'text');
});

test('EXPLAIN QUERY PLAN: every filtered page reads an index in id order, with no sort', () => {
  const { store, db, at } = seeded('plans', 300, 3);
  db.exec('ANALYZE');
  const plan = (filter: JobFilter, lastId?: number) => {
    const q = store.pageQuery(filter, lastId, 101);
    return { driver: q.driver, detail: (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.args) as { detail: string }[]).map((r) => r.detail).join('\n') };
  };
  const cases: [JobFilter, string, RegExp][] = [
    [{}, 'id', /SCAN jobs|SEARCH jobs USING INTEGER PRIMARY KEY/],
    [{ states: ['failed'] }, 'state', /USING INDEX jobs_by_state_id \(state=\?/],
    [{ states: ['failed', 'partial', 'interrupted'] }, 'state', /MERGE \(UNION ALL\)[\s\S]*jobs_by_state_id/],
    [{ kinds: ['ingest'] }, 'kind', /USING INDEX jobs_by_kind \(kind=\?/],
    [{ kinds: ['ingest', 'verify'] }, 'kind', /MERGE \(UNION ALL\)[\s\S]*jobs_by_kind/],
    [{ states: ['failed'], kinds: ['ingest'] }, 'state-kind', /USING INDEX jobs_by_state_kind \(state=\? AND kind=\?/],
    [{ states: ['failed', 'queued'], kinds: ['ingest', 'verify'] }, 'state-kind', /MERGE \(UNION ALL\)[\s\S]*jobs_by_state_kind/],
    [{ text: 'zürich' }, 'text', /jobs_fts VIRTUAL TABLE/],
    [{ text: 'zürich', states: ['failed', 'queued'], kinds: ['ingest'], createdFrom: at(10) }, 'text', /jobs_fts VIRTUAL TABLE/],
    [{ text: 'zz' }, 'initials', /USING INDEX jobs_by_initials \(<expr>=\?/],
    [{ text: 'z', states: ['failed'] }, 'initials', /USING INDEX jobs_by_initial \(<expr>=\?/],
    // A recent range: walk ids down from the newest (few jobs are newer than the range).
    [{ createdFrom: at(280) }, 'id', /USING INTEGER PRIMARY KEY|SCAN jobs/],
    // An old range: its ids are known (the clock never went back here), so the walk starts at its newest.
    [{ createdFrom: at(10), createdTo: at(20) }, 'id', /SEARCH jobs USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/],
    [{ states: ['failed'], createdFrom: at(10), createdTo: at(20) }, 'state', /USING INDEX jobs_by_state_id \(state=\? AND id>\? AND id<\?\)/],
    [{ text: 'zürich', createdFrom: at(10), createdTo: at(20) }, 'text', /jobs_fts VIRTUAL TABLE/],
  ];
  for (const [filter, driver, uses] of cases) {
    for (const lastId of [undefined, 200]) {
      const p = plan(filter, lastId);
      assert.equal(p.driver, driver, JSON.stringify(filter));
      assert.match(p.detail, uses, `${JSON.stringify(filter)}:\n${p.detail}`);
      assert.doesNotMatch(p.detail, /TEMP B-TREE/, `${JSON.stringify(filter)} sorts:\n${p.detail}`);
    }
  }
  // Where the clock went back, a range's ids are not known: an old range with many newer jobs
  // then reads its ids from jobs_by_created alone and sorts only those (never the rows).
  db.prepare('INSERT INTO jobs_created_backsteps (id) VALUES (?)').run(295);
  const old = plan({ createdFrom: at(10), createdTo: at(20) });
  assert.equal(old.driver, 'created');
  assert.match(old.detail, /COVERING INDEX jobs_by_created \(created_at>\? AND created_at<\?\)/);
  assert.match(old.detail, /SEARCH jobs USING INTEGER PRIMARY KEY \(rowid=\?\)/);
});

test('dates where the clock went back: every page is still exactly what a plain scan finds (property)', () => {
  // Hours that mostly rise and sometimes step back a day, and jobs purged in between.
  const db = openDatabase(join(dir, 'backsteps.sqlite'));
  let now = START;
  const store = new JobStore(db, { clock: () => new Date(now) });
  const steps = fc.sample(fc.array(fc.integer({ min: -2, max: 10 }), { minLength: 300, maxLength: 300 }), { seed: 5, numRuns: 1 })[0]!;
  for (const [i, step] of steps.entries()) {
    now += (step < 0 ? -12 : step) * 3_600_000;
    store.createJob({ kind: JOB_KINDS[i % JOB_KINDS.length]!, name: `job ${i}`, params: { cache: `/c/${i}.mbtiles` } as never, priority: 0 });
  }
  db.prepare('DELETE FROM jobs WHERE id % 7 = 0').run();
  const recorded = (db.prepare('SELECT count(*) AS n FROM jobs_created_backsteps').get() as { n: number }).n;
  assert.ok(recorded > 3, `the clock went back ${recorded} times`);
  const hour = (h: number) => new Date(START + h * 3_600_000).toISOString();
  const { first, last } = db.prepare('SELECT min(created_at) AS first, max(created_at) AS last FROM jobs').get() as { first: string; last: string };
  const [low, high] = [first, last].map((t) => Math.round((Date.parse(t) - START) / 3_600_000)) as [number, number];
  const filter = fc.record(
    {
      states: fc.constant(['queued'] as JobState[]),
      text: fc.constantFrom('job', 'jo', 'j', '1'),
      createdFrom: fc.integer({ min: low - 5, max: high + 5 }).map(hour),
      createdTo: fc.integer({ min: low - 5, max: high + 5 }).map(hour),
    },
    { requiredKeys: ['createdFrom'] },
  );
  fc.assert(
    fc.property(filter, fc.integer({ min: 1, max: 30 }), (f, pageSize) => {
      assert.deepEqual(allPages(store, f, pageSize), oracle(db, f));
    }),
    { numRuns: 300, seed: 5 },
  );
});

test('migration 10 records where the clock already went back in a store that holds jobs', () => {
  const file = join(dir, 'before-10.sqlite');
  const raw = new Database(file);
  for (const [i, sql] of MIGRATIONS.slice(0, 9).entries()) {
    raw.exec(sql);
    raw.pragma(`user_version = ${i + 1}`);
  }
  const insert = raw.prepare(
    `INSERT INTO jobs (kind, name, state, params, created_at, updated_at, search_text) VALUES ('verify', ?, 'succeeded', '{}', ?, ?, ?)`,
  );
  const hours = [0, 1, 2, 1, 3, 4, 0, 5];
  for (const [i, h] of hours.entries()) {
    const at = new Date(START + h * 3_600_000).toISOString();
    insert.run(`Job ${i}`, at, at, `job ${i} {}`);
  }
  raw.close();
  const db = openDatabase(file);
  assert.equal(schemaVersion(db), latestVersion());
  assert.deepEqual(
    (db.prepare('SELECT id FROM jobs_created_backsteps ORDER BY id').all() as { id: number }[]).map((r) => r.id),
    [4, 7],
  );
  const store = new JobStore(db);
  const f: JobFilter = { createdFrom: new Date(START + 3_600_000).toISOString(), createdTo: new Date(START + 3 * 3_600_000).toISOString() };
  assert.deepEqual(allPages(store, f, 2), oracle(db, f));
  assert.deepEqual(allPages(store, { text: 'Jo' }, 3), [8, 7, 6, 5, 4, 3, 2, 1]);
});
