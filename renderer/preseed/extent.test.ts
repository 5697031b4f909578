/**
 * Drawn boxes to bbox fields, and the bundled land outline the extent map draws them on.
 */
import { expect, test } from 'vitest';
import { MAX_LATITUDE, bboxFields, bboxFromCorners, bboxFromView, formatLonLat, unionOf } from './extent.js';
import { type Topology, decodePolygons, worldLand } from './land.js';

test('two corners in any order make one box, rounded to 1e-5°, clamped to the Web Mercator world', () => {
  expect(bboxFromCorners([11.8, 57.2], [11.2, 57.9])).toEqual([11.2, 57.2, 11.8, 57.9]);
  expect(bboxFromCorners([11.123456789, 57.987654321], [12, 58])).toEqual([11.12346, 57.98765, 12, 58]);
  expect(bboxFromCorners([-200, -89], [200, 89])).toEqual([-180, -Number(MAX_LATITUDE.toFixed(5)), 180, Number(MAX_LATITUDE.toFixed(5))]);
  expect(bboxFromView(-250, -87, 40, 60)).toEqual([-180, -85.05113, 40, 60]);
});

test('a click or a drag along one axis is no box', () => {
  expect(bboxFromCorners([11, 57], [11, 57])).toBeNull();
  expect(bboxFromCorners([11, 57], [12, 57])).toBeNull();
  expect(bboxFromCorners([11, 57], [11.000001, 58])).toBeNull();
});

test('fields, unions and the pointer read-out', () => {
  expect(bboxFields([11.2, 57.25, 11.8, 57.9])).toEqual(['11.2', '57.25', '11.8', '57.9']);
  expect(unionOf([])).toBeNull();
  expect(unionOf([[11, 57, 12, 58], [10, 57.5, 11.5, 59]])).toEqual([10, 57, 12, 59]);
  expect(formatLonLat(-3.5, -20.25)).toBe('3.5000° W, 20.2500° S');
});

test('TopoJSON arcs decode into rings, reversed arcs backwards, quantised through the transform', () => {
  const topology: Topology = {
    transform: { scale: [0.5, 0.25], translate: [10, 50] },
    arcs: [
      [[0, 0], [2, 0], [0, 4]],
      [[2, 4], [-2, 0], [0, -4]],
    ],
    objects: { land: { type: 'GeometryCollection', geometries: [{ type: 'Polygon', arcs: [[0, 1]] }, { type: 'MultiPolygon', arcs: [[[~1, ~0]]] }] } },
  };
  const [feature] = decodePolygons(topology, 'land').features;
  const [square, reversed] = feature!.geometry.coordinates;
  expect(square).toEqual([[[10, 50], [11, 50], [11, 51], [10, 51], [10, 50]]]);
  expect(reversed).toEqual([[[10, 50], [10, 51], [11, 51], [11, 50], [10, 50]]]);
  expect(() => decodePolygons(topology, 'ocean')).toThrow(/no object ocean/);
});

test('the bundled land: every ring closed, none drawn as a band across the world', () => {
  const polygons = worldLand().features[0]!.geometry.coordinates;
  expect(polygons.length).toBeGreaterThan(100);
  let wide = 0;
  let pastAntimeridian = 0;
  for (const ring of polygons.flat()) {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    expect(last).toEqual(first);
    const lons = ring.map((p) => p[0]!);
    const jumps = ring.filter((p, i) => i > 0 && Math.abs(p[0]! - ring[i - 1]![0]!) > 180).length;
    // Only a ring that crosses the antimeridian once (Antarctica) may still jump: it closes along its south edge.
    if (jumps > 0) {
      expect(jumps).toBe(1);
      expect(Math.min(...ring.map((p) => p[1]!))).toBeLessThan(-60);
    }
    if (Math.max(...lons) - Math.min(...lons) > 300) wide++;
    if (Math.max(...lons) > 180 || Math.min(...lons) < -180) pastAntimeridian++;
    // Most of every ring is drawn where it is (Siberia is not moved west of -180°).
    expect(lons.filter((lon) => lon >= -180 && lon <= 180).length).toBeGreaterThanOrEqual(lons.length / 2);
  }
  // Only Antarctica spans the world; Russia (Chukotka), Wrangel Island and Fiji continue across 180°.
  expect(wide).toBe(1);
  expect(pastAntimeridian).toBe(3);
});
