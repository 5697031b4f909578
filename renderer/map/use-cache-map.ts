/**
 * The map's lifecycle for one opened cache: the MapLibre map made in the container (fitted to the
 * cache's bounds and zooms, with its controls), the readiness flag tests wait for, a map error said
 * in words, the theme's background, and the map taken down when the cache changes.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { useResolvedTheme } from '../shell/theme.js';
import { BACKGROUND, CACHE_SOURCE, type StyleSpecification, absoluteTileUrl, buildStyle, zoomLimits } from './map-style.js';
import { maplibregl } from './maplibre.js';

/** The container element with the map attached, for end-to-end tests. */
export type MapContainer = HTMLDivElement & { __map?: maplibregl.Map };

export interface CacheMapState {
  containerRef: RefObject<MapContainer | null>;
  /** The map once its style has loaded (null before, and after it is taken down). */
  map: maplibregl.Map | null;
  /** The style the map was made with (the cache's layers' ids come from it). */
  style: StyleSpecification | null;
  /** Until the cache's first tiles are in. */
  loading: boolean;
  mapError: string | null;
}

/**
 * Makes the map once per cache (and opening), in the container of `containerRef`. `openedAt`
 * goes into the tile URLs: the tile route ignores it, but the browser's cache does not, so a cache
 * rewritten on disk and opened again is not drawn from tiles cached a minute earlier.
 */
export function useCacheMap(summary: TileCacheSummary, openedAt: number): CacheMapState {
  const containerRef = useRef<MapContainer>(null);
  const theme = useResolvedTheme();
  // The map is made with the theme of the moment; a later theme only repaints the background.
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [loading, setLoading] = useState(true);
  const [mapError, setMapError] = useState<string | null>(null);

  useEffect(() => {
    const el = containerRef.current;
    if (el === null) return;
    el.dataset.ready = 'false';
    const tileUrl = `${absoluteTileUrl(summary.tileUrlTemplate, location.href)}?v=${openedAt}`;
    const spec = buildStyle(summary, tileUrl, themeRef.current);
    const limits = zoomLimits(summary);
    let created: maplibregl.Map;
    try {
      created = new maplibregl.Map({
        container: el,
        style: spec,
        minZoom: limits.minZoom,
        maxZoom: limits.maxZoom,
        ...(summary.bounds ? { bounds: summary.bounds, fitBoundsOptions: { padding: 32, maxZoom: limits.maxZoom } } : { center: [0, 0], zoom: limits.minZoom }),
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
    created.on('idle', () => {
      if (created.getSource(CACHE_SOURCE) !== undefined && created.isSourceLoaded(CACHE_SOURCE)) {
        el.dataset.ready = 'true';
        setLoading(false);
      }
    });
    // Listening stops MapLibre from logging to the console; the message is shown on the map instead.
    created.on('error', (e) => setMapError(e.error?.message ?? 'The map reported an error.'));
    created.once('load', () => setMap(created));
    setStyle(spec);

    return () => {
      setMap(null);
      delete el.__map;
      el.dataset.ready = 'false';
      created.remove();
    };
  }, [summary, openedAt]);

  // The theme only changes the background.
  useEffect(() => {
    map?.setPaintProperty('background', 'background-color', BACKGROUND[theme]);
  }, [map, theme]);

  return { containerRef, map, style, loading, mapError };
}
