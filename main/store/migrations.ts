/**
 * Numbered schema migrations: entry N takes the store from version N-1 to N.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: jobs, items, the append-only event log, tile issues, settings.
  `
  CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    priority      INTEGER NOT NULL DEFAULT 0,
    params        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    updated_at    TEXT    NOT NULL,
    done          INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    planned       INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    error_details TEXT,
    -- Lower-cased name, params and error messages: what the history's text filter searches.
    search_text   TEXT    NOT NULL DEFAULT ''
  );
  CREATE INDEX jobs_by_state   ON jobs (state, priority DESC, id);
  CREATE INDEX jobs_by_kind    ON jobs (kind, id);
  CREATE INDEX jobs_by_created ON jobs (created_at);

  CREATE TABLE job_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,
    label         TEXT    NOT NULL,
    spec          TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    done          INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    error_details TEXT,
    checkpoint    TEXT,
    result        TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    UNIQUE (job_id, ordinal)
  );
  CREATE INDEX job_items_by_state ON job_items (job_id, state);

  CREATE TABLE job_events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at      TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    message TEXT    NOT NULL,
    data    TEXT
  );
  CREATE INDEX job_events_by_job ON job_events (job_id, id);

  -- Append-only by design: nothing in the app updates or deletes single events.
  CREATE TRIGGER job_events_no_update BEFORE UPDATE ON job_events
  BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;

  CREATE TABLE tile_issues (
    job_id  INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL,
    z       INTEGER NOT NULL,
    x       INTEGER NOT NULL,
    y       INTEGER NOT NULL,
    issue   TEXT    NOT NULL,
    detail  TEXT    NOT NULL,
    PRIMARY KEY (job_id, z, x, y, issue)
  ) WITHOUT ROWID;

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,

  // 2: the local catalogue of datasets (main/catalog/catalog.ts). No foreign key to jobs: retention
  // may purge the job that made a dataset, and the dataset stays.
  `
  CREATE TABLE catalog_datasets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('vector', 'raster')),
    -- The file previews and preseeds read, and the folder that holds it and its side files.
    path        TEXT    NOT NULL UNIQUE,
    dir         TEXT    NOT NULL UNIQUE,
    layers      TEXT    NOT NULL,
    raster      TEXT,
    bounds      TEXT,
    size_bytes  INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    job_id      INTEGER,
    preview     TEXT,
    thumbnail   TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    -- Lower-cased name, source and layer names: what the catalogue's text filter searches.
    search_text TEXT    NOT NULL DEFAULT ''
  );
  CREATE INDEX catalog_by_kind ON catalog_datasets (kind, id);
  `,

  // 3: the history at a million jobs (issue 14.6). Every filtered first page must stop after its
  // rows: listJobs (main/store/job-history.ts) reads one index range per state, kind or (state, kind)
  // in id order and merges them, so none of them sorts a whole state's jobs. jobs_by_state
  // (state, priority DESC, id) stays: it is the scheduler's order for queued jobs.
  // Text search goes through an FTS5 trigram index over search_text (substring matching, like the
  // LIKE '%…%' it replaces for queries of 3+ characters). External content: the text is stored
  // once, in jobs; the triggers keep the index in step with every insert, search_text update and
  // delete (retention's purge included), and 'rebuild' fills it from the jobs already there.
  `
  -- created_at rides along so a date range is checked in the index before any row is read:
  -- state=failed in one month of 1,000,000 jobs took 8.2 s cold reading rows, 0.12 s reading entries.
  CREATE INDEX jobs_by_state_id   ON jobs (state, id, created_at);
  CREATE INDEX jobs_by_state_kind ON jobs (state, kind, id, created_at);
  DROP INDEX jobs_by_kind;
  CREATE INDEX jobs_by_kind       ON jobs (kind, id, created_at);

  CREATE VIRTUAL TABLE jobs_fts USING fts5 (search_text, content = 'jobs', content_rowid = 'id', tokenize = 'trigram', detail = 'full');
  CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, search_text) VALUES (new.id, new.search_text);
  END;
  CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  END;
  CREATE TRIGGER jobs_fts_update AFTER UPDATE OF search_text ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO jobs_fts (rowid, search_text) VALUES (new.id, new.search_text);
  END;
  INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');
  `,
  // 4: where a retried attempt starts its counting. An item resumes from its checkpoint, so its
  // counters go back to what they were when that checkpoint was saved (checkpoint_counters); an
  // item without one starts over, from nothing done and its planned total (planned_total). Before,
  // an attempt continued from the counters the failed one left, and done passed total.
  `
  ALTER TABLE job_items ADD COLUMN planned_total INTEGER;
  ALTER TABLE job_items ADD COLUMN checkpoint_counters TEXT;
  `,
  // 5: units a job planned but found it need not make (a vector preseed's empty tiles, a raster
  // preseed's fully transparent ones). They leave the total as they are found, so a finished job's
  // done is its total, and `skipped` says how far below the plan it ended (issue 15.1).
  `
  ALTER TABLE jobs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE job_items ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
  `,
  // 6: what the engine applied of each plan of each plan source (main/plans/, issue 17). The
  // definition applied is kept whole (canonical JSON), not just its hash, so a reconcile can say
  // which fields changed. No foreign key to jobs: retention may purge the job, the record stays.
  // removed_at: the plan left its source; its outputs stay, its schedule stops.
  `
  CREATE TABLE plan_records (
    source      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    file        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    definition  TEXT    NOT NULL,
    job_id      INTEGER,
    applied_at  TEXT    NOT NULL,
    removed_at  TEXT,
    -- The schedule: the last instant it was handled (a run started or skipped), and how many
    -- due runs were skipped because the plan's previous job was still active.
    scheduled_at  TEXT,
    skipped_runs  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, name)
  ) WITHOUT ROWID;
  `,
  // 7: how long a job has run, summed over its attempts (run_ms), and when its current run began
  // (run_started_at, null while it is not running). started_at stays the first start; a job
  // retried after a day "ran" for its attempts, not for the day. Finished jobs of earlier versions
  // get their first-start-to-finish time, the best there is for them.
  `
  ALTER TABLE jobs ADD COLUMN run_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN run_started_at TEXT;
  UPDATE jobs SET run_ms = CAST(ROUND((julianday(finished_at) - julianday(started_at)) * 86400000) AS INTEGER)
    WHERE started_at IS NOT NULL AND finished_at IS NOT NULL;
  UPDATE jobs SET run_started_at = COALESCE(started_at, updated_at) WHERE state IN ('running', 'cancelling');
  `,
  // 8: tile caches the user added to the Caches screen by hand (listed = 1), and caches jobs named
  // that the user removed from the list (listed = 0; shown again once a newer job names them).
  // Keyed by the resolved path; jobs' caches themselves are read from the jobs, not copied here.
  `
  CREATE TABLE tile_caches (
    path        TEXT    PRIMARY KEY,
    listed      INTEGER NOT NULL,
    changed_at  TEXT    NOT NULL
  ) WITHOUT ROWID;
  `,
  // 9: STAC records other servers sent to this one through the Transactions extension (issue 17):
  // a collection (item = '') or an item, whole, as received. Kept apart from what this Tessera
  // holds (those are derived from the catalogue and the jobs, never stored), and served beside it.
  `
  CREATE TABLE stac_records (
    collection  TEXT    NOT NULL,
    item        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (collection, item)
  ) WITHOUT ROWID;
  `,
  // 10: the history's date ranges and short texts at a million jobs (issue 14.6).
  // Dates: ids and creation times rise together unless the clock went back between two jobs, so
  // a date range is a range of ids, found in two look-ups in jobs_by_created, and a page walks ids
  // (or a state's ids) down from the range's end and stops after its rows, instead of reading
  // every job of the range or every job newer than it (61–64 ms cold for one month). Where the
  // clock went back, the ids are not in step: jobs_created_backsteps records each job created
  // earlier than the job before it (the trigger, and the jobs already there by a window over
  // them), and listJobs (job-history.ts) takes a range's end as an id only where no such step
  // lies beyond it. A purged job's step stays recorded: it can only make a bound be ignored.
  // Short texts: trigrams need 3 characters; 1–2 characters match the start of a job's name,
  // which begins search_text (the store writes `${name} ${params}` lower-cased), through an
  // index of its first one and its first two characters kept in id order: a LIKE '%zz%' walk
  // read every job (9.5 s cold) to find none.
  `
  CREATE TABLE jobs_created_backsteps (id INTEGER PRIMARY KEY);
  INSERT INTO jobs_created_backsteps (id)
    SELECT id FROM (SELECT id, created_at, lag(created_at) OVER (ORDER BY id) AS before FROM jobs) WHERE created_at < before;
  CREATE TRIGGER jobs_created_backstep AFTER INSERT ON jobs
    WHEN new.created_at < (SELECT created_at FROM jobs WHERE id < new.id ORDER BY id DESC LIMIT 1)
  BEGIN
    INSERT OR IGNORE INTO jobs_created_backsteps (id) VALUES (new.id);
  END;
  -- created_at is never changed by Tessera; if something does, that job's place in time is unknown.
  CREATE TRIGGER jobs_created_changed AFTER UPDATE OF created_at ON jobs BEGIN
    INSERT OR IGNORE INTO jobs_created_backsteps (id) VALUES (new.id);
  END;
  -- state and kind ride along, checked in the index before a row is read (as created_at in jobs_by_state_id):
  -- failed jobs whose name starts with "mi" read 199 ms cold of rows without them.
  CREATE INDEX jobs_by_initial  ON jobs (substr(search_text, 1, 1), id, state, kind);
  CREATE INDEX jobs_by_initials ON jobs (substr(search_text, 1, 2), id, state, kind);
  `,
];
