/**
 * The preview's MapLibre style, built in code from a cache summary: a background, the offline
 * basemap (land, coast and borders, under everything), the cache's source, and for vector tiles
 * one automatically styled group of layers per source layer, in colours chosen per theme.
 *
 * Offline by construction: no glyphs, no sprites, no remote sources, so there are no symbol layers
 * (tile-grid labels are HTML markers, see map-overlays.ts). Pure functions, so they are tested
 * without WebGL.
 */
import { MAX_LATITUDE as MAX_LAT } from '../../shared/tile-grid.js';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import type * as maplibregl from 'maplibre-gl';
import type { TileCacheSummary } from '../../shared/contract.js';

export type StyleSpecification = Exclude<maplibregl.MapOptions['style'], string | undefined>;
export type LayerSpecification = StyleSpecification['layers'][number];
type VectorLayer = TileCacheSummary['vectorLayers'][number];
type Bounds = [number, number, number, number];

/** The id of the cache's source; every cache layer's id starts with CACHE_LAYER_PREFIX. */
export const CACHE_SOURCE = 'cache';
export const CACHE_LAYER_PREFIX = 'cache:';
export const GRID_SOURCE = 'tessera-grid';
export const EXTENT_SOURCE = 'tessera-extent';
export const PICKED_SOURCE = 'tessera-picked';
/** The offline basemap's source; every basemap layer's id starts with BASEMAP_LAYER_PREFIX. */
export const BASEMAP_SOURCE = 'basemap';
export const BASEMAP_LAYER_PREFIX = 'basemap:';
/** Both hosts serve the basemap here (main/hosts/basemap-tiles.ts), relative to the app's origin. */
export const BASEMAP_TILE_TEMPLATE = 'tiles/basemap/{z}/{x}/{y}';
/** The basemap holds z0–6 (scripts/make-basemap.mjs); MapLibre overzooms z6 below that. */
export const BASEMAP_MAX_ZOOM = 6;

export type Theme = 'light' | 'dark';

/** Map backgrounds (the sea): a pale blue-grey (light) or a dark slate, both unlike any layer colour below. */
export const BACKGROUND = { light: '#dde6ee', dark: '#1c232b' } as const;
/**
 * The basemap: land a step off the sea, coast and borders a step further, all without hue, so the
 * cache's colours (and a raster's own) stand out on top in either theme.
 */
export const BASEMAP_COLOURS = {
  light: { land: '#f4f3ef', coast: '#a9b6c2', border: '#c4bdb3' },
  dark: { land: '#2c333c', coast: '#4f6070', border: '#56606b' },
} as const satisfies Record<Theme, Record<string, string>>;
/**
 * Distinct, colour-blind-friendly hues (Okabe–Ito, then Tol's muted), one per source layer in
 * order; the paler ones (orange, sky blue, olive) darkened a step so that every one stands at least
 * 2.9:1 against the light basemap's land and sea (map-style.test.ts measures it).
 */
export const LAYER_COLOURS = ['#b87800', '#0072b2', '#00805f', '#b0588a', '#c04f00', '#2a83bf', '#882255', '#117733', '#77771f', '#aa4499'];
/**
 * The same hues lightened for the dark theme: dark blue (#0072b2) or wine (#882255) on a dark
 * slate were hard to read (1.8:1). Each keeps its light twin's place, so a layer keeps its colour
 * family; all stand at 4.5:1 or more against the dark land and sea.
 */
export const LAYER_COLOURS_DARK = ['#ffb733', '#4fb3f0', '#2fd3a0', '#e8a1c9', '#ff8a4c', '#9ad4f5', '#d77fae', '#6fcf7f', '#d9d96a', '#d49ad0'];
/** The clicked feature: a colour no layer uses, with a halo of the theme's contrast under it. */
export const PICKED_COLOURS = { light: { main: '#ff00aa', halo: '#ffffff' }, dark: { main: '#ffe600', halo: '#000000' } } as const;
/** Fills are see-through so that overlapping layers and the tile grid stay visible. */
export const FILL_OPACITY = 0.6;
const GRID_COLOUR = '#c2185b';
const EXTENT_COLOUR = '#111111';
/** Raster tiles from GDAL and most tile servers are 256 px. */
const RASTER_TILE_SIZE = 256;

/** The colour of the `index`th source layer in `theme`. */
export function colourFor(index: number, theme: Theme = 'light'): string {
  const colours = theme === 'dark' ? LAYER_COLOURS_DARK : LAYER_COLOURS;
  return colours[index % colours.length]!;
}

