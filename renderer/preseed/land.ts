/**
 * The world's land for the extent map, so a box can be drawn somewhere recognisable without a
 * basemap from the internet: the land outline the job reports draw too (Natural Earth 1:50m land
 * from world-atlas, simplified; shared/land/world-land.json, made by scripts/make-land.mjs),
 * bundled into this screen's chunk as text and decoded by the shared decoder
 * (shared/land/land-outline.ts) into GeoJSON polygons.
 */
import type { FeatureCollection, MultiPolygon } from 'geojson';
import landJson from '../../shared/land/world-land.json?raw';
import { decodeLand, landCoordinates, parseLandFile } from '../../shared/land/land-outline.js';

let land: FeatureCollection<MultiPolygon> | null = null;

/**
 * The land polygons (outer ring, then holes), decoded on first use and kept. Rings that cross the
 * antimeridian and come back (Chukotka, Fiji) are continuous, reaching past 180°, so the planar
 * map draws them without a band across the world; Antarctica is closed along the South Pole.
 */
export function worldLand(): FeatureCollection<MultiPolygon> {
  land ??= {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: landCoordinates(decodeLand(parseLandFile(JSON.parse(landJson)))) } },
    ],
  };
  return land;
}
