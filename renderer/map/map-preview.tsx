/**
 * The map preview: open any tile cache (MBTiles, PMTiles, z/x/y folder; raster or vector) and look
 * at it on a MapLibre map fitted to its bounds and zooms.
 *
 * Tiles come through the contract's tile route (`tiles/<id>/{z}/{x}/{y}` on the app's own origin,
 * behind the same session as everything else), never from the internet: the style is built in code
 * with no glyphs, sprites or basemap (map-style.ts). Vector caches get a layer list with
 * visibility toggles and the attributes of a clicked feature; any cache can show its tile grid
 * with z/x/y labels (HTML markers, since there are no glyphs) and the job's extent. This file is
 * the screen (which cache, opened how); the map itself is cache-map.tsx.
 *
 * A catalogue dataset (`datasetId`, from "Preview on map") opens through `catalog.previewTiles`:
 * its vector tiles cut on demand from its GeoPackage, drawn and identified like a vector cache's.
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { queryKey } from '../data/query-keys.js';
import { CachePicker } from './cache-picker.js';
import { useUi } from '../ui-store.js';
import { CacheMap } from './cache-map.js';
import { CompareScreen } from './compare-view.js';
import type { Bounds } from './map-overlays.js';
import './map.css';

export type { MapContainer } from './use-cache-map.js';

export interface MapPreviewProps {
  /** A cache to open at once (from the screen's route or a job's output). */
  cachePath?: string;
  /** The job's extent (west, south, east, north), drawn as an outline; the dataset's with `datasetId`. */
  extent?: Bounds;
  /** A verify or preseed job whose bad tiles are drawn over the cache. */
  jobId?: number;
  /** The tile (z, x, y) to open on, its issues shown. */
  tile?: [number, number, number];
  /** A second cache: the two are shown side by side with a swipe (compare-view.tsx). */
  compareWith?: string;
  /** A catalogue dataset to show as vector tiles (instead of `cachePath`). */
  datasetId?: number;
}

export function MapPreview({ cachePath, extent, jobId, tile, compareWith, datasetId }: MapPreviewProps) {
  const navigate = useUi((s) => s.navigate);
  const [input, setInput] = useState(cachePath ?? '');
  const [openPath, setOpenPath] = useState(cachePath ?? '');
  useEffect(() => {
    if (cachePath === undefined) return;
    setInput(cachePath);
    setOpenPath(cachePath);
  }, [cachePath]);

  const openedCache = useQuery({
    queryKey: queryKey('caches.open', { path: openPath }),
    queryFn: () => window.tessera.caches.open({ path: openPath }),
    enabled: datasetId === undefined && openPath.trim() !== '',
    staleTime: Infinity,
    retry: false,
  });
  const openedDataset = useQuery({
    queryKey: queryKey('catalog.previewTiles', { id: datasetId ?? 0 }),
    queryFn: () => window.tessera.catalog.previewTiles({ id: datasetId ?? 0 }),
    enabled: datasetId !== undefined,
    staleTime: Infinity,
    retry: false,
  });
  const opened = datasetId === undefined ? openedCache : openedDataset;
  const what = datasetId === undefined ? openPath : `dataset #${datasetId}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const path = input.trim();
    if (path === '') return;
    // The same path again: ask the engine again (the cache may have been rewritten since).
    if (path === openPath) void opened.refetch();
    else setOpenPath(path);
    // Into the address too (the shell keeps the hash in step), so the preview can be reloaded or linked.
    // A job's bad tiles stay drawn over the same cache only: another cache is not what the job read.
    navigate({ name: 'map', cachePath: path, ...(extent ? { extent } : {}), ...(jobId !== undefined && path === cachePath ? { jobId } : {}) });
  };

  if (compareWith !== undefined && cachePath !== undefined)
    return (
      <section className="map-preview" aria-label="Compare two caches">
        <CompareScreen left={cachePath} right={compareWith} />
      </section>
    );

  return (
    <section className="map-preview" aria-label="Map preview">
      <form className="map-open" onSubmit={submit}>
        <label htmlFor="map-cache-path">Tile cache</label>
        <input
          id="map-cache-path"
          type="text"
          spellCheck={false}
          placeholder="/path/to/cache.mbtiles, .pmtiles or a z/x/y folder"
          value={input}
          onChange={(e) => setInput(e.target.value)}
        />
        <button type="submit" disabled={input.trim() === '' || opened.isFetching}>
          {opened.isFetching ? 'Opening…' : 'Open'}
        </button>
        <CachePicker value={openPath} onPick={(path) => navigate({ name: 'map', cachePath: path })} />
      </form>
      {openPath.trim() === '' && datasetId === undefined && (
        <p className="empty map-empty">Open an MBTiles, PMTiles or tile folder to preview it. Once open, Verify this cache decodes every tile.</p>
      )}
      {opened.error && (
        <p className="error map-message" role="alert">
          {openErrorText(what, (opened.error as Error).message)}
        </p>
      )}
      {opened.isPending && what.trim() !== '' && <p className="muted map-message">Opening {what}…</p>}
      {opened.data && (
        <CacheMap
          key={`${opened.data.id}:${opened.dataUpdatedAt}`}
          summary={opened.data}
          openedAt={opened.dataUpdatedAt}
          extent={extent}
          jobId={jobId}
          tile={tile}
          extentLabel={datasetId === undefined ? 'Job extent' : 'Dataset extent'}
        />
      )}
    </section>
  );
}

/** The engine's refusal for the map's path, said once: without its field name, and the path only if the message lacks it. */
export function openErrorText(path: string, message: string): string {
  const text = message.replace(/^path: /, '');
  return text.includes(path) ? text.charAt(0).toUpperCase() + text.slice(1) : `Could not open ${path}: ${text}`;
}