/** The basemap: where its tiles are (absolute, see buildStyle) and whether it is drawn. */
export interface BasemapOptions {
  tileUrl: string;
  visible: boolean;
}

/**
 * The full style for `summary`. `tileUrl` is the summary's template made absolute against the page
 * (`new URL(summary.tileUrlTemplate, location.href).href`): MapLibre's worker cannot resolve relative
 * URLs. With `basemap`, the basemap's source and layers sit between the background and the cache.
 */
export function buildStyle(summary: TileCacheSummary, tileUrl: string, theme: Theme, basemap?: BasemapOptions): StyleSpecification {
  const bounds = summary.bounds ?? undefined;
  const common = { tiles: [tileUrl], minzoom: summary.minZoom, maxzoom: summary.maxZoom, ...(bounds ? { bounds } : {}) };
  const isVector = summary.format === 'pbf';
  return {
    version: 8,
    sources: {
      ...(basemap ? { [BASEMAP_SOURCE]: { type: 'vector' as const, tiles: [basemap.tileUrl], minzoom: 0, maxzoom: BASEMAP_MAX_ZOOM } } : {}),
      [CACHE_SOURCE]: isVector ? { type: 'vector', ...common } : { type: 'raster', tileSize: RASTER_TILE_SIZE, ...common },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND[theme] } },
      ...(basemap ? basemapLayers(theme, basemap.visible) : []),
      ...(isVector ? summary.vectorLayers.flatMap((l, i) => vectorLayerStyle(l, i, theme)) : [rasterLayer()]),
    ],
  };
}

/**
 * The basemap's layers: land filled, then the coast (the land's outline) and the borders (the
 * countries' outlines; along a coast they fall on the coastline, drawn in the same weight).
 */
export function basemapLayers(theme: Theme, visible: boolean): LayerSpecification[] {
  const c = BASEMAP_COLOURS[theme];
  const layout = { visibility: visible ? ('visible' as const) : ('none' as const) };
  const base = { source: BASEMAP_SOURCE };
  return [
    // No antialiasing: neighbouring polygons cut at tile edges would show hairline seams.
    { id: `${BASEMAP_LAYER_PREFIX}land`, type: 'fill', ...base, 'source-layer': 'land', layout, paint: { 'fill-color': c.land, 'fill-antialias': false } },
    { id: `${BASEMAP_LAYER_PREFIX}borders`, type: 'line', ...base, 'source-layer': 'countries', layout, paint: { 'line-color': c.border, 'line-width': 0.7 } },
    { id: `${BASEMAP_LAYER_PREFIX}coast`, type: 'line', ...base, 'source-layer': 'land', layout, paint: { 'line-color': c.coast, 'line-width': 0.8 } },
  ];
}

/**
 * The paint properties that change with the theme, as [layer id, property, value]: the background,
 * the basemap, the cache's vector layers, the clicked feature's highlight. Applied to a live map
 * when the theme changes, so switching theme needs no new map.
 */
export function themePaint(style: StyleSpecification, theme: Theme): [string, string, string][] {
  const paint: [string, string, string][] = [['background', 'background-color', BACKGROUND[theme]]];
  const fresh = new Map<string, LayerSpecification>();
  for (const layer of style.layers) {
    if (layer.id.startsWith(BASEMAP_LAYER_PREFIX)) fresh.set(layer.id, basemapLayers(theme, true).find((l) => l.id === layer.id)!);
  }
  const sourceLayers = style.layers.flatMap((l) => ('source-layer' in l && l.source === CACHE_SOURCE && l['source-layer'] ? [l['source-layer']] : []));
  const ordered = [...new Set(sourceLayers)];
  ordered.forEach((sourceLayer, i) => {
    for (const layer of vectorLayerStyle({ id: sourceLayer, fields: {}, geometryType: 'unknown', minZoom: 0, maxZoom: 0 }, i, theme))
      fresh.set(layer.id, layer);
  });
  for (const layer of pickedLayers(theme)) fresh.set(layer.id, layer);
  for (const [id, layer] of fresh) {
    for (const [property, value] of Object.entries(('paint' in layer && layer.paint) || {})) {
      if (typeof value === 'string' && property.endsWith('color')) paint.push([id, property, value]);
    }
  }
  return paint;
}

/**
 * The clicked feature's highlight, drawn over everything: a halo and the highlight colour, by
 * geometry type. With `target` (a feature with an id) it draws that feature from the cache's own
 * tiles, each tile its own piece, so a country cut into many tiles is outlined whole and without
 * seams; without, it draws PICKED_SOURCE (the piece under the pointer, as GeoJSON).
 */
