/**
 * A job's items (one per dataset, layer, file or zoom level): sortable by any column and
 * filterable by state and text, in the console over the items loaded. The items are paged from
 * the engine by cursor; a job with up to AUTO_LOAD_ALL items is loaded whole at once, a larger one
 * on request, so that sorting and filtering see every item.
 */
import { useEffect, useMemo, useState } from 'react';
import { ITEM_STATES, type JobItem, type JobSummary, unitOf } from '../../shared/contract.js';
import type { ProgressUnit } from '../../shared/format.js';
import { type ShownItemState, type ShownState, shownItemStates } from '../../shared/item-parts.js';
import { formatBytes } from '../storage/bytes.js';
import { type ItemColumn, type ItemSort, filterItems, itemQuery, itemStateFromQuery, nextSort, sortItems } from './item-rows.js';
import { useHashQuery } from '../shell/hash-query.js';
import { useJobItems } from '../data/job-queries.js';
import { SearchInput } from '../forms/inputs.js';
import { ErrorDetails } from './error-details.js';
import { withoutLabel } from './error-text.js';

/** Jobs with at most this many items are loaded whole without asking. */
export const AUTO_LOAD_ALL = 5000;
/** Rows drawn at most; the filter narrows the rest down. */
const MAX_ROWS = 500;
/** The states a row can show: an item's own, and partial for a staged file with some layers failed. */
const SHOWN_STATES: readonly ShownState[] = [...ITEM_STATES.slice(0, 3), 'partial', ...ITEM_STATES.slice(3)];

/**
 * The table's header cells, each with the columns it sorts by. The error's code and its message
 * share one cell (the code above the message), so that the message keeps a readable width in a
 * 1024-px window without the table scrolling sideways; its header is one plain title, "Error",
 * sorting by the code (a sort by message stays reachable from the address, `sort=errorMessage`).
 */
const COLUMNS: readonly { key: string; sorts: readonly { column: ItemColumn; title: string }[]; numeric?: boolean }[] = [
  { key: 'label', sorts: [{ column: 'label', title: 'Item' }] },
  { key: 'state', sorts: [{ column: 'state', title: 'State' }] },
  { key: 'attempts', sorts: [{ column: 'attempts', title: 'Attempts' }], numeric: true },
  { key: 'progress', sorts: [{ column: 'progress', title: 'Done / total' }], numeric: true },
  { key: 'failed', sorts: [{ column: 'failed', title: 'Failed' }], numeric: true },
  { key: 'bytes', sorts: [{ column: 'bytes', title: 'Bytes' }], numeric: true },
  { key: 'error', sorts: [{ column: 'errorCode', title: 'Error' }] },
];

/**
 * The item table of one job; loads its items itself, sorts and filters them in place. `onGiveCrs`
 * (when the job's kind can take a CRS on a retry) puts "Retry with CRS…" on items that failed without one.
 */
