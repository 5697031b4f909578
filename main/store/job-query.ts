/**
 * The SQL of one page of the job history (JobStore.listJobs), chosen so that SQLite walks an index
 * in id order and stops after the page's rows, at a million jobs as at ten. Pure: the store runs it.
 *
 * - text of 3+ characters: the FTS5 trigram index (migration 3) yields matching ids newest first;
 *   every other filter, and the LIKE the index stands in for, is checked on those rows, so the
 *   result is exactly what `search_text LIKE '%text%'` finds.
 * - text of 1–2 characters (a trigram index cannot answer it): jobs whose name starts with it,
 *   read from jobs_by_initial or jobs_by_initials (migration 10) in id order. A substring that short
 *   matches most jobs or, walking every job to find none, took 9.5 s over 1,000,000.
 * - states and/or kinds: one index range per state, kind or (state, kind) pair, each in id order
 *   (jobs_by_state_id, jobs_by_kind, jobs_by_state_kind), merged by UNION ALL. A single
 *   `state IN (…)` cannot be read in id order from any index, so SQLite sorted every job of those
 *   states (4.4 s for state=failed over 1,000,000 jobs, issue 14).
 * - created dates: as ids (`idRange`) when the store can tell them exactly, so every plan above
 *   starts at the range's newest id; else, for dates alone, see `byCreated`.
 * - nothing: the table itself, newest id first.
 */
import type { JobFilter } from '../../shared/contract.js';

export interface JobPageQuery {
  sql: string;
  args: Record<string, unknown>;
}

/** Which index drives the page: what the plan tests and the bench name. */
export type JobPageDriver = 'text' | 'initials' | 'state-kind' | 'state' | 'kind' | 'created' | 'id';

/** Trigrams need 3 characters (code points); shorter text matches the start of names. */
export const MIN_FTS_CHARACTERS = 3;

export interface JobPageOptions {
  /** The id of the last row of the previous page (keyset cursor). */
  lastId?: number;
  /** Rows to fetch (the caller asks one more than the page to know if there is a next page). */
  limit: number;
  /**
   * For a date range with no other filter: read the range from jobs_by_created and keep the
   * newest ids (true), or walk ids down from the newest and skip rows outside the range (false).
   * The first costs the rows in the range, the second the rows newer than it; the store estimates
   * both (JobStore.createdRangeIsSmaller). Both are exact.
   */
  byCreated?: boolean;
  /**
   * The ids a created-date range spans, where the store knows them exactly (JobHistory.createdIds):
   * no job outside [low, high] was created in the range. Either end may be unknown.
   */
  idRange?: { low?: number; high?: number };
}

