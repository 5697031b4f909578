/**
 * What the preview adds to a loaded map, one hook each: the vector layers' visibility, the
 * basemap's, the inspector's clicks (the clicked feature highlighted), the tile grid with z/x/y
 * labels, and the job's extent. Each undoes what it added when it is switched off or the map goes.
 */
import type { FeatureCollection } from 'geojson';
import { useEffect, useRef, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { useResolvedTheme } from '../shell/theme.js';
import {
  BASEMAP_LAYER_PREFIX,
  CACHE_LAYER_PREFIX,
  PICKED_SOURCE,
  type Theme,
  pickedLayers,
  EXTENT_SOURCE,
  GRID_SOURCE,
  type GridTile,
  type StyleSpecification,
  extentGeoJson,
  extentLayers,
  gridGeoJson,
  gridLayer,
  styleLayerIdsFor,
  tileAt,
  tileZoomAt,
  tilesInView,
} from './map-style.js';
import { maplibregl } from './maplibre.js';

export type Bounds = [number, number, number, number];

/** What a click found: the features under it (vector) or the tile it fell in (raster). */
export interface Picked {
  lngLat: [number, number];
  tile: { z: number; x: number; y: number };
  features: { layer: string; id: string | number | undefined; geometry: string; properties: Record<string, unknown> }[];
}

/** Features shown per click: enough for a stack of layers, few enough to read. */
const MAX_PICKED = 5;
/** Grid cells shown at once; more is noise. */
const MAX_GRID_TILES = 256;

/** Shows the vector layers not in `hidden`, hides the others. */
export function useLayerVisibility(map: maplibregl.Map | null, style: StyleSpecification | null, summary: TileCacheSummary, hidden: ReadonlySet<string>): void {
  useEffect(() => {
    if (map === null || style === null) return;
    for (const layer of summary.vectorLayers) {
      for (const id of styleLayerIdsFor(style, layer.id)) map.setLayoutProperty(id, 'visibility', hidden.has(layer.id) ? 'none' : 'visible');
    }
  }, [map, style, hidden, summary]);
}

/** Shows the basemap's layers while `shown`, hides them otherwise. */
export function useBasemapVisibility(map: maplibregl.Map | null, shown: boolean): void {
  useEffect(() => {
    if (map === null) return;
    for (const id of map.getLayersOrder()) {
      if (id.startsWith(BASEMAP_LAYER_PREFIX)) map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none');
    }
  }, [map, shown]);
}

/** No layer hidden: one set for every render, so the effects that read it do not run again. */
const NONE_HIDDEN: ReadonlySet<string> = new Set();

const NOTHING: FeatureCollection = { type: 'FeatureCollection', features: [] };

function removePicked(map: maplibregl.Map): void {
  for (const layer of pickedLayers('light')) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
}

/**
 * Outlines `hit` (nothing when undefined): a feature with an id from the cache's own tiles (all of
 * it that is loaded, without the seams of tile-clipped copies), one without as the piece clicked.
 */
export function showPicked(map: maplibregl.Map, hit: maplibregl.MapGeoJSONFeature | undefined, theme: Theme): void {
  removePicked(map);
  const piece: FeatureCollection = hit ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: hit.geometry }] } : NOTHING;
  const byId = hit?.id !== undefined && hit.sourceLayer !== undefined;
  // setData resolves when the worker has the data; nothing waits on that here.
  void map.getSource<maplibregl.GeoJSONSource>(PICKED_SOURCE)?.setData(byId ? NOTHING : piece);
  if (hit === undefined) return;
  for (const layer of pickedLayers(theme, byId ? { sourceLayer: hit.sourceLayer!, id: hit.id! } : undefined)) map.addLayer(layer);
}

/**
 * The last click: the features under the pointer (a few pixels around it, so thin lines and points
 * can be hit) and its tile; the first (topmost) feature is outlined on the map until the next
 * click, and hidden while its layer is (`hidden`).
 */
