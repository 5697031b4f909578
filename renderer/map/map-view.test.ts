import { afterEach, expect, test } from 'vitest';
import type { TileCacheSummary } from '../../shared/contract.js';
import { areaLabel, basemapShown, dataBounds, isMissingTile, openingBounds, rememberBasemap, tilesIn, zoomReadout } from './map-view.js';

const base: TileCacheSummary = {
  id: 'a0777484ea2c',
  path: '/data/two.mbtiles',
  kind: 'mbtiles',
  format: 'png',
  name: 'two',
  bounds: [-88, 41.6, 24.2, 69.1],
  minZoom: 4,
  maxZoom: 8,
  vectorLayers: [],
  tileUrlTemplate: 'tiles/a0777484ea2c/{z}/{x}/{y}',
};
const sweden = { bounds: [11, 55.3, 24.2, 69.1] as [number, number, number, number], tiles: 40, z: 7 };
const chicago = { bounds: [-88, 41.6, -87.5, 42.1] as [number, number, number, number], tiles: 2, z: 7 };

afterEach(() => localStorage.clear());

test('two areas far apart: the map opens on the larger, fit to data shows both', () => {
  const summary = { ...base, areas: [sweden, chicago] };
  expect(openingBounds(summary)).toEqual(sweden.bounds);
  expect(dataBounds(summary)).toEqual(base.bounds);
});

test("areas that fill most of their box (the world's continents): the map opens on all of it", () => {
  const continents = [
    { bounds: [-20, -35, 180, 80] as [number, number, number, number], tiles: 90, z: 4 },
    { bounds: [-170, -56, -30, 72] as [number, number, number, number], tiles: 50, z: 4 },
  ];
  expect(openingBounds({ ...base, bounds: [-180, -60, 180, 80], areas: continents })).toEqual([-170, -56, 180, 80]);
});

test("fit to data is where the tiles are, not the features' extent the metadata gives", () => {
  expect(dataBounds({ ...base, bounds: [-180, -83, 180, 83], areas: [sweden, chicago] })).toEqual([-88, 41.6, 24.2, 69.1]);
});

test('one area, no areas, no bounds', () => {
  expect(openingBounds({ ...base, areas: [sweden] })).toEqual(sweden.bounds);
  expect(openingBounds(base)).toEqual(base.bounds);
  const unbounded = { ...base, bounds: null };
  expect(openingBounds(unbounded)).toBeNull();
  expect(dataBounds(unbounded)).toBeNull();
  // Without declared bounds, the areas' box is the data.
  expect(dataBounds({ ...unbounded, areas: [sweden, chicago] })).toEqual([-88, 41.6, 24.2, 69.1]);
});

test('tiles in a box', () => {
  expect(tilesIn([-180, -85, 180, 85], 0)).toBe(1);
  expect(tilesIn([-180, -85, 180, 85], 2)).toBe(16);
  expect(tilesIn([0, 0, 1, 1], 2)).toBe(1);
  expect(tilesIn([-1, -1, 1, 1], 2)).toBe(4);
});

test('areas are named by their middle and their tiles', () => {
  expect(areaLabel(sweden)).toBe('62.2°N 17.6°E · 40 tiles at z7');
  expect(areaLabel({ bounds: [-60, -40, -50, -30], tiles: 1, z: 3 })).toBe('35.0°S 55.0°W · 1 tile at z3');
});

test('the zoom readout names the tiles drawn, and when the map is past them', () => {
  // Raster tiles are 256 px: map zoom 5 draws tiles of zoom 6.
  expect(zoomReadout(base, 5)).toBe('Zoom 5.0 · tiles z6');
  expect(zoomReadout(base, 9.4)).toBe('Zoom 9.4 · tiles z8 (overzoomed from z8)');
  expect(zoomReadout(base, 1.2)).toBe('Zoom 1.2 · tiles z4 (none above z4)');
  const vector = { ...base, format: 'pbf' as const };
  expect(zoomReadout(vector, 5.7)).toBe('Zoom 5.7 · tiles z5');
});

test('only a 404 is a missing tile', () => {
  expect(isMissingTile(Object.assign(new Error('Not Found'), { status: 404 }))).toBe(true);
  expect(isMissingTile(Object.assign(new Error('Server error'), { status: 500 }))).toBe(false);
  expect(isMissingTile(new Error('style'))).toBe(false);
  expect(isMissingTile(undefined)).toBe(false);
});

test('the basemap is on until switched off, and the switch is remembered', () => {
  expect(basemapShown()).toBe(true);
  rememberBasemap(false);
  expect(basemapShown()).toBe(false);
  rememberBasemap(true);
  expect(basemapShown()).toBe(true);
});
