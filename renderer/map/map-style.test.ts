import { expect, test } from 'vitest';
import type { TileCacheSummary } from '../../shared/contract.js';
import {
  BACKGROUND,
  BASEMAP_COLOURS,
  CACHE_SOURCE,
  LAYER_COLOURS,
  LAYER_COLOURS_DARK,
  PICKED_COLOURS,
  basemapLayers,
  colourFor,
  themePaint,
  absoluteTileUrl,
  buildStyle,
  styleLayerIdsFor,
  tileAt,
  tileZoomAt,
  tilesInView,
  zoomLimits,
} from './map-style.js';

const raster: TileCacheSummary = {
  id: 'a0777484ea2c',
  path: '/data/hillshade.mbtiles',
  kind: 'mbtiles',
  format: 'png',
  name: 'hillshade',
  bounds: [11, 57, 12, 58],
  minZoom: 7,
  maxZoom: 10,
  vectorLayers: [],
  tileUrlTemplate: 'tiles/a0777484ea2c/{z}/{x}/{y}',
};
const vector: TileCacheSummary = {
  ...raster,
  format: 'pbf',
  minZoom: 0,
  maxZoom: 4,
  bounds: null,
  vectorLayers: [
    { id: 'countries', fields: { name: 'String' }, geometryType: 'polygon', minZoom: 0, maxZoom: 4 },
    { id: 'roads', fields: {}, geometryType: 'line', minZoom: 0, maxZoom: 4 },
  ],
};

test('tile URLs are absolute with their placeholders intact', () => {
  expect(absoluteTileUrl(raster.tileUrlTemplate, 'http://127.0.0.1:7340/#/map?path=x')).toBe('http://127.0.0.1:7340/tiles/a0777484ea2c/{z}/{x}/{y}');
  expect(absoluteTileUrl(raster.tileUrlTemplate, 'tessera://app/index.html')).toBe('tessera://app/tiles/a0777484ea2c/{z}/{x}/{y}');
});

test('a raster style: background and the cache as 256-px raster tiles within its bounds and zooms; nothing remote', () => {
  const style = buildStyle(raster, 'http://h/tiles/{z}/{x}/{y}', 'light');
  expect(style.sources[CACHE_SOURCE]).toEqual({
    type: 'raster',
    tileSize: 256,
    tiles: ['http://h/tiles/{z}/{x}/{y}'],
    minzoom: 7,
    maxzoom: 10,
    bounds: [11, 57, 12, 58],
  });
  expect(style.layers.map((l) => [l.id, l.type])).toEqual([
    ['background', 'background'],
    ['cache:raster', 'raster'],
  ]);
  expect(style.glyphs).toBeUndefined();
  expect(style.sprite).toBeUndefined();
  expect(style.layers.some((l) => l.type === 'symbol')).toBe(false);
  expect(buildStyle(raster, 'x', 'dark').layers[0]).toMatchObject({ paint: { 'background-color': BACKGROUND.dark } });
});

test('a vector style: every geometry kind of every layer, filtered by type, one colour per layer', () => {
  const style = buildStyle(vector, 'http://h/t/{z}/{x}/{y}', 'light');
  expect(style.sources[CACHE_SOURCE]).toEqual({ type: 'vector', tiles: ['http://h/t/{z}/{x}/{y}'], minzoom: 0, maxzoom: 4 });
  expect(styleLayerIdsFor(style, 'countries')).toEqual(['cache:countries:fill', 'cache:countries:outline', 'cache:countries:line', 'cache:countries:circle']);
  const fill = style.layers.find((l) => l.id === 'cache:countries:fill')!;
  expect(fill).toMatchObject({
    type: 'fill',
    'source-layer': 'countries',
    filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': LAYER_COLOURS[0] },
  });
  expect(style.layers.find((l) => l.id === 'cache:roads:line')).toMatchObject({ paint: { 'line-color': LAYER_COLOURS[1] } });
  expect(style.layers.some((l) => l.type === 'symbol')).toBe(false);
});

test('zoom limits and the tile zoom MapLibre draws (raster 256-px tiles are one level deeper, rounded)', () => {
  expect(zoomLimits(raster)).toEqual({ minZoom: 6, maxZoom: 13 });
  expect(zoomLimits(vector)).toEqual({ minZoom: 0, maxZoom: 8 });
  expect(tileZoomAt(raster, 7.4)).toBe(8);
  expect(tileZoomAt(raster, 7.6)).toBe(9);
  expect(tileZoomAt(raster, 3)).toBe(7);
  expect(tileZoomAt(raster, 14)).toBe(10);
  expect(tileZoomAt(vector, 2.9)).toBe(2);
});

