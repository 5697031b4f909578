/**
 * The exact list of bad tiles a job found (corrupt, empty, oversized, failed), paged from the
 * engine, each with a way to look at it on the map.
 */
import { useMemo } from 'react';
import type { TileIssue } from '../../shared/contract.js';
import { useUi } from '../ui-store.js';
import { useJobItems, useTileIssues } from '../data/job-queries.js';

/** WGS84 west, south, east, north of an XYZ tile (Web Mercator). */
export function tileBounds(z: number, x: number, y: number): [number, number, number, number] {
  const n = 2 ** z;
  const lon = (col: number) => (col / n) * 360 - 180;
  const lat = (row: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * row) / n))) * 180) / Math.PI;
  return [lon(x), lat(y + 1), lon(x + 1), lat(y)];
}

/** `cachePath`: the cache the tiles are in, when the job names one, so each tile can be shown on the map. */
export function TileIssues({ jobId, cachePath }: { jobId: number; cachePath: string | null }) {
  const issues = useTileIssues(jobId);
  const items = useJobItems(jobId);
  const labels = useMemo(() => new Map(items.data?.pages.flatMap((p) => p.rows.map((i) => [i.id, i.label] as const)) ?? []), [items.data]);
  const rows = issues.data?.pages.flatMap((p) => p.rows) ?? [];

  return (
    <section className="panel tile-issues" aria-labelledby="issues-title">
      <div className="panel-head">
        <h3 id="issues-title">Tile issues</h3>
        <span className="muted small" data-testid="issues-summary">
          {rows.length > 0 && `${rows.length.toLocaleString()}${issues.hasNextPage ? '+' : ''} tile${rows.length === 1 ? '' : 's'}`}
        </span>
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
              {rows.map((t) => (
                <IssueRow key={`${t.z}/${t.x}/${t.y}/${t.issue}`} issue={t} label={labels.get(t.itemId) ?? `#${t.itemId}`} cachePath={cachePath} />
              ))}
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

function IssueRow({ issue, label, cachePath }: { issue: TileIssue; label: string; cachePath: string | null }) {
  const name = `${issue.z}/${issue.x}/${issue.y}`;
  return (
    <tr data-testid={`tile-${name}`} data-issue={issue.issue}>
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
            title={`Show tile ${name} on the map`}
            onClick={() => useUi.getState().navigate({ name: 'map', cachePath, extent: tileBounds(issue.z, issue.x, issue.y) })}
          >
            Map
          </button>
        </td>
      )}
    </tr>
  );
}
