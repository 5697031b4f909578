/**
 * The map preview: open any tile cache (MBTiles, PMTiles, z/x/y folder; raster or vector) and look
 * at it on a MapLibre map fitted to its bounds and zooms.
 *
 * Tiles come through the contract's tile route (`tiles/<id>/{z}/{x}/{y}` on the app's own origin,
 * behind the same session as everything else), never from the internet: the style is built in code
 * with no glyphs, sprites or basemap (map-style.ts). Vector caches get a layer list with
 * visibility toggles and the attributes of a clicked feature; any cache can show its tile grid
 * with z/x/y labels (HTML markers, since there are no glyphs) and the job's extent.
 *
 * For tests: the map container gets `data-ready="true"` once the map went idle with the cache's
 * tiles loaded (and back to "false" while it loads more), and carries the map instance as `__map`.
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { useResolvedTheme } from '../shell/theme.js';
import { useUi } from '../ui-store.js';
import {
  BACKGROUND,
  CACHE_LAYER_PREFIX,
  CACHE_SOURCE,
  EXTENT_SOURCE,
  GRID_SOURCE,
  type GridTile,
  type StyleSpecification,
  absoluteTileUrl,
  buildStyle,
  colourFor,
  extentGeoJson,
  extentLayers,
  gridGeoJson,
  gridLayer,
  styleLayerIdsFor,
  tileAt,
  tileZoomAt,
  tilesInView,
  zoomLimits,
} from './map-style.js';
import { maplibregl } from './maplibre.js';
import './map.css';

type Bounds = [number, number, number, number];

export interface MapPreviewProps {
  /** A cache to open at once (from the screen's route or a job's output). */
  cachePath?: string;
  /** The job's extent (west, south, east, north), drawn as an outline. */
  extent?: Bounds;
}

/** The container element with the map attached, for end-to-end tests. */
export type MapContainer = HTMLDivElement & { __map?: maplibregl.Map };

/** What a click found: the features under it (vector) or the tile it fell in (raster). */
interface Picked {
  lngLat: [number, number];
  tile: { z: number; x: number; y: number };
  features: { layer: string; id: string | number | undefined; geometry: string; properties: Record<string, unknown> }[];
}

/** Features shown per click: enough for a stack of layers, few enough to read. */
const MAX_PICKED = 5;
/** Grid cells shown at once; more is noise. */
const MAX_GRID_TILES = 256;

export function MapPreview({ cachePath, extent }: MapPreviewProps) {
  const navigate = useUi((s) => s.navigate);
  const [input, setInput] = useState(cachePath ?? '');
  const [openPath, setOpenPath] = useState(cachePath ?? '');
  useEffect(() => {
    if (cachePath === undefined) return;
    setInput(cachePath);
    setOpenPath(cachePath);
  }, [cachePath]);

  const opened = useQuery({
    queryKey: ['caches.open', openPath],
    queryFn: () => window.tessera.caches.open({ path: openPath }),
    enabled: openPath.trim() !== '',
    staleTime: Infinity,
    retry: false,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const path = input.trim();
    if (path === '') return;
    // The same path again: ask the engine again (the cache may have been rewritten since).
    if (path === openPath) void opened.refetch();
    else setOpenPath(path);
    // Into the address too (the shell keeps the hash in step), so the preview can be reloaded or linked.
    navigate({ name: 'map', cachePath: path, ...(extent ? { extent } : {}) });
  };

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
      </form>
      {openPath.trim() === '' && <p className="empty map-empty">Open an MBTiles, PMTiles or tile folder to preview it.</p>}
      {opened.error && (
        <p className="error map-message" role="alert">
          {openErrorText(openPath, (opened.error as Error).message)}
        </p>
      )}
      {opened.isPending && openPath.trim() !== '' && <p className="muted map-message">Opening {openPath}…</p>}
      {opened.data && <CacheMap key={`${opened.data.id}:${opened.dataUpdatedAt}`} summary={opened.data} openedAt={opened.dataUpdatedAt} extent={extent} />}
    </section>
  );
}

/**
 * The map and its side panel for one opened cache; remounted when a cache is opened (again).
 * `openedAt` goes into the tile URLs: the tile route ignores it, but the browser's cache does not,
 * so a cache rewritten on disk and opened again is not drawn from tiles cached a minute earlier.
 */
