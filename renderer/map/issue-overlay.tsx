/**
 * A verify or preseed job's bad tiles over the map (issue 16, item 5): each an outlined square at
 * its z/x/y in its kind's colour (tile-issue-style.ts), a legend with the counts, and the issue a
 * click lands on, with a link back to its row on the job's page.
 *
 * The issues come from `jobs.tileIssues` a page at a time, the first page at once and more on
 * request up to ISSUE_MAP_CAP: a job can name 100,000 tiles, and a map of them all would stall the
 * browser without telling anyone more than the job's list does.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TileIssue } from '../../shared/contract.js';
import { useJob, useTileIssues } from '../data/job-queries.js';
import { focusIssueOnOpen } from '../job-detail/tile-issues.js';
import { useUi } from '../ui-store.js';
import type { Theme } from './map-style.js';
import type { maplibregl } from './maplibre.js';
import {
  ISSUE_FILL_LAYER,
  ISSUE_HALO_LAYER,
  ISSUE_LAYER_IDS,
  ISSUE_SOURCE,
  type IssueProperties,
  issueCounts,
  issueKey,
  issueLayers,
  issueSquares,
  issuesNote,
} from './tile-issue-style.js';

/** Issues per request for the map: a few requests cover a typical verify. */
export const ISSUE_MAP_PAGE = 2000;
/** The most the map draws: GeoJSON of 20,000 squares still pans smoothly on SwiftShader. */
export const ISSUE_MAP_CAP = 20_000;

export interface IssueOverlay {
  issues: TileIssue[];
  /** More issues than loaded exist. */
  more: boolean;
  loadMore: (() => void) | null;
  loading: boolean;
  error: string | null;
  /** The issues under the last click (deepest tile first), or the one the route named. */
  selected: IssueProperties[];
}

const EMPTY = issueSquares([]);

/**
 * Draws job `jobId`'s issues on `map` and follows clicks on them. `focus` (a tile from the route)
 * selects that tile's issues once they are loaded.
 */
export function useIssueOverlay(
  map: maplibregl.Map | null,
  jobId: number | undefined,
  theme: Theme,
  focus: readonly [number, number, number] | undefined,
): IssueOverlay {
  const query = useTileIssues(jobId ?? 0, { enabled: jobId !== undefined, pageSize: ISSUE_MAP_PAGE });
  const issues = useMemo(() => query.data?.pages.flatMap((p) => p.rows) ?? [], [query.data]);
  const [selected, setSelected] = useState<IssueProperties[]>([]);
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const selectedKey = selected[0]?.key ?? null;

  useEffect(() => {
    if (map === null || jobId === undefined) return;
    map.addSource(ISSUE_SOURCE, { type: 'geojson', data: EMPTY });
    for (const layer of issueLayers(themeRef.current)) map.addLayer(layer);
    const onClick = (e: maplibregl.MapMouseEvent) => {
      const hits = map.queryRenderedFeatures(e.point, { layers: [ISSUE_FILL_LAYER] });
      // Deepest tile first: it is the most precise answer to "what is wrong here".
      const found = hits.map((f) => f.properties as IssueProperties).sort((a, b) => b.z - a.z);
      const unique = [...new Map(found.map((p) => [p.key, p])).values()];
      setSelected(unique);
    };
    map.on('click', onClick);
    return () => {
      map.off('click', onClick);
      // The map may already be gone (another cache opened): then so are its layers.
      for (const id of ISSUE_LAYER_IDS) if (map.getLayer(id)) map.removeLayer(id);
      if (map.getSource(ISSUE_SOURCE)) map.removeSource(ISSUE_SOURCE);
    };
  }, [map, jobId]);

  useEffect(() => {
    if (map === null || jobId === undefined) return;
    // setData resolves when the worker has the data; nothing waits on that here.
    void map.getSource<maplibregl.GeoJSONSource>(ISSUE_SOURCE)?.setData(issueSquares(issues));
  }, [map, jobId, issues]);

  // The route's tile: its issues are the selection once they are loaded.
  const focusKey = focus?.join('/');
  useEffect(() => {
    if (focusKey === undefined) return;
    const hits = issueSquares(issues.filter((t) => `${t.z}/${t.x}/${t.y}` === focusKey)).features.map((f) => f.properties);
    if (hits.length > 0) setSelected(hits);
  }, [issues, focusKey]);

  // The selection drawn thicker, and the halo in the theme's contrast.
  useEffect(() => {
    if (map === null || jobId === undefined) return;
    for (const layer of issueLayers(theme, selectedKey)) {
      if (layer.type !== 'line' || !map.getLayer(layer.id)) continue;
      map.setPaintProperty(layer.id, 'line-width', layer.paint?.['line-width']);
      if (layer.id === ISSUE_HALO_LAYER) map.setPaintProperty(layer.id, 'line-color', layer.paint?.['line-color']);
    }
  }, [map, jobId, theme, selectedKey]);

  const more = query.hasNextPage;
  return {
    issues,
    more,
    loadMore: more && issues.length < ISSUE_MAP_CAP && !query.isFetchingNextPage ? () => void query.fetchNextPage() : null,
    loading: query.isPending && jobId !== undefined,
    error: query.error ? query.error.message : null,
    selected,
  };
}

