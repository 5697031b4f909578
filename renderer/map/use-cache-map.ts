/**
 * The map's lifecycle for one opened cache: the MapLibre map made in the container (on the cache's
 * largest area, within its zooms, over the offline basemap, with its controls), the readiness flag
 * tests wait for, the zoom, a map error said in words (a missing tile is none), the theme's
 * colours, and the map taken down when the cache changes.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { useResolvedTheme } from '../shell/theme.js';
import { BASEMAP_TILE_TEMPLATE, CACHE_SOURCE, type StyleSpecification, absoluteTileUrl, buildStyle, themePaint, zoomLimits } from './map-style.js';
import { basemapShown, isMissingTile, openingBounds } from './map-view.js';
import { maplibregl } from './maplibre.js';

/** The container element with the map attached, for end-to-end tests. */
export type MapContainer = HTMLDivElement & { __map?: maplibregl.Map };

export interface CacheMapState {
  containerRef: RefObject<MapContainer | null>;
  /** The map once its style has loaded (null before, and after it is taken down). */
  map: maplibregl.Map | null;
  /** The style the map was made with (the cache's layers' ids come from it). */
  style: StyleSpecification | null;
  /** Until the map first settles (every tile asked for has arrived or is known to be missing). */
  loading: boolean;
  mapError: string | null;
  /** The map's zoom, kept in step while it moves. */
  zoom: number | null;
}

/** Where the map opens instead of the cache's bounds (a tile from the route); read once, when the map is made. */
export interface OpeningCamera {
  center: [number, number];
  zoom: number;
}

/**
 * Makes the map once per cache (and opening), in the container of `containerRef`. `openedAt`
 * goes into the tile URLs: the tile route ignores it, but the browser's cache does not, so a cache
 * rewritten on disk and opened again is not drawn from tiles cached a minute earlier.
 */
export function useCacheMap(
  summary: TileCacheSummary,
  openedAt: number,
  opening?: OpeningCamera,
  /** A box to open on instead of the cache's own (a job's extent: the map opened from that job looks where it worked). */
  openOn?: [number, number, number, number],
): CacheMapState {
  const containerRef = useRef<MapContainer>(null);
  const theme = useResolvedTheme();
  // The map is made with the theme of the moment; a later theme only repaints the background.
  const themeRef = useRef(theme);
  themeRef.current = theme;
  // Read when the map is made only: a later camera is the caller's to fly to.
  const openingRef = useRef(opening);
  const openOnRef = useRef(openOn);
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [loading, setLoading] = useState(true);
  const [mapError, setMapError] = useState<string | null>(null);
  const [zoom, setZoom] = useState<number | null>(null);

  useEffect(() => {
    const el = containerRef.current;
    if (el === null) return;
    el.dataset.ready = 'false';
    const tileUrl = `${absoluteTileUrl(summary.tileUrlTemplate, location.href)}?v=${openedAt}`;
    const basemap = { tileUrl: absoluteTileUrl(BASEMAP_TILE_TEMPLATE, location.href), visible: basemapShown() };
    const spec = buildStyle(summary, tileUrl, themeRef.current, basemap);
    const limits = zoomLimits(summary);
    const bounds = openOnRef.current ?? openingBounds(summary);
    const camera = openingRef.current;
    let created: maplibregl.Map;
    try {
      created = new maplibregl.Map({
        container: el,
        style: spec,
        minZoom: limits.minZoom,
        maxZoom: limits.maxZoom,
        ...(camera
          ? { center: camera.center, zoom: Math.max(limits.minZoom, Math.min(limits.maxZoom, camera.zoom)) }
          : bounds
            ? { bounds, fitBoundsOptions: { padding: 32, maxZoom: limits.maxZoom } }
            : { center: [0, 0], zoom: limits.minZoom }),
        attributionControl: false,
        // The map's own marks stay in the corner; a preview has no attribution to show.
        maplibreLogo: false,
      });
    } catch (error) {
      // No WebGL2 (a remote desktop, a blocked GPU): say so instead of a blank box.
      setMapError(`The map cannot start: ${error instanceof Error ? error.message : String(error)}. It needs WebGL2.`);
      setLoading(false);
      return;
    }
    created.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    created.addControl(new maplibregl.ScaleControl({}), 'bottom-left');
    el.__map = created;

    created.on('dataloading', (e) => {
      if ('sourceId' in e && e.sourceId === CACHE_SOURCE) el.dataset.ready = 'false';
    });
    // Idle: nothing is loading or moving. Every tile asked for has arrived or is known to be missing
    // (a sparse cache's 404s are tiles too), so "Loading…" goes whether or not anything was drawn.
    created.on('idle', () => {
      setLoading(false);
      if (created.getSource(CACHE_SOURCE) !== undefined && created.isSourceLoaded(CACHE_SOURCE)) el.dataset.ready = 'true';
    });
    // Listening stops MapLibre from logging to the console; the message is shown on the map instead.
    // A missing tile is no error: a sparse cache, or open sea in the basemap.
    created.on('error', (e) => {
      if (!isMissingTile(e.error)) setMapError(e.error?.message ?? 'The map reported an error.');
    });
    const onZoom = () => setZoom(created.getZoom());
    created.on('zoom', onZoom);
    created.once('load', () => {
      onZoom();
      setMap(created);
    });
    setStyle(spec);

    return () => {
      setMap(null);
      delete el.__map;
      el.dataset.ready = 'false';
      created.remove();
    };
  }, [summary, openedAt]);

  // The theme changes colours only: the background, the basemap, the cache's layers, the highlight.
  useEffect(() => {
    if (map === null || style === null) return;
    for (const [layer, property, value] of themePaint(style, theme)) {
      if (map.getLayer(layer)) map.setPaintProperty(layer, property as 'background-color', value);
    }
  }, [map, style, theme]);

  return { containerRef, map, style, loading, mapError, zoom };
}