/** Builds the page's SELECT; returns the driving index too. */
export function jobPageQuery(filter: JobFilter, options: JobPageOptions): JobPageQuery & { driver: JobPageDriver } {
  const args: Record<string, unknown> = { limit: options.limit };
  const states = [...new Set(filter.states ?? [])];
  const kinds = [...new Set(filter.kinds ?? [])];
  states.forEach((s, i) => (args[`s${i}`] = s));
  kinds.forEach((k, i) => (args[`k${i}`] = k));
  const inList = (column: string, prefix: string, n: number) => `${column} IN (${Array.from({ length: n }, (_, i) => `@${prefix}${i}`).join(', ')})`;
  // Conditions every row of the page meets, whatever drives the scan.
  const common: string[] = [];
  if (options.lastId !== undefined) {
    common.push('id < @lastId');
    args.lastId = options.lastId;
  }
  if (filter.createdFrom) {
    common.push('created_at >= @from');
    args.from = new Date(filter.createdFrom).toISOString();
  }
  if (filter.createdTo) {
    common.push('created_at <= @to');
    args.to = new Date(filter.createdTo).toISOString();
  }
  if (options.idRange?.high !== undefined) {
    common.push('id <= @highId');
    args.highId = options.idRange.high;
  }
  if (options.idRange?.low !== undefined) {
    common.push('id >= @lowId');
    args.lowId = options.idRange.low;
  }
  const text = filter.text ? filter.text.toLowerCase() : '';
  const characters = [...text].length;
  if (characters > 0 && characters < MIN_FTS_CHARACTERS) {
    // search_text begins with the name, lower-cased as `text` is; substr counts characters.
    const index = characters === 1 ? 'jobs_by_initial' : 'jobs_by_initials';
    args.initials = text;
    const where = [`substr(search_text, 1, ${characters}) = @initials`, ...common];
    if (states.length) where.push(inList('state', 's', states.length));
    if (kinds.length) where.push(inList('kind', 'k', kinds.length));
    return { sql: `SELECT * FROM jobs INDEXED BY ${index} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`, args, driver: 'initials' };
  }
  if (text) {
    // search_text is stored lower-cased, so LIKE (ASCII-case-insensitive) is plain substring search here.
    common.push(`search_text LIKE @like ESCAPE '\\'`);
    args.like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }

  if ([...text].length >= MIN_FTS_CHARACTERS) {
    // A quoted FTS5 string is literal but for its doubled quotes: no operator, column or prefix syntax.
    args.match = `"${text.replace(/"/g, '""')}"`;
    // jobs_fts has a search_text column too: every column of jobs is named with its table here.
    const where = ['jobs_fts MATCH @match', ...common.map((c) => (c.startsWith('id ') ? `jobs_fts.rowid ${c.slice(3)}` : `jobs.${c}`))];
    if (states.length) where.push(inList('jobs.state', 's', states.length));
    if (kinds.length) where.push(inList('jobs.kind', 'k', kinds.length));
    // CROSS JOIN keeps the FTS table outermost: it hands over rowids newest first (ORDER BY rowid DESC).
    const sql = `SELECT jobs.* FROM jobs_fts CROSS JOIN jobs ON jobs.id = jobs_fts.rowid WHERE ${where.join(' AND ')} ORDER BY jobs_fts.rowid DESC LIMIT @limit`;
    return { sql, args, driver: 'text' };
  }

  const arms: string[][] = [];
  let driver: JobPageDriver;
  let index: string;
  if (states.length && kinds.length) {
    driver = 'state-kind';
    index = 'jobs_by_state_kind';
    states.forEach((_, i) => kinds.forEach((_, j) => arms.push([`state = @s${i}`, `kind = @k${j}`])));
  } else if (states.length) {
    driver = 'state';
    index = 'jobs_by_state_id';
    states.forEach((_, i) => arms.push([`state = @s${i}`]));
  } else if (kinds.length) {
    driver = 'kind';
    index = 'jobs_by_kind';
    kinds.forEach((_, j) => arms.push([`kind = @k${j}`]));
  } else if ((filter.createdFrom || filter.createdTo) && options.byCreated) {
    // The range's ids come from the index alone, the newest kept by a bounded sort; then the rows.
    const sql = `SELECT * FROM jobs WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_by_created WHERE ${common.join(' AND ')} ORDER BY id DESC LIMIT @limit) ORDER BY id DESC`;
    return { sql, args, driver: 'created' };
  } else {
    // Unary + keeps SQLite off jobs_by_created: walking ids down is the plan chosen here.
    const where = common.map((c) => c.replace(/^created_at/, '+created_at'));
    return { sql: `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`, args, driver: 'id' };
  }
  // INDEXED BY: with statistics (ANALYZE) SQLite may judge a walk of every id cheaper for a
  // common state on a small store; a rare state on a big one then reads the whole table.
  const wheres = arms.map((arm) => [...arm, ...common].join(' AND '));
  const arm = (where: string) => `SELECT * FROM jobs INDEXED BY ${index} WHERE ${where}`;
  if (wheres.length === 1) return { sql: `${arm(wheres[0]!)} ORDER BY id DESC LIMIT @limit`, args, driver };
  // A compound ORDER BY is pushed into each arm, whose index range is already in id order, and
  // the arms are merged as co-routines: no sort, and the LIMIT stops every arm early.
  const sql = `${wheres.map(arm).join(' UNION ALL ')} ORDER BY id DESC LIMIT @limit`;
  return { sql, args, driver };
}
