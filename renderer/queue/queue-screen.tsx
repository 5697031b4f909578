/**
 * The Queue screen: filters on top, then the active jobs (running and queued, live), then the
 * virtualised history, paged by cursor as it scrolls. Rows change in place from `job.changed`
 * events (shell/engine-events.ts → job-cache.ts), so a history of 100,000 jobs is never refetched.
 */
import { codeOf } from '../data/job-queries.js';
import { EngineStopped } from '../shell/engine-stopped.js';
import { useEngineStatus } from '../shell/engine-status.js';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { type BulkOutcome, useBulkAction } from './job-actions.js';
import { ActiveJobs } from './active-jobs.js';
import { BulkBar, BulkOutcomePanel } from './bulk-bar.js';
import { FilterBar } from './filter-bar.js';
import { concurrencyText } from './format.js';
import { filtersFromQuery, filtersToQuery, hasFilters, isActive, splitFilter, toJobFilter } from './filters.js';
import { useHashQuery } from '../shell/hash-query.js';
import { HistoryList } from './history-list.js';
import { ACTIVE_LIMIT, HISTORY_PAGE_SIZE, queueKeys } from './job-cache.js';
import { useQueueUi } from './queue-store.js';
import { useDebounced } from './use-debounced.js';
import './queue.css';

/** The text filter is sent once typing pauses this long. */
export const SEARCH_DEBOUNCE_MS = 250;
/** A safety net for the active list should an event be lost (a socket reconnect): it is small. */
const ACTIVE_REFRESH_MS = 30_000;