export function pickedLayers(theme: Theme, target?: { sourceLayer: string; id: string | number }): LayerSpecification[] {
  const { main, halo } = PICKED_COLOURS[theme];
  const base = target ? { source: CACHE_SOURCE, 'source-layer': target.sourceLayer } : { source: PICKED_SOURCE };
  const only = (filter: maplibregl.ExpressionSpecification): maplibregl.ExpressionSpecification =>
    target ? ['all', filter, ['==', ['id'], target.id]] : filter;
  const notPoint = only(['!=', ['geometry-type'], 'Point']);
  return [
    {
      id: 'tessera-picked-fill',
      type: 'fill',
      ...base,
      filter: only(['==', ['geometry-type'], 'Polygon']),
      paint: { 'fill-color': main, 'fill-opacity': 0.25 },
    },
    { id: 'tessera-picked-halo', type: 'line', ...base, filter: notPoint, paint: { 'line-color': halo, 'line-width': 5, 'line-opacity': 0.9 } },
    { id: 'tessera-picked-line', type: 'line', ...base, filter: notPoint, paint: { 'line-color': main, 'line-width': 2.5 } },
    {
      id: 'tessera-picked-point',
      type: 'circle',
      ...base,
      filter: only(['==', ['geometry-type'], 'Point']),
      paint: { 'circle-color': main, 'circle-radius': 7, 'circle-stroke-color': halo, 'circle-stroke-width': 2 },
    },
  ];
}

function rasterLayer(): LayerSpecification {
  // No fade: a preview should show what is in the cache as soon as it arrives (and tests sample it).
  return { id: `${CACHE_LAYER_PREFIX}raster`, type: 'raster', source: CACHE_SOURCE, paint: { 'raster-fade-duration': 0 } };
}

/**
 * One source layer's style layers: fill and outline for polygons, line for lines, circle for points.
 * Every geometry kind is drawn, each filtered to its own type, whatever the summary says the layer
 * holds: metadata is often wrong for mixed layers (GDAL's tilestats names one type for a layer of
 * points and polygons), and a preview must not hide features. Points draw over lines over polygons.
 */
