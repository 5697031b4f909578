/**
 * The map and its side panel for one opened cache; remounted when a cache is opened (again). The
 * map's lifecycle is use-cache-map.ts, what is drawn over it map-overlays.ts, the panel map-side.tsx,
 * the controls over the map map-toolbar.tsx.
 *
 * For tests: the map container gets `data-ready="true"` once the map went idle with the cache's
 * tiles loaded (and back to "false" while it loads more), and carries the map instance as `__map`.
 */
import { useEffect, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { useResolvedTheme } from '../shell/theme.js';
import { VerifyCacheButton } from '../verify/verify-cache-button.js';
import { type Bounds, useBasemapVisibility, useExtentOutline, useFeaturePicker, useLayerVisibility, useTileGrid } from './map-overlays.js';
import { AreaList, CacheFacts, LayerList, PickedPanel } from './map-side.js';
import { CompareWithForm } from './compare-view.js';
import { IssuePanel, useIssueOverlay } from './issue-overlay.js';
import { zoomLimits } from './map-style.js';
import { MapToolbar, fitMap } from './map-toolbar.js';
import { basemapShown, rememberBasemap } from './map-view.js';
import { issueCamera } from './tile-issue-style.js';
import { useCacheMap } from './use-cache-map.js';

type Tile = [number, number, number];

export interface CacheMapProps {
  summary: TileCacheSummary;
  openedAt: number;
  extent: Bounds | undefined;
  /** A job whose bad tiles are drawn over the cache. */
  jobId?: number | undefined;
  /** A tile to open on (and fly to when it changes), its issues shown. */
  tile?: Tile | undefined;
  /** What the outlined extent is: the job's, or the catalogue dataset's. */
  extentLabel?: string;
}

export function CacheMap({ summary, openedAt, extent, jobId, tile, extentLabel = 'Job extent' }: CacheMapProps) {
  const { containerRef, map, style, loading, mapError, zoom } = useCacheMap(
    summary,
    openedAt,
    tile ? issueCamera(tile, zoomLimits(summary)) : undefined,
    // Opened from a job (its extent in the address): where that job worked, not the cache's largest area.
    extent,
  );
  const theme = useResolvedTheme();
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [showGrid, setShowGrid] = useState(false);
  const [basemap, setBasemap] = useState(basemapShown);
  const areas = summary.areas ?? [];
  // The map opens on the first (largest) area, or on the job's extent and the area it falls in.
  const [currentArea, setCurrentArea] = useState<number | null>(() => {
    if (areas.length < 2) return null;
    if (!extent) return 0;
    const found = areas.findIndex((a) => a.bounds[0] < extent[2] && a.bounds[2] > extent[0] && a.bounds[1] < extent[3] && a.bounds[3] > extent[1]);
    return found < 0 ? null : found;
  });
  useLayerVisibility(map, style, summary, hidden);
  useBasemapVisibility(map, basemap);
  useExtentOutline(map, extent);
  const gridNote = useTileGrid(map, showGrid, summary);
  const picked = useFeaturePicker(map, summary, hidden);
  const issues = useIssueOverlay(map, jobId, theme, tile);
  // A tile named later (the address changed with the map open) is flown to; the first one is where the map opened.
  const tileKey = tile?.join('/');
  useEffect(() => {
    if (map === null || tileKey === undefined) return;
    const [z = 0, x = 0, y = 0] = tileKey.split('/').map(Number);
    const camera = issueCamera([z, x, y], zoomLimits(summary));
    const here = map.getCenter();
    if (Math.abs(here.lng - camera.center[0]) + Math.abs(here.lat - camera.center[1]) < 1e-6 && Math.abs(map.getZoom() - camera.zoom) < 1e-6) return;
    map.flyTo({ ...camera, duration: 800 });
  }, [map, tileKey, summary]);

  const toggleLayer = (id: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleBasemap = (shown: boolean) => {
    setBasemap(shown);
    rememberBasemap(shown);
  };
  const jumpTo = (index: number) => {
    const area = areas[index];
    if (map === null || area === undefined) return;
    fitMap(map, summary, area.bounds);
    setCurrentArea(index);
  };

  return (
    <div className="map-body">
      <aside className="map-side">
        <CacheFacts summary={summary} />
        {/* A dataset's tiles are cut on demand: there is no cache file to verify or compare. */}
        {summary.kind !== 'geopackage' && (
          <>
            <div className="map-actions">
              <VerifyCacheButton cachePath={summary.path} />
            </div>
            <CompareWithForm cachePath={summary.path} />
          </>
        )}
        {jobId !== undefined && <IssuePanel jobId={jobId} overlay={issues} />}
        <AreaList areas={areas} current={currentArea} onJump={jumpTo} />
        <h3>Layers</h3>
        <LayerList summary={summary} hidden={hidden} onToggle={toggleLayer} theme={theme} />
        <label className="map-toggle">
          <input type="checkbox" checked={showGrid} onChange={(e) => setShowGrid(e.target.checked)} disabled={map === null} />
          Tile grid with z/x/y
        </label>
        {gridNote && <p className="muted small">{gridNote}</p>}
        {extent && (
          <p className="small">
            <span className="map-extent-key" /> {extentLabel} {extent.map((v) => v.toFixed(3)).join(', ')}
          </p>
        )}
        <PickedPanel picked={picked} isVector={summary.format === 'pbf'} />
      </aside>
      <div className="map-frame">
        <div className="map-canvas" ref={containerRef} data-testid="map" data-cache-id={summary.id} data-ready="false" />
        <MapToolbar map={map} summary={summary} zoom={zoom} basemap={basemap} onBasemap={toggleBasemap} />
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
