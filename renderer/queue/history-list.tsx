/**
 * The job history: every finished job, newest first, virtualised so that 100,000 rows scroll as
 * smoothly as 100. Only the rows in sight (plus a margin) are in the DOM, between two spacer rows
 * that keep the scroll height; the next page (`jobs.list` with the last page's cursor) is asked for
 * when the last rows come into sight.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { JobSummary } from '../../shared/contract.js';
import { JobRow } from './job-row.js';
import { COLUMN_COUNT, ColumnWidths, TableHead } from './job-table.js';

/** Every history row is this tall (CSS holds it to it), so the virtualiser never has to measure. */
export const ROW_HEIGHT = 52;
/** The sticky header row's height, above the first row inside the scroller. */
export const HEADER_HEIGHT = 34;
/** Rows rendered beyond each edge of the view, so a fast wheel does not show blank space. */
const OVERSCAN = 12;
/** Ask for the next page this many rows before the end comes into sight. */
const LOAD_AHEAD = 60;

interface HistoryListProps {
  rows: readonly JobSummary[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMoreError: Error | null;
  loadMore(): void;
  selected: ReadonlySet<number>;
  onSelect(ids: number[], on: boolean): void;
}

/** The virtualised history table; `loadMore` is asked for as its end comes into view. */
export function HistoryList({ rows, hasMore, loadingMore, loadMoreError, loadMore, selected, onSelect }: HistoryListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // One extra row at the end while more pages exist: it shows the loading (or failed) state.
  const count = rows.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    paddingStart: HEADER_HEIGHT,
    overscan: OVERSCAN,
    getItemKey: (index) => rows[index]?.id ?? 'more',
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && loadMoreError === null && lastIndex >= rows.length - LOAD_AHEAD) loadMore();
  }, [hasMore, loadingMore, loadMoreError, lastIndex, rows.length, loadMore]);

  const top = items.length > 0 ? items[0]!.start - HEADER_HEIGHT : 0;
  const bottom = items.length > 0 ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;

  return (
    <div ref={scroller} className="history-scroll" data-testid="history-scroll" tabIndex={-1}>
      <table className="jobs history" aria-rowcount={hasMore ? -1 : rows.length}>
        <ColumnWidths variant="history" />
        <TableHead variant="history" rows={rows} selected={selected} onSelect={onSelect} label="loaded history" />
        <tbody>
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer row, nothing in it takes the focus */}
          {top > 0 && <tr className="spacer" aria-hidden="true" style={{ height: top }} />}
          {items.map((item) => {
            const job = rows[item.index];
            if (job === undefined) {
              return (
                <tr key="more" className="more-row">
                  <td colSpan={COLUMN_COUNT}>
                    {loadMoreError ? (
                      <span className="error" role="alert">
                        Could not load more jobs: {loadMoreError.message}{' '}
                        <button type="button" onClick={loadMore}>
                          Try again
                        </button>
                      </span>
                    ) : (
                      <span className="muted">Loading more jobs…</span>
                    )}
                  </td>
                </tr>
              );
            }
            return <JobRow key={job.id} job={job} variant="history" index={item.index} selected={selected.has(job.id)} onSelect={onSelect} />;
          })}
          {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty spacer row, nothing in it takes the focus */}
          {bottom > 0 && <tr className="spacer" aria-hidden="true" style={{ height: bottom }} />}
        </tbody>
      </table>
    </div>
  );
}