function CacheMap({ summary, openedAt, extent }: { summary: TileCacheSummary; openedAt: number; extent: Bounds | undefined }) {
  const containerRef = useRef<MapContainer>(null);
  const theme = useResolvedTheme();
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [style, setStyle] = useState<StyleSpecification | null>(null);
  const [loading, setLoading] = useState(true);
  const [mapError, setMapError] = useState<string | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [showGrid, setShowGrid] = useState(false);
  const [gridNote, setGridNote] = useState<string | null>(null);
  const [picked, setPicked] = useState<Picked | null>(null);
  const isVector = summary.format === 'pbf';

  // Create the map once per cache.
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
      setMapError(`The map cannot start: ${(error as Error).message}. It needs WebGL2.`);
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

  // Layer visibility.
  useEffect(() => {
    if (map === null || style === null) return;
    for (const layer of summary.vectorLayers) {
      for (const id of styleLayerIdsFor(style, layer.id)) map.setLayoutProperty(id, 'visibility', hidden.has(layer.id) ? 'none' : 'visible');
    }
  }, [map, style, hidden, summary]);

  // Clicks: the features under the pointer (a few pixels around it, so thin lines and points can be hit).
  useEffect(() => {
    if (map === null) return;
    const onClick = (e: maplibregl.MapMouseEvent) => {
      const { lng, lat } = e.lngLat;
      const z = tileZoomAt(summary, map.getZoom());
      const layers = map.getLayersOrder().filter((id) => id.startsWith(CACHE_LAYER_PREFIX));
      const box: [maplibregl.PointLike, maplibregl.PointLike] = [
        [e.point.x - 3, e.point.y - 3],
        [e.point.x + 3, e.point.y + 3],
      ];
      const seen = new Set<string>();
      const features: Picked['features'] = [];
      for (const f of isVector ? map.queryRenderedFeatures(box, { layers }) : []) {
        const key = `${f.sourceLayer}:${f.id ?? JSON.stringify(f.properties)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        features.push({ layer: f.sourceLayer ?? '', id: f.id, geometry: f.geometry.type, properties: f.properties });
        if (features.length >= MAX_PICKED) break;
      }
      setPicked({ lngLat: [lng, lat], tile: tileAt(lng, lat, z), features });
    };
    map.on('click', onClick);
    return () => {
      map.off('click', onClick);
    };
  }, [map, summary, isVector]);

  // The tile grid: boundaries as a GeoJSON line layer, z/x/y labels as HTML markers.
  useEffect(() => {
    if (map === null || !showGrid) return;
    map.addSource(GRID_SOURCE, { type: 'geojson', data: gridGeoJson([]) });
    map.addLayer(gridLayer());
    let markers: maplibregl.Marker[] = [];
    const update = () => {
      const b = map.getBounds();
      const z = tileZoomAt(summary, map.getZoom());
      const tiles = tilesInView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], z, MAX_GRID_TILES);
      setGridNote(tiles === null ? `More than ${MAX_GRID_TILES} tiles of zoom ${z} in view: zoom in to see their boundaries.` : null);
      const shown: GridTile[] = tiles ?? [];
      (map.getSource(GRID_SOURCE) as maplibregl.GeoJSONSource | undefined)?.setData(gridGeoJson(shown));
      for (const m of markers) m.remove();
      markers = shown.map((t) => {
        const label = document.createElement('div');
        label.className = 'map-tile-label';
        label.textContent = `${t.z}/${t.x}/${t.y}`;
        // At the centre: a corner label is off screen for every tile cut by the top or left edge.
        return new maplibregl.Marker({ element: label, anchor: 'center' }).setLngLat(t.centre).addTo(map);
      });
    };
    update();
    map.on('moveend', update);
    return () => {
      map.off('moveend', update);
      for (const m of markers) m.remove();
      setGridNote(null);
      // The map may already be gone (another cache opened): then so are its layers.
      if (map.getLayer('tessera-grid')) map.removeLayer('tessera-grid');
      if (map.getSource(GRID_SOURCE)) map.removeSource(GRID_SOURCE);
    };
  }, [map, showGrid, summary]);

  // The job's extent, keyed on its values: a new array with the same numbers changes nothing.
  const extentKey = extent?.join(',');
  useEffect(() => {
    if (map === null || extentKey === undefined) return;
    map.addSource(EXTENT_SOURCE, { type: 'geojson', data: extentGeoJson(extentKey.split(',').map(Number) as Bounds) });
    const layers = extentLayers();
    for (const layer of layers) map.addLayer(layer);
    return () => {
      for (const layer of layers) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
      if (map.getSource(EXTENT_SOURCE)) map.removeSource(EXTENT_SOURCE);
    };
  }, [map, extentKey]);

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
        <h3>Layers</h3>
        {isVector ? (
          summary.vectorLayers.length === 0 ? (
            <p className="muted small">No layers found in the metadata or in a sample of tiles.</p>
          ) : (
            <ul className="map-layers">
              {summary.vectorLayers.map((layer, i) => (
                <li key={layer.id}>
                  <label title={fieldsTitle(layer.fields)}>
                    <input type="checkbox" checked={!hidden.has(layer.id)} onChange={() => toggleLayer(layer.id)} />
                    <span className={`map-swatch map-swatch-${layer.geometryType}`} style={{ background: colourFor(i), borderColor: colourFor(i) }} />
                    <span className="map-layer-name">{layer.id}</span>
                    <span className="muted small">
                      {layer.geometryType} · z{layer.minZoom}–{layer.maxZoom} · {Object.keys(layer.fields).length} fields
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )
        ) : (
          <p className="muted small">Raster tiles ({summary.format.toUpperCase()}).</p>
        )}
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
        <PickedPanel picked={picked} isVector={isVector} />
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

function CacheFacts({ summary }: { summary: TileCacheSummary }) {
  const kind = { mbtiles: 'MBTiles', pmtiles: 'PMTiles', directory: 'Tile folder' }[summary.kind];
  return (
    <dl className="map-facts">
      <dt>Name</dt>
      <dd>{summary.name}</dd>
      <dt>Cache</dt>
      <dd title={summary.path}>
        {kind} · {summary.format === 'pbf' ? 'vector (MVT)' : summary.format.toUpperCase()}
      </dd>
      <dt>Zooms</dt>
      <dd>
        {summary.minZoom}–{summary.maxZoom}
      </dd>
      <dt>Bounds</dt>
      <dd>{summary.bounds ? summary.bounds.map((v) => v.toFixed(3)).join(', ') : 'unknown'}</dd>
    </dl>
  );
}

function PickedPanel({ picked, isVector }: { picked: Picked | null; isVector: boolean }) {
  if (picked === null) return <p className="muted small map-hint">{isVector ? 'Click a feature to see its attributes.' : 'Click the map to see which tile is there.'}</p>;
  const { tile } = picked;
  return (
    <div className="map-picked" data-testid="map-picked">
      <h3>
        {picked.lngLat[0].toFixed(5)}, {picked.lngLat[1].toFixed(5)}
      </h3>
      <p className="muted small">
        Tile {tile.z}/{tile.x}/{tile.y}
      </p>
      {isVector && picked.features.length === 0 && <p className="muted small">No feature here.</p>}
      {picked.features.map((f, i) => (
        <table key={i} className="map-attributes">
          <caption>
            {f.layer} <span className="muted">({f.geometry}{f.id !== undefined ? `, id ${f.id}` : ''})</span>
          </caption>
          <tbody>
            {Object.entries(f.properties).length === 0 && (
              <tr>
                <td className="muted" colSpan={2}>
                  no attributes
                </td>
              </tr>
            )}
            {Object.entries(f.properties).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function fieldsTitle(fields: Record<string, string>): string {
  const entries = Object.entries(fields);
  return entries.length === 0 ? 'no fields' : entries.map(([k, t]) => `${k}: ${t}`).join('\n');
}

/** The engine's refusal for the map's path, said once: without its field name, and the path only if the message lacks it. */
export function openErrorText(path: string, message: string): string {
  const text = message.replace(/^path: /, '');
  return text.includes(path) ? text.charAt(0).toUpperCase() + text.slice(1) : `Could not open ${path}: ${text}`;
}