/** The side panel's part for a job's bad tiles: the legend with counts, the note, the clicked issue. */
export function IssuePanel({ jobId, overlay }: { jobId: number; overlay: IssueOverlay }) {
  const job = useJob(jobId);
  const counts = issueCounts(overlay.issues);
  const navigate = useUi((s) => s.navigate);
  return (
    <section className="map-issues" data-testid="map-issues" aria-labelledby="map-issues-title">
      <h3 id="map-issues-title">
        Bad tiles of job #{jobId}
        {job.data ? <span className="muted small"> · {job.data.name}</span> : null}
      </h3>
      {overlay.loading && <p className="muted small">Loading the job's tile issues…</p>}
      {overlay.error && (
        <p className="error small" role="alert">
          Could not load the tile issues: {overlay.error}
        </p>
      )}
      {!overlay.loading && overlay.error === null && overlay.issues.length === 0 && <p className="muted small">The job recorded no bad tiles.</p>}
      {counts.length > 0 && (
        <ul className="map-issue-legend" aria-label="Issue kinds">
          {counts.map((c) => (
            <li key={c.kind} data-kind={c.kind}>
              <span className="map-issue-swatch" style={{ borderColor: c.colour }} />
              {c.kind} <span className="muted">{c.count.toLocaleString('en')}</span>
            </li>
          ))}
        </ul>
      )}
      {overlay.issues.length > 0 && (
        <p className="muted small" data-testid="map-issues-note">
          {issuesNote(overlay.issues.length, overlay.more, ISSUE_MAP_CAP)}{' '}
          {overlay.loadMore && (
            <button type="button" className="link" onClick={overlay.loadMore}>
              Draw {ISSUE_MAP_PAGE.toLocaleString('en')} more
            </button>
          )}
        </p>
      )}
      {overlay.selected.length > 0 && (
        <div className="map-issue-picked" data-testid="map-issue-picked">
          {overlay.selected.map((p) => (
            <div key={p.key} className="map-issue-card" data-issue={p.kind}>
              <p>
                <span className="map-issue-swatch" style={{ borderColor: p.colour }} /> <strong>{p.kind}</strong> · tile{' '}
                <code>
                  {p.z}/{p.x}/{p.y}
                </code>
              </p>
              <p className="small">{p.detail}</p>
              <button
                type="button"
                className="link"
                onClick={() => {
                  focusIssueOnOpen(jobId, issueKey({ z: p.z, x: p.x, y: p.y, issue: p.kind }));
                  navigate({ name: 'job', jobId });
                }}
              >
                Show in job #{jobId}'s list
              </button>
            </div>
          ))}
        </div>
      )}
      {overlay.issues.length > 0 && overlay.selected.length === 0 && <p className="muted small">Click a square to see its issue.</p>}
    </section>
  );
}
