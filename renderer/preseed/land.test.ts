/**
 * The bundled land outline the extent map draws boxes on (shared/land/world-land.json through the
 * shared decoder): the same polygons as the reports, each ring closed, none a band across the world.
 */
import { expect, test } from 'vitest';
import { worldLand } from './land.js';

test('the bundled land: the shared outline, every ring closed, none drawn as a band across the world', () => {
  const polygons = worldLand().features[0]!.geometry.coordinates;
  // The reports' land (main/reports/world-land.test.ts): 775 polygons, 776 rings, 18,733 points.
  expect(polygons.length).toBe(775);
  expect(polygons.flat().length).toBe(776);
  expect(polygons.flat().reduce((n, ring) => n + ring.length - 1, 0)).toBe(18733);
  let wide = 0;
  let pastAntimeridian = 0;
  for (const ring of polygons.flat()) {
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    expect(last).toEqual(first);
    expect(ring.length).toBeGreaterThanOrEqual(4);
    const lons = ring.map((p) => p[0]!);
    const lats = ring.map((p) => p[1]!);
    expect(Math.min(...lats)).toBeGreaterThanOrEqual(-90);
    expect(Math.max(...lats)).toBeLessThanOrEqual(90);
    // No jump across the world inside a ring, but for Antarctica's closing edge along the South Pole.
    const jumps = ring.filter((p, i) => i > 0 && Math.abs(p[0]! - ring[i - 1]![0]!) > 180);
    if (jumps.length > 0) {
      expect(jumps.length).toBe(1);
      expect(jumps[0]![1]).toBe(-90);
    }
    if (Math.max(...lons) - Math.min(...lons) > 300) wide++;
    if (Math.max(...lons) > 180 || Math.min(...lons) < -180) pastAntimeridian++;
    // Every ring is drawn mostly where it is (Siberia is not moved west of -180°; Vanua Levu, across 180°, is about half and half).
    expect(lons.filter((lon) => lon >= -180 && lon <= 180).length).toBeGreaterThanOrEqual(lons.length / 3);
  }
  // Only Antarctica spans the world; Afro-Eurasia (to Chukotka, 190°E) and Wrangel Island continue across 180°.
  expect(wide).toBe(1);
  expect(pastAntimeridian).toBe(2);
});

test('decoded once and kept', () => {
  expect(worldLand()).toBe(worldLand());
});
