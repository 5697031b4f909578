/**
 * A small map in the form to draw the preseed's box on: shift-drag (or drag with "Draw a box"
 * pressed) spans a box, which goes into the four bbox fields; the fields' box, and the datasets'
 * extents from the dry run, are drawn on it. "Use this view" takes the visible part of the map,
 * which needs no pointer (the map pans and zooms from the keyboard).
 *
 * Offline as the map preview is (renderer/map): a style built in code, no glyphs, sprites or
 * remote sources; the land comes bundled (land.ts) so there is something to draw the box on.
 *
 * Drawing listens on the map's own container in the capture phase and stops the events there,
 * before MapLibre's handlers (on its canvas container inside) can start a pan or a box zoom.
 */
import type { FeatureCollection, Polygon } from 'geojson';
import { useEffect, useRef, useState } from 'react';
import type { Bbox } from '../../shared/contract.js';
import { maplibregl } from '../map/maplibre.js';
import { BACKGROUND, type StyleSpecification, boxRing } from '../map/map-style.js';
import { useResolvedTheme } from '../shell/theme.js';
import { bboxFromCorners, bboxFromView, formatLonLat, unionOf } from './extent.js';
import { worldLand } from './land.js';

/** The container with the map attached, for end-to-end tests. */
export type ExtentMapContainer = HTMLDivElement & { __map?: maplibregl.Map };

const LAND = { light: '#f3f0e6', dark: '#2c343c' } as const;
const BOX_COLOUR = '#2563a8';
const DATA_COLOUR = '#d55e00';
const BOX_SOURCE = 'preseed-box';
const DATA_SOURCE = 'preseed-data';

function boxes(list: readonly Bbox[]): FeatureCollection<Polygon> {
  return {
    type: 'FeatureCollection',
    features: list.map((box) => ({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Polygon', coordinates: [boxRing(box)] },
    })),
  };
}

function extentStyle(theme: 'light' | 'dark'): StyleSpecification {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: worldLand() },
      [DATA_SOURCE]: { type: 'geojson', data: boxes([]) },
      [BOX_SOURCE]: { type: 'geojson', data: boxes([]) },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND[theme] } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': LAND[theme], 'fill-outline-color': theme === 'light' ? '#b9b29c' : '#46505a' } },
      { id: 'data-outline', type: 'line', source: DATA_SOURCE, paint: { 'line-color': DATA_COLOUR, 'line-width': 1.5, 'line-dasharray': [3, 2] } },
      { id: 'box-fill', type: 'fill', source: BOX_SOURCE, paint: { 'fill-color': BOX_COLOUR, 'fill-opacity': 0.15 } },
      { id: 'box-outline', type: 'line', source: BOX_SOURCE, paint: { 'line-color': BOX_COLOUR, 'line-width': 2 } },
    ],
  };
}

export interface ExtentMapProps {
  /** The box the four fields hold, when they hold a valid one. */
  bbox: Bbox | null;
  /** The datasets' extents from the dry run, outlined so the box can be drawn over the data. */
  dataBounds: readonly Bbox[];
  /** A box was drawn (or taken from the view): it goes into the fields. */
  onBox(bbox: Bbox): void;
}

