/**
 * Compare's side panel, in the map's own panel column (map-side.tsx): which two caches are
 * compared (name, kind, format, zooms, path), which zoom of each is drawn at the current view (they
 * may differ: a raster z0–6 beside a vector z0–14), and the two ways out: swap sides, close
 * compare. Shown while the caches open and when one fails to open, so that a compare can always
 * be closed.
 */
import type { TileCacheSummary } from '../../shared/contract.js';
import { PathText } from '../shell/path-text.js';
import { cacheKindText } from './map-side.js';
import { drawnTiles } from './map-view.js';

/** What the panel says of the cache drawn at map zoom `zoom`: "tiles z5", or where it has none. */
export function drawnZoom(summary: TileCacheSummary, zoom: number): string {
  const { tiles, beyond } = drawnTiles(summary, zoom);
  if (beyond === 'deeper') return `tiles z${tiles}, overzoomed`;
  if (beyond === 'shallower') return `none this far out (from z${summary.minZoom})`;
  return `tiles z${tiles}`;
}

function Side({ side, path, summary, zoom }: { side: 'Left' | 'Right'; path: string; summary: TileCacheSummary | undefined; zoom: number | null }) {
  return (
    <section className="compare-side-cache" data-testid={`compare-side-${side.toLowerCase()}`} aria-label={`${side} cache`}>
      <h3>
        {side} <span className="muted small">{side === 'Left' ? 'left of the divider' : 'right of the divider'}</span>
      </h3>
      <dl className="map-facts">
        <dt>Name</dt>
        <dd>{summary?.name ?? '…'}</dd>
        {summary && (
          <>
            <dt>Cache</dt>
            <dd>{cacheKindText(summary)}</dd>
            <dt>Zooms</dt>
            <dd data-testid="compare-zooms">
              z{summary.minZoom}–{summary.maxZoom}
            </dd>
            {zoom !== null && (
              <>
                <dt>Drawn</dt>
                <dd data-testid="compare-drawn">{drawnZoom(summary, zoom)}</dd>
              </>
            )}
          </>
        )}
        <dt>Path</dt>
        <dd className="small">
          <PathText path={path} />
        </dd>
      </dl>
    </section>
  );
}

export interface CompareSideProps {
  left: string;
  right: string;
  leftSummary: TileCacheSummary | undefined;
  rightSummary: TileCacheSummary | undefined;
  /** The shared view's zoom once the maps are up. */
  zoom: number | null;
  onSwap(): void;
  onClose(): void;
}

export function CompareSide({ left, right, leftSummary, rightSummary, zoom, onSwap, onClose }: CompareSideProps) {
  return (
    <aside className="map-side compare-side" aria-label="Compared caches">
      <h3>Compare</h3>
      {zoom !== null && (
        <p className="small" data-testid="compare-zoom">
          Zoom {zoom.toFixed(1)}, both sides
        </p>
      )}
      <Side side="Left" path={left} summary={leftSummary} zoom={zoom} />
      <Side side="Right" path={right} summary={rightSummary} zoom={zoom} />
      <div className="map-actions">
        <button type="button" onClick={onSwap} title="Put the right cache on the left and the left on the right">
          Swap sides
        </button>
        <button type="button" onClick={onClose} title="Back to the left cache alone">
          Close compare
        </button>
      </div>
      <p className="muted small map-hint">Drag the divider, or focus it and use the arrow keys (Home and End for either edge).</p>
    </aside>
  );
}