export function vectorLayerStyle(layer: VectorLayer, index: number, theme: Theme = 'light'): LayerSpecification[] {
  const colour = colourFor(index, theme);
  const base = { source: CACHE_SOURCE, 'source-layer': layer.id };
  const id = (part: string) => `${CACHE_LAYER_PREFIX}${layer.id}:${part}`;
  const fill: LayerSpecification[] = [
    { id: id('fill'), type: 'fill', ...base, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': colour, 'fill-opacity': FILL_OPACITY } },
    { id: id('outline'), type: 'line', ...base, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'line-color': colour, 'line-width': 1 } },
  ];
  const line: LayerSpecification[] = [
    { id: id('line'), type: 'line', ...base, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': colour, 'line-width': 1.5 } },
  ];
  const circle: LayerSpecification[] = [
    {
      id: id('circle'),
      type: 'circle',
      ...base,
      filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': colour, 'circle-radius': 4, 'circle-stroke-color': theme === 'dark' ? '#111111' : '#ffffff', 'circle-stroke-width': 1 },
    },
  ];
  return [...fill, ...line, ...circle];
}

/** The ids of the style layers that draw source layer `layerId` (for visibility toggles). */
export function styleLayerIdsFor(style: StyleSpecification, layerId: string): string[] {
  return style.layers.filter((l) => 'source-layer' in l && l['source-layer'] === layerId).map((l) => l.id);
}

/**
 * The map's zoom limits for a cache. MapLibre's zoom is based on 512-px tiles, so a 256-px raster
 * tile of zoom z is drawn at map zoom z - 1. Overzooming a few levels past the deepest tiles is
 * allowed (to look at pixels or vertices); zooming out past the shallowest is not, as nothing shows there.
 */
export function zoomLimits(summary: TileCacheSummary): { minZoom: number; maxZoom: number } {
  const offset = summary.format === 'pbf' ? 0 : -1;
  return { minZoom: Math.max(0, summary.minZoom + offset), maxZoom: Math.min(24, summary.maxZoom + offset + 4) };
}

/**
 * The zoom of the cache tiles MapLibre draws at map zoom `mapZoom`: as its covering-tiles logic
 * does, rounded for raster sources (256-px tiles, one level deeper) and floored for vector ones.
 */
export function tileZoomAt(summary: TileCacheSummary, mapZoom: number): number {
  const z = summary.format === 'pbf' ? Math.floor(mapZoom + 1e-6) : Math.round(mapZoom + 1);
  return Math.max(summary.minZoom, Math.min(summary.maxZoom, z));
}

/**
 * The summary's relative tile URL template made absolute against the page. MapLibre's worker cannot
 * resolve relative URLs, and `new URL()` alone would percent-encode the `{z}/{x}/{y}` placeholders,
 * which MapLibre then never replaces.
 */
export function absoluteTileUrl(template: string, base: string): string {
  return new URL(template, base).href.replace(/%7B(z|x|y)%7D/gi, '{$1}');
}

/** The XYZ tile of zoom `z` holding (lon, lat). */
export function tileAt(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const side = 2 ** z;
  return { z, x: Math.min(side - 1, Math.floor(lonToX(lon) * side)), y: Math.min(side - 1, Math.floor(latToY(lat) * side)) };
}

/** An XYZ tile with its WGS84 box and centre (the centre in Web Mercator, where labels go). */
export interface GridTile {
  z: number;
  x: number;
  y: number;
  bounds: Bounds;
  centre: [number, number];
}

/**
 * The tiles of zoom `z` that meet `view` (west, south, east, north), or null when there are more
 * than `limit` (a grid of hundreds of cells is noise, not information).
 */
export function tilesInView(view: Bounds, z: number, limit = 256): GridTile[] | null {
  const side = 2 ** z;
  const [w, s, e, n] = view;
  const x0 = Math.max(0, Math.floor(lonToX(w) * side));
  const x1 = Math.min(side - 1, Math.floor(lonToX(e) * side - 1e-9));
  const y0 = Math.max(0, Math.floor(latToY(n) * side));
  const y1 = Math.min(side - 1, Math.floor(latToY(s) * side - 1e-9));
  if (x1 < x0 || y1 < y0) return [];
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > limit) return null;
  const tiles: GridTile[] = [];
  for (let x = x0; x <= x1; x++) {
    for (let y = y0; y <= y1; y++) {
      tiles.push({
        z,
        x,
        y,
        bounds: [xToLon(x / side), yToLat((y + 1) / side), xToLon((x + 1) / side), yToLat(y / side)],
        centre: [xToLon((x + 0.5) / side), yToLat((y + 0.5) / side)],
      });
    }
  }
  return tiles;
}

/** Tile boundaries as GeoJSON lines (one closed ring per tile). */
export function gridGeoJson(tiles: readonly GridTile[]): FeatureCollection {
  return { type: 'FeatureCollection', features: tiles.map((t) => ring(t.bounds, { z: t.z, x: t.x, y: t.y })) };
}

/** A job's extent (west, south, east, north) as one closed GeoJSON line. */
export function extentGeoJson(extent: Bounds): FeatureCollection {
  return { type: 'FeatureCollection', features: [ring(extent, {})] };
}

/** The style layers for the tile grid and the extent outline, added on top when shown. */
export function gridLayer(): LayerSpecification {
  return { id: 'tessera-grid', type: 'line', source: GRID_SOURCE, paint: { 'line-color': GRID_COLOUR, 'line-width': 1 } };
}

export function extentLayers(): LayerSpecification[] {
  return [
    { id: 'tessera-extent-halo', type: 'line', source: EXTENT_SOURCE, paint: { 'line-color': '#ffffff', 'line-width': 4, 'line-opacity': 0.8 } },
    { id: 'tessera-extent', type: 'line', source: EXTENT_SOURCE, paint: { 'line-color': EXTENT_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2] } },
  ];
}

function ring([w, s, e, n]: Bounds, properties: Record<string, number>): Feature<LineString> {
  return {
    type: 'Feature',
    properties,
    geometry: {
      type: 'LineString',
      coordinates: boxRing([w, s, e, n]),
    },
  };
}

/** A box's outline as a closed ring of [lon, lat]: north-west, north-east, south-east, south-west, north-west. */
export function boxRing([w, s, e, n]: readonly [number, number, number, number]): [number, number][] {
  return [
    [w, n],
    [e, n],
    [e, s],
    [w, s],
    [w, n],
  ];
}

function lonToX(lon: number): number {
  return (Math.max(-180, Math.min(180, lon)) + 180) / 360;
}

function latToY(lat: number): number {
  const rad = (Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI) / 180;
  return (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2;
}

function xToLon(x: number): number {
  return x * 360 - 180;
}

function yToLat(y: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI;
}