export function ExtentMap({ bbox, dataBounds, onBox }: ExtentMapProps) {
  const containerRef = useRef<ExtentMapContainer>(null);
  const theme = useResolvedTheme();
  const [map, setMap] = useState<maplibregl.Map | null>(null);
  const [mapError, setMapError] = useState<string | null>(null);
  const [drawing, setDrawing] = useState(false);
  const [dragBox, setDragBox] = useState<Bbox | null>(null);
  const [pointer, setPointer] = useState<string | null>(null);
  // Read by the listeners, which are bound once per map.
  const latest = useRef({ drawing, onBox, bbox, dataBounds, theme });
  latest.current = { drawing, onBox, bbox, dataBounds, theme };
  /** Whether the operator moved the map: then a new dry run must not move it away from where they look. */
  const moved = useRef(false);

  useEffect(() => {
    const el = containerRef.current;
    if (el === null) return;
    el.dataset.ready = 'false';
    const { bbox: start, dataBounds: data, theme: startTheme } = latest.current;
    const initial = start ?? unionOf(data);
    let created: maplibregl.Map;
    try {
      created = new maplibregl.Map({
        container: el,
        style: extentStyle(startTheme),
        ...(initial ? { bounds: initial, fitBoundsOptions: { padding: 24, maxZoom: 10 } } : { center: [0, 20], zoom: 0 }),
        renderWorldCopies: false,
        // Shift-drag draws here: MapLibre's own box zoom would take it.
        boxZoom: false,
        attributionControl: false,
        maplibreLogo: false,
      });
    } catch (error) {
      setMapError(`The map cannot start (${(error as Error).message}; it needs WebGL2). Type the box into the fields instead.`);
      return;
    }
    created.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    created.on('error', (e) => setMapError(e.error?.message ?? 'The map reported an error.'));
    created.on('movestart', (e) => {
      if ((e as { originalEvent?: unknown }).originalEvent) moved.current = true;
    });
    created.once('load', () => {
      el.dataset.ready = 'true';
      setMap(created);
    });
    el.__map = created;
    return () => {
      setMap(null);
      delete el.__map;
      created.remove();
    };
  }, []);

  useEffect(() => {
    map?.setPaintProperty('background', 'background-color', BACKGROUND[theme]);
    map?.setPaintProperty('land', 'fill-color', LAND[theme]);
  }, [map, theme]);

  // The box being dragged, else the fields' box.
  const shown = dragBox ?? bbox;
  const shownKey = shown?.join(',') ?? '';
  useEffect(() => {
    // setData resolves when the worker has the data; nothing waits on that here.
    void (map?.getSource(BOX_SOURCE) as maplibregl.GeoJSONSource | undefined)?.setData(boxes(shownKey === '' ? [] : [shownKey.split(',').map(Number) as Bbox]));
  }, [map, shownKey]);

  const dataKey = dataBounds.map((b) => b.join(',')).join(';');
  useEffect(() => {
    if (map === null) return;
    const list = dataKey === '' ? [] : dataKey.split(';').map((b) => b.split(',').map(Number) as Bbox);
    void (map.getSource(DATA_SOURCE) as maplibregl.GeoJSONSource | undefined)?.setData(boxes(list));
    // The first extents a dry run finds: show them, unless the operator is looking elsewhere or has a box.
    const union = unionOf(list);
    if (union && !moved.current && latest.current.bbox === null) map.fitBounds(union, { padding: 24, maxZoom: 10, animate: false });
  }, [map, dataKey]);

  // Drawing: capture-phase listeners on the container, ahead of MapLibre's own.
  useEffect(() => {
    const el = containerRef.current;
    if (map === null || el === null) return;
    let anchor: [number, number] | null = null;
    const lngLatAt = (e: MouseEvent): [number, number] => {
      const rect = el.getBoundingClientRect();
      const p = map.unproject([e.clientX - rect.left, e.clientY - rect.top]);
      return [p.lng, p.lat];
    };
    const onMove = (e: MouseEvent) => {
      if (anchor === null) return;
      e.stopPropagation();
      setDragBox(bboxFromCorners(anchor, lngLatAt(e)));
    };
    const onUp = (e: MouseEvent) => {
      if (anchor === null) return;
      e.stopPropagation();
      const box = bboxFromCorners(anchor, lngLatAt(e));
      anchor = null;
      window.removeEventListener('mousemove', onMove, true);
      window.removeEventListener('mouseup', onUp, true);
      setDragBox(null);
      if (box) latest.current.onBox(box);
    };
    const onDown = (e: MouseEvent) => {
      if (e.button !== 0 || !(latest.current.drawing || e.shiftKey)) return;
      e.preventDefault();
      e.stopPropagation();
      anchor = lngLatAt(e);
      window.addEventListener('mousemove', onMove, true);
      window.addEventListener('mouseup', onUp, true);
    };
    const onHover = (e: MouseEvent) => {
      const [lon, lat] = lngLatAt(e);
      setPointer(formatLonLat(lon, lat));
    };
    const onLeave = () => setPointer(null);
    // Esc on the map (its canvas takes the focus) leaves the drawing mode.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && latest.current.drawing) setDrawing(false);
    };
    el.addEventListener('mousedown', onDown, true);
    el.addEventListener('mousemove', onHover);
    el.addEventListener('mouseleave', onLeave);
    el.addEventListener('keydown', onKey);
    return () => {
      el.removeEventListener('mousedown', onDown, true);
      el.removeEventListener('mousemove', onHover);
      el.removeEventListener('mouseleave', onLeave);
      el.removeEventListener('keydown', onKey);
      window.removeEventListener('mousemove', onMove, true);
      window.removeEventListener('mouseup', onUp, true);
    };
  }, [map]);

  const takeView = () => {
    if (map === null) return;
    const b = map.getBounds();
    const box = bboxFromView(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    if (box) onBox(box);
  };
  const zoomTo = (box: Bbox | null) => {
    if (map && box) map.fitBounds(box, { padding: 24, maxZoom: 12 });
  };
  const dataUnion = unionOf(dataBounds);

  return (
    <div className="extent-map">
      <div className="extent-map-tools">
        <button
          type="button"
          aria-pressed={drawing}
          onClick={() => setDrawing(!drawing)}
          disabled={map === null}
          title="Drag on the map to draw the box (or hold Shift while dragging)"
        >
          {drawing ? 'Drawing: drag on the map' : 'Draw a box'}
        </button>
        <button type="button" onClick={takeView} disabled={map === null} title="The part of the world the map shows now becomes the box">
          Use this view
        </button>
        <button type="button" onClick={() => zoomTo(bbox)} disabled={map === null || bbox === null}>
          Zoom to box
        </button>
        <button
          type="button"
          onClick={() => zoomTo(dataUnion)}
          disabled={map === null || dataUnion === null}
          title={dataUnion ? 'The datasets’ extents from the dry run' : 'The dry run has not found the data’s extent yet'}
        >
          Zoom to data
        </button>
      </div>
      <div className={drawing ? 'extent-map-canvas drawing' : 'extent-map-canvas'} ref={containerRef} data-testid="extent-map" data-ready="false" />
      {mapError ? (
        <p className="error small extent-map-note" role="alert">
          {mapError}
        </p>
      ) : (
        <p className="muted small extent-map-note">
          <span>
            Shift-drag to draw a box
            {dataBounds.length > 0 && (
              <>
                ; <span className="data-key" /> the data from the dry run
              </>
            )}
            .
          </span>
          {pointer && (
            <span className="extent-pointer" aria-hidden="true">
              {pointer}
            </span>
          )}
        </p>
      )}
    </div>
  );
}
