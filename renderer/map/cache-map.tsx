/**
 * The map and its side panel for one opened cache; remounted when a cache is opened (again). The
 * map's lifecycle is use-cache-map.ts, what is drawn over it map-overlays.ts, the panel map-side.tsx.
 *
 * For tests: the map container gets `data-ready="true"` once the map went idle with the cache's
 * tiles loaded (and back to "false" while it loads more), and carries the map instance as `__map`.
 */
import { useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { type Bounds, useExtentOutline, useFeaturePicker, useLayerVisibility, useTileGrid } from './map-overlays.js';
import { CacheFacts, LayerList, PickedPanel } from './map-side.js';
import { useCacheMap } from './use-cache-map.js';
import { VerifyCacheButton } from '../verify/verify-cache-button.js';

export function CacheMap({ summary, openedAt, extent }: { summary: TileCacheSummary; openedAt: number; extent: Bounds | undefined }) {
  const { containerRef, map, style, loading, mapError } = useCacheMap(summary, openedAt);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [showGrid, setShowGrid] = useState(false);
  useLayerVisibility(map, style, summary, hidden);
  useExtentOutline(map, extent);
  const gridNote = useTileGrid(map, showGrid, summary);
  const picked = useFeaturePicker(map, summary);

  const toggleLayer = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="map-body">
      <aside className="map-side">
        <CacheFacts summary={summary} />
        <div className="map-actions">
          <VerifyCacheButton cachePath={summary.path} />
        </div>
        <h3>Layers</h3>
        <LayerList summary={summary} hidden={hidden} onToggle={toggleLayer} />
        <label className="map-toggle">
          <input type="checkbox" checked={showGrid} onChange={(e) => setShowGrid(e.target.checked)} disabled={map === null} />
          Tile grid with z/x/y
        </label>
        {gridNote && <p className="muted small">{gridNote}</p>}
        {extent && (
          <p className="small">
            <span className="map-extent-key" /> Job extent {extent.map((v) => v.toFixed(3)).join(', ')}
          </p>
        )}
        <PickedPanel picked={picked} isVector={summary.format === 'pbf'} />
      </aside>
      <div className="map-frame">
        <div className="map-canvas" ref={containerRef} data-testid="map" data-cache-id={summary.id} data-ready="false" />
        {loading && !mapError && <div className="map-overlay muted">Loading tiles…</div>}
        {mapError && (
          <div className="map-overlay error" role="alert">
            {mapError}
          </div>
        )}
      </div>
    </div>
  );
}