export function ItemTable({ job, onGiveCrs }: { job: JobSummary; onGiveCrs?: () => void }) {
  const items = useJobItems(job.id);
  const [loadAllAsked, setLoadAll] = useState(false);
  // Decided on every render: a job planned after the screen opened may turn out large.
  const loadAll = loadAllAsked || job.items.total <= AUTO_LOAD_ALL;
  const [sort, setSort] = useState<ItemSort | null>(null);
  const [state, setState] = useState<ShownState | null>(null);
  const [text, setText] = useState('');
  // Sort and filter live in the address too (#/jobs/7?sort=failed.desc&state=failed): a reload or a shared link keeps them.
  useHashQuery('job', `#/jobs/${job.id}`, itemQuery(sort, { state, text }), (params) => {
    const asked = itemStateFromQuery(params, SHOWN_STATES);
    setSort(asked.sort);
    setState(asked.state);
    setText(asked.text);
  });
  // An ingest counts bytes: its done / total read in units, not as 61,568 / 61,568.
  const unit = unitOf(job.kind);

  const { hasNextPage, isFetchingNextPage, isFetching, fetchNextPage } = items;
  // The page count is a dependency too: a fast page can start and finish between two renders,
  // leaving every flag as it was.
  const pageCount = items.data?.pages.length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: pageCount re-runs the effect when a page lands (see above)
  useEffect(() => {
    if (loadAll && hasNextPage && !isFetchingNextPage && !isFetching) void fetchNextPage();
  }, [loadAll, hasNextPage, isFetchingNextPage, isFetching, fetchNextPage, pageCount]);

  const loaded = useMemo(() => items.data?.pages.flatMap((p) => p.rows) ?? [], [items.data]);
  // What each row shows, once: the filter, its counts and the rows all read it, as the header's counts do.
  const shownStates = useMemo(() => shownItemStates(loaded), [loaded]);
  const shown = useMemo(
    () =>
      sortItems(
        filterItems(loaded, { state, text }, (item) => shownStates.get(item)?.state ?? item.state),
        sort,
      ),
    [loaded, shownStates, state, text, sort],
  );
  const counts = useMemo(() => {
    const byState: Partial<Record<ShownState, number>> = {};
    for (const { state } of shownStates.values()) byState[state] = (byState[state] ?? 0) + 1;
    return byState;
  }, [shownStates]);

  return (
    <section className="panel items" aria-labelledby="items-title">
      <div className="panel-head">
        <h3 id="items-title">Items</h3>
        <select
          aria-label="Filter by state"
          value={state ?? ''}
          onChange={(e) => setState(e.currentTarget.value === '' ? null : (e.currentTarget.value as ShownState))}
        >
          <option value="">All states ({loaded.length.toLocaleString()})</option>
          {SHOWN_STATES.filter((s) => s !== 'partial' || counts.partial || state === 'partial').map((s) => (
            <option key={s} value={s}>
              {s} ({(counts[s] ?? 0).toLocaleString()})
            </option>
          ))}
        </select>
        <SearchInput label="Filter by item or error" placeholder="Filter by item, error code or message" value={text} onValue={setText} />
        <span className="muted small" data-testid="items-summary" aria-live="polite">
          {summary(shown.length, loaded.length, job.items.total)}
        </span>
      </div>

      {items.isPending && <p className="muted">Loading items…</p>}
      {items.error && (
        <p className="error" role="alert">
          Could not load the items: {items.error.message}
        </p>
      )}
      {items.isSuccess && loaded.length === 0 && (
        <p className="muted">{job.state === 'queued' ? 'Not planned yet: items appear when the job starts.' : 'This job has no items.'}</p>
      )}

      {loaded.length > 0 && (
        <div className="table-scroll">
          <table className="grid items-table">
            <thead>
              <tr>
                {COLUMNS.map(({ key, sorts, numeric }) => {
                  const sorted = sorts.some(({ column }) => sort?.column === column);
                  return (
                    <th
                      key={key}
                      className={numeric ? 'num' : `col-${key}`}
                      aria-sort={sorted ? (sort!.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
                    >
                      {sorts.map(({ column, title }, i) => (
                        <span key={column}>
                          {i > 0 && <span className="muted"> · </span>}
                          <button type="button" className="sort" data-column={column} onClick={() => setSort((s) => nextSort(s, column))}>
                            {title}
                            <span aria-hidden="true" className="sort-mark">
                              {sort?.column === column ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                            </span>
                          </button>
                        </span>
                      ))}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, MAX_ROWS).map((item) => (
                <ItemRow key={item.id} item={item} shownState={shownStates.get(item) ?? { state: item.state, note: null }} unit={unit} onGiveCrs={onGiveCrs} />
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length} className="muted">
                    No loaded item matches the filter.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {shown.length > MAX_ROWS && (
        <p className="muted small">
          Showing the first {MAX_ROWS.toLocaleString()} of {shown.length.toLocaleString()} matching items; narrow the filter to see the rest.
        </p>
      )}
      {hasNextPage && !loadAll && (
        <p className="muted small">
          Sorting and filtering cover the {loaded.length.toLocaleString()} items loaded so far.{' '}
          <button type="button" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            Load more
          </button>{' '}
          <button type="button" onClick={() => setLoadAll(true)}>
            Load all {job.items.total.toLocaleString()}
          </button>
        </p>
      )}
      {loadAll && hasNextPage && (
        <p className="muted small">
          Loading items… {loaded.length.toLocaleString()} of {job.items.total.toLocaleString()}
        </p>
      )}
    </section>
  );
}

function summary(shown: number, loaded: number, total: number): string {
  const of = loaded < total ? ` (${loaded.toLocaleString()} of ${total.toLocaleString()} loaded)` : '';
  if (shown === loaded) return `${loaded.toLocaleString()} item${loaded === 1 ? '' : 's'}${of}`;
  return `${shown.toLocaleString()} of ${loaded.toLocaleString()} items match${of}`;
}

function ItemRow({
  item,
  shownState,
  unit,
  onGiveCrs,
}: {
  item: JobItem;
  shownState: ShownItemState;
  unit: ProgressUnit;
  onGiveCrs: (() => void) | undefined;
}) {
  const pct = item.total > 0 ? Math.min(100, (100 * item.done) / item.total) : 0;
  return (
    <tr data-testid={`item-${item.id}`} data-state={item.state} data-shown-state={shownState.state} data-label={item.label}>
      <td className="label">{item.label}</td>
      <td>
        {/* A staged file is as good as its layers: "coast.shp failed" beside its failed layer, not "succeeded". */}
        <span className={`pill state-${shownState.state}`} title={shownState.note ?? undefined}>
          {shownState.state}
        </span>
        {shownState.note && (
          <div className="muted small" data-testid="item-state-note">
            {shownState.note}
          </div>
        )}
      </td>
      <td className="num" data-column="attempts">
        {item.attempts}
      </td>
      <td className="num progress">
        <span title={`${Math.round(pct)}%`}>
          {unit === 'bytes' ? `${formatBytes(item.done)} / ${formatBytes(item.total)}` : `${item.done.toLocaleString()} / ${item.total.toLocaleString()}`}
        </span>
      </td>
      <td className={`num${item.failed > 0 ? ' error' : ''}`}>{item.failed.toLocaleString()}</td>
      <td className="num" title={`${item.bytes.toLocaleString()} bytes`}>
        {formatBytes(item.bytes)}
      </td>
      <td className="message">
        {item.error && (
          <>
            <div>{withoutLabel(item.error.message, item.label)}</div>
            {item.error.code === 'NO_GEOREFERENCE' && onGiveCrs && item.state === 'failed' && (
              <button type="button" className="give-crs" onClick={onGiveCrs}>
                Retry with CRS…
              </button>
            )}
            <ErrorDetails error={item.error} />
          </>
        )}
      </td>
    </tr>
  );
}