export function useFeaturePicker(map: maplibregl.Map | null, summary: TileCacheSummary, hidden: ReadonlySet<string> = NONE_HIDDEN): Picked | null {
  const [picked, setPicked] = useState<Picked | null>(null);
  const isVector = summary.format === 'pbf';
  // The theme at the moment of a click colours its highlight; use-cache-map.ts repaints it after.
  const theme = useResolvedTheme();
  const themeRef = useRef(theme);
  themeRef.current = theme;
  const pickedLayer = picked?.features[0]?.layer;
  useEffect(() => {
    if (map === null || pickedLayer === undefined) return;
    for (const { id } of pickedLayers('light')) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', hidden.has(pickedLayer) ? 'none' : 'visible');
  }, [map, hidden, pickedLayer]);
  useEffect(() => {
    if (map === null) return;
    map.addSource(PICKED_SOURCE, { type: 'geojson', data: NOTHING });
    return () => {
      removePicked(map);
      if (map.getSource(PICKED_SOURCE)) map.removeSource(PICKED_SOURCE);
    };
  }, [map]);
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
      const hits = isVector ? map.queryRenderedFeatures(box, { layers }) : [];
      for (const f of hits) {
        const key = `${f.sourceLayer}:${f.id ?? JSON.stringify(f.properties)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        features.push({ layer: f.sourceLayer ?? '', id: f.id, geometry: f.geometry.type, properties: f.properties });
        if (features.length >= MAX_PICKED) break;
      }
      showPicked(map, hits[0], themeRef.current);
      setPicked({ lngLat: [lng, lat], tile: tileAt(lng, lat, z), features });
    };
    map.on('click', onClick);
    return () => {
      map.off('click', onClick);
    };
  }, [map, summary, isVector]);
  return picked;
}

/**
 * The tile grid while `shown`: boundaries as a GeoJSON line layer, z/x/y labels as HTML markers
 * (there are no glyphs). Returns a note when too many tiles are in view to draw.
 */
export function useTileGrid(map: maplibregl.Map | null, shown: boolean, summary: TileCacheSummary): string | null {
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (map === null || !shown) return;
    map.addSource(GRID_SOURCE, { type: 'geojson', data: gridGeoJson([]) });
    map.addLayer(gridLayer());
    let markers: maplibregl.Marker[] = [];
    const update = () => {
      const b = map.getBounds();
      const z = tileZoomAt(summary, map.getZoom());
      const tiles = tilesInView([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], z, MAX_GRID_TILES);
      setNote(tiles === null ? `More than ${MAX_GRID_TILES} tiles of zoom ${z} in view: zoom in to see their boundaries.` : null);
      const inView: GridTile[] = tiles ?? [];
      // setData resolves when the worker has the data; nothing waits on that here.
      void map.getSource<maplibregl.GeoJSONSource>(GRID_SOURCE)?.setData(gridGeoJson(inView));
      for (const m of markers) m.remove();
      markers = inView.map((t) => {
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
      setNote(null);
      // The map may already be gone (another cache opened): then so are its layers.
      if (map.getLayer('tessera-grid')) map.removeLayer('tessera-grid');
      if (map.getSource(GRID_SOURCE)) map.removeSource(GRID_SOURCE);
    };
  }, [map, shown, summary]);
  return note;
}

/** The job's extent as an outline, keyed on its values: a new array with the same numbers changes nothing. */
export function useExtentOutline(map: maplibregl.Map | null, extent: Bounds | undefined): void {
  const extentKey = extent?.join(',');
  useEffect(() => {
    if (map === null || extentKey === undefined) return;
    const [w = 0, s = 0, e = 0, n = 0] = extentKey.split(',').map(Number);
    map.addSource(EXTENT_SOURCE, { type: 'geojson', data: extentGeoJson([w, s, e, n]) });
    const layers = extentLayers();
    for (const layer of layers) map.addLayer(layer);
    return () => {
      for (const layer of layers) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
      if (map.getSource(EXTENT_SOURCE)) map.removeSource(EXTENT_SOURCE);
    };
  }, [map, extentKey]);
}