/** The Queue screen (see the file comment). */
export function QueueScreen() {
  const filters = useQueueUi((s) => s.filters);
  const selected = useQueueUi((s) => s.selected);
  const setSelected = useQueueUi((s) => s.setSelected);
  const clearSelection = useQueueUi((s) => s.clearSelection);
  const clearFilters = useQueueUi((s) => s.clearFilters);
  // The filters live in the address too (#/queue?state=failed&q=…): a reload keeps them, a link shares them.
  useHashQuery('queue', '#/queue', filtersToQuery(filters), (params) => {
    const next = filtersFromQuery(params);
    // The same filters again (back from a job) keep the selection: setFilters would drop it.
    if (filtersToQuery(next) !== filtersToQuery(useQueueUi.getState().filters)) useQueueUi.getState().setFilters(next);
  });
  const text = useDebounced(filters.text, SEARCH_DEBOUNCE_MS);
  const { states, kinds, createdFrom, createdTo } = filters;
  const split = useMemo(() => splitFilter(toJobFilter({ states, kinds, createdFrom, createdTo, text })), [states, kinds, createdFrom, createdTo, text]);

  const queue = useQuery({ queryKey: queueKeys.queueState, queryFn: () => window.tessera.queue.get({}) });
  const active = useQuery({
    queryKey: queueKeys.active(split.active ?? {}),
    queryFn: () => window.tessera.jobs.list({ filter: split.active ?? {}, limit: ACTIVE_LIMIT }),
    enabled: split.active !== null,
    // While another filter's list loads, the last one stays (dimmed) rather than a blank screen.
    placeholderData: keepPreviousData,
    staleTime: ACTIVE_REFRESH_MS,
    refetchInterval: ACTIVE_REFRESH_MS,
  });
  const history = useInfiniteQuery({
    queryKey: queueKeys.history(split.history ?? {}),
    queryFn: ({ pageParam }) =>
      window.tessera.jobs.list({ filter: split.history ?? {}, limit: HISTORY_PAGE_SIZE, ...(pageParam === undefined ? {} : { cursor: pageParam }) }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: split.history !== null,
    placeholderData: keepPreviousData,
    // Events keep the cached pages current; a refetch would re-read every page loaded so far.
    staleTime: Infinity,
  });

  const activeRows = split.active === null ? [] : (active.data?.rows ?? []);
  // Running and queued jobs show on top, never in the history (its filter may not exclude them).
  const historyRows = useMemo(
    () => (split.history === null ? [] : (history.data?.pages.flatMap((p) => p.rows.filter((j) => !isActive(j.state))) ?? [])),
    [split.history, history.data],
  );
  const { fetchNextPage } = history;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const bulk = useBulkAction((result) => {
    setOutcome(result);
    setSelected(result.result.ok, false);
  });
  const onSelect = useCallback((ids: number[], on: boolean) => setSelected(ids, on), [setSelected]);

  const loading = (split.active !== null && active.isPending) || (split.history !== null && history.isPending);
  // Only an error with nothing to show takes over the screen: a failed background refresh keeps the rows.
  const error = (active.data === undefined ? active.error : null) ?? (history.data === undefined ? history.error : null);
  // Once the engine stopped restarting, nothing loads until Tessera restarts: say so, not "Loading…".
  const engine = useEngineStatus((s) => s.engine);
  const stopped = engine?.state === 'stopped' || codeOf(error) === 'ENGINE_STOPPED';
  const stoppedWhy = engine?.state === 'stopped' ? engine.message : error?.message;
  const filtered = hasFilters(filters);
  const nothing = !loading && !error && activeRows.length === 0 && historyRows.length === 0 && !history.hasNextPage;
  const q = queue.data;
  // A disabled section keeps showing nothing, not the last filter's placeholder.
  const updating = (split.active !== null && active.isPlaceholderData) || (split.history !== null && history.isPlaceholderData);
  const unlisted = split.active !== null && active.data?.nextCursor ? Math.max(0, (q?.queued ?? 0) + (q?.running ?? 0) - activeRows.length) : 0;

  return (
    <section className="queue-screen" aria-label="Queue" aria-busy={updating}>
      <FilterBar />
      <BulkBar
        selected={selected.size}
        busy={bulk.isPending}
        onAction={(action) => bulk.mutate({ action, ids: [...selected].slice(0, 10_000) })}
        onClear={clearSelection}
      />
      {outcome && <BulkOutcomePanel outcome={outcome} onDismiss={() => setOutcome(null)} />}
      {stopped ? (
        <EngineStopped why={stoppedWhy} />
      ) : loading ? (
        <LoadingRows />
      ) : error ? (
        <div className="panel panel-error" role="alert">
          <p>Could not load jobs: {error.message}</p>
          <button type="button" onClick={() => void Promise.all([active.refetch(), history.refetch()])}>
            Try again
          </button>
        </div>
      ) : nothing && !filtered ? (
        <div className="empty">
          <p>No jobs yet.</p>
          <ul className="small empty-actions" data-testid="queue-empty-actions">
            <li>
              <a href="#/preseed">Preseed</a> a tile cache from rasters or vector data;
            </li>
            <li>
              drop files on this window (or <a href="#/catalog">Catalogue</a> › Add files…) to ingest them;
            </li>
            <li>
              <a href="#/migrate">Migrate</a> ArcGIS layers into the catalogue;
            </li>
            <li>
              open a cache on the <a href="#/map">Map</a> and verify it there.
            </li>
          </ul>
          <p className="small muted">Jobs appear here as they run.</p>
        </div>
      ) : nothing ? (
        <div className="blank">
          <p>No jobs match these filters.</p>
          <button type="button" onClick={clearFilters}>
            Clear filters
          </button>
        </div>
      ) : (
        <>
          <section className="section active-section" aria-labelledby="queue-active-heading">
            <div className="section-head">
              <h2 id="queue-active-heading">Queue ({activeRows.length + unlisted})</h2>
              {q && <span className="small muted">{concurrencyText(q)}</span>}
              {q?.paused && <span className="badge badge-warn">paused — queued jobs wait</span>}
            </div>
            {split.active === null ? (
              <p className="none">The state filter leaves out running and queued jobs.</p>
            ) : (
              <ActiveJobs jobs={activeRows} queue={q} unlisted={unlisted} selected={selected} onSelect={onSelect} />
            )}
          </section>
          <section className="section history-section" aria-labelledby="queue-history-heading">
            <div className="section-head">
              <h2 id="queue-history-heading">History</h2>
              <span className="small muted" data-testid="history-count">
                {historyRows.length.toLocaleString('en')} {history.hasNextPage ? 'loaded, more as you scroll' : historyRows.length === 1 ? 'job' : 'jobs'}
              </span>
            </div>
            {split.history === null ? (
              <p className="none">The state filter leaves out finished jobs.</p>
            ) : historyRows.length === 0 && !history.hasNextPage ? (
              <p className="none">{filtered ? 'No finished jobs match these filters.' : 'No finished jobs yet.'}</p>
            ) : (
              <HistoryList
                rows={historyRows}
                hasMore={history.hasNextPage}
                loadingMore={history.isFetchingNextPage}
                loadMoreError={history.isFetchNextPageError ? history.error : null}
                loadMore={loadMore}
                selected={selected}
                onSelect={onSelect}
              />
            )}
          </section>
        </>
      )}
    </section>
  );
}

function LoadingRows() {
  return (
    <div className="loading" aria-busy="true">
      <p className="muted small">Loading jobs…</p>
      {Array.from({ length: 6 }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: six identical placeholders, never reordered
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}
