/**
 * The exact list of bad tiles a job found (corrupt, empty, oversized, failed), paged from the
 * engine, each with a way to look at it on the map (the map draws the job's bad tiles, and opens
 * on this one: renderer/map/issue-overlay.tsx). The map links back here to one row.
 */
import { type RefObject, useEffect, useMemo, useRef, useState } from 'react';
import type { TileIssue } from '../../shared/contract.js';
import { useUi } from '../ui-store.js';
import { useJobItems, useTileIssues } from '../data/job-queries.js';

/** The row to bring into view when the job's page opens next (set by the map's "Show in job's list"). */
let pendingFocus: { jobId: number; key: string } | null = null;

/**
 * Asks the next TileIssues of `jobId` to scroll to and mark the row of issue `key` (`z/x/y/kind`).
 * A hand-over between two screens rather than part of the job's address: it is a one-off jump, not
 * a place worth linking to.
 */
export function focusIssueOnOpen(jobId: number, key: string): void {
  pendingFocus = { jobId, key };
}

/** Pages read while looking for the focused row before giving up (500 rows each). */
const FOCUS_MAX_PAGES = 20;

/** `cachePath`: the cache the tiles are in, when the job names one, so each tile can be shown on the map. */
export function TileIssues({ jobId, cachePath }: { jobId: number; cachePath: string | null }) {
  const issues = useTileIssues(jobId);
  const items = useJobItems(jobId);
  const labels = useMemo(() => new Map(items.data?.pages.flatMap((p) => p.rows.map((i) => [i.id, i.label] as const)) ?? []), [items.data]);
  const rows = issues.data?.pages.flatMap((p) => p.rows) ?? [];
  const [focused] = useState(() => {
    const f = pendingFocus?.jobId === jobId ? pendingFocus.key : null;
    pendingFocus = null;
    return f;
  });
  const focusedRow = useRef<HTMLTableRowElement>(null);
  const found = focused !== null && rows.some((t) => issueKeyOf(t) === focused);
  const pages = issues.data?.pages.length ?? 0;
  useEffect(() => {
    if (focused === null) return;
    if (found) focusedRow.current?.scrollIntoView({ block: 'center' });
    else if (issues.hasNextPage && !issues.isFetchingNextPage && pages < FOCUS_MAX_PAGES) void issues.fetchNextPage();
  }, [focused, found, pages, issues.hasNextPage, issues.isFetchingNextPage, issues.fetchNextPage]);

  return (
    <section className="panel tile-issues" aria-labelledby="issues-title">
      <div className="panel-head">
        <h3 id="issues-title">Tile issues</h3>
        <span className="muted small" data-testid="issues-summary">
          {rows.length > 0 && `${rows.length.toLocaleString()}${issues.hasNextPage ? '+' : ''} tile${rows.length === 1 ? '' : 's'}`}
        </span>
        {rows.length > 0 && cachePath !== null && (
          <button type="button" className="link" onClick={() => useUi.getState().navigate({ name: 'map', cachePath, jobId })}>
            All on the map
          </button>
        )}
      </div>
      {issues.isPending && <p className="muted">Loading tile issues…</p>}
      {issues.error && (
        <p className="error" role="alert">
          Could not load the tile issues: {issues.error.message}
        </p>
      )}
      {issues.isSuccess && rows.length === 0 && <p className="muted">No bad tiles recorded.</p>}
      {rows.length > 0 && (
        <div className="table-scroll short">
          <table className="grid issues-table">
            <thead>
              <tr>
                <th>Tile (z/x/y)</th>
                <th>Issue</th>
                <th>Detail</th>
                <th>Item</th>
                {cachePath !== null && <th aria-label="Map" />}
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const key = issueKeyOf(t);
                return (
                  <IssueRow
                    key={key}
                    issue={t}
                    label={labels.get(t.itemId) ?? `#${t.itemId}`}
                    cachePath={cachePath}
                    jobId={jobId}
                    focused={key === focused}
                    rowRef={key === focused ? focusedRow : undefined}
                  />
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {issues.hasNextPage && (
        <button type="button" onClick={() => void issues.fetchNextPage()} disabled={issues.isFetchingNextPage}>
          {issues.isFetchingNextPage ? 'Loading…' : 'Load more tiles'}
        </button>
      )}
    </section>
  );
}

/** The same key as the map's (renderer/map/tile-issue-style.ts issueKey), kept here so the job page does not load the map's code. */
function issueKeyOf(t: Pick<TileIssue, 'z' | 'x' | 'y' | 'issue'>): string {
  return `${t.z}/${t.x}/${t.y}/${t.issue}`;
}

interface IssueRowProps {
  issue: TileIssue;
  label: string;
  cachePath: string | null;
  jobId: number;
  focused: boolean;
  rowRef: RefObject<HTMLTableRowElement | null> | undefined;
}

function IssueRow({ issue, label, cachePath, jobId, focused, rowRef }: IssueRowProps) {
  const name = `${issue.z}/${issue.x}/${issue.y}`;
  return (
    <tr
      data-testid={`tile-${name}`}
      data-issue={issue.issue}
      data-focused={focused ? 'true' : undefined}
      className={focused ? 'focused' : undefined}
      ref={rowRef}
    >
      <td>
        <code>{name}</code>
      </td>
      <td>
        <span className={`pill issue-${issue.issue}`}>{issue.issue}</span>
      </td>
      <td className="message">{issue.detail}</td>
      <td>{label}</td>
      {cachePath !== null && (
        <td>
          <button
            type="button"
            className="link"
            title={`Open the map on tile ${name}, with the job's other bad tiles`}
            onClick={() => useUi.getState().navigate({ name: 'map', cachePath, jobId, tile: [issue.z, issue.x, issue.y] })}
          >
            Show on map
          </button>
        </td>
      )}
    </tr>
  );
}