test('tiles in view, with their boxes and centres; too many is null', () => {
  const tiles = tilesInView([11, 57, 12, 58], 9)!;
  expect(tiles.map((t) => `${t.z}/${t.x}/${t.y}`)).toContain(`9/${tileAt(11.5, 57.5, 9).x}/${tileAt(11.5, 57.5, 9).y}`);
  for (const t of tiles) {
    expect(tileAt(t.centre[0], t.centre[1], 9)).toEqual({ z: 9, x: t.x, y: t.y });
    expect(t.bounds[0]).toBeLessThan(t.bounds[2]);
    expect(t.bounds[1]).toBeLessThan(t.bounds[3]);
  }
  expect(tilesInView([-180, -85, 180, 85], 0)).toHaveLength(1);
  expect(tilesInView([-180, -85, 180, 85], 5, 256)).toBeNull();
  expect(tileAt(180, -90, 2)).toEqual({ z: 2, x: 3, y: 3 });
});

test('the basemap sits between the background and the cache, from its own tile URL, z0–6, and can start hidden', () => {
  const style = buildStyle(vector, 'http://h/tiles/c/{z}/{x}/{y}', 'light', { tileUrl: 'http://h/tiles/basemap/{z}/{x}/{y}', visible: true });
  expect(style.sources.basemap).toEqual({ type: 'vector', tiles: ['http://h/tiles/basemap/{z}/{x}/{y}'], minzoom: 0, maxzoom: 6 });
  const ids = style.layers.map((l) => l.id);
  expect(ids.slice(0, 4)).toEqual(['background', 'basemap:land', 'basemap:borders', 'basemap:coast']);
  expect(ids.slice(4).every((id) => id.startsWith('cache:'))).toBe(true);
  const hidden = buildStyle(vector, 'http://h/t/{z}/{x}/{y}', 'dark', { tileUrl: 'http://h/b/{z}/{x}/{y}', visible: false });
  expect(hidden.layers.filter((l) => l.id.startsWith('basemap:')).map((l) => l.layout)).toEqual([
    { visibility: 'none' },
    { visibility: 'none' },
    { visibility: 'none' },
  ]);
  expect(basemapLayers('dark', true)[0]).toMatchObject({ paint: { 'fill-color': BASEMAP_COLOURS.dark.land } });
  // Without the option (the preseed form's extent map builds its own style) there is no basemap.
  expect(buildStyle(vector, 'http://h/t/{z}/{x}/{y}', 'light').sources.basemap).toBeUndefined();
});

/** WCAG's contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

test('layer colours read on the basemap in both themes (the dark blue on dark grey of before did not)', () => {
  for (const c of LAYER_COLOURS) {
    expect(contrast(c, BASEMAP_COLOURS.light.land), `${c} on light land`).toBeGreaterThanOrEqual(2.9);
    expect(contrast(c, BACKGROUND.light), `${c} on light sea`).toBeGreaterThanOrEqual(2.8);
  }
  for (const c of LAYER_COLOURS_DARK) {
    expect(contrast(c, BASEMAP_COLOURS.dark.land), `${c} on dark land`).toBeGreaterThanOrEqual(4.5);
    expect(contrast(c, BACKGROUND.dark), `${c} on dark sea`).toBeGreaterThanOrEqual(4.5);
  }
  expect(contrast('#0072b2', BACKGROUND.dark)).toBeLessThan(3.5);
  expect(colourFor(1, 'dark')).toBe(LAYER_COLOURS_DARK[1]);
  expect(colourFor(11, 'light')).toBe(LAYER_COLOURS[1]);
});

test('a theme change repaints the background, the basemap, the cache layers and the highlight', () => {
  const style = buildStyle(vector, 'http://h/t/{z}/{x}/{y}', 'light', { tileUrl: 'http://h/b/{z}/{x}/{y}', visible: true });
  const paint = new Map(themePaint(style, 'dark').map(([layer, property, value]) => [`${layer} ${property}`, value]));
  expect(paint.get('background background-color')).toBe(BACKGROUND.dark);
  expect(paint.get('basemap:land fill-color')).toBe(BASEMAP_COLOURS.dark.land);
  expect(paint.get('basemap:borders line-color')).toBe(BASEMAP_COLOURS.dark.border);
  expect(paint.get('cache:countries:fill fill-color')).toBe(LAYER_COLOURS_DARK[0]);
  expect(paint.get('cache:roads:line line-color')).toBe(LAYER_COLOURS_DARK[1]);
  expect(paint.get('tessera-picked-line line-color')).toBe(PICKED_COLOURS.dark.main);
});
