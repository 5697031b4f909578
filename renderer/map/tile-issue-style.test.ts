import { expect, test } from 'vitest';
import type { TileIssue } from '../../shared/contract.js';
import { tileBoundsLonLat } from '../../shared/tile-grid.js';
import { CACHE_LAYER_PREFIX, LAYER_COLOURS, LAYER_COLOURS_DARK, PICKED_COLOURS } from './map-style.js';
import { ISSUE_COLOURS, ISSUE_KINDS, issueCamera, issueColour, issueCounts, issueKey, issueLayers, issueSquares, issuesNote } from './tile-issue-style.js';

const issue = (z: number, x: number, y: number, kind: TileIssue['issue'], detail = 'x'): TileIssue => ({ itemId: 7, z, x, y, issue: kind, detail });

test('an issue is a closed square on its tile’s box, carrying what a click shows', () => {
  const squares = issueSquares([issue(10, 549, 300, 'corrupt', 'PNG: truncated')]);
  expect(squares.features).toHaveLength(1);
  const f = squares.features[0]!;
  const [w, s, e, n] = tileBoundsLonLat(10, 549, 300);
  expect(f.geometry.coordinates[0]).toEqual([
    [w, n],
    [e, n],
    [e, s],
    [w, s],
    [w, n],
  ]);
  // A z10 tile is 360/1024 degrees wide.
  expect(e - w).toBeCloseTo(360 / 1024, 12);
  expect(n).toBeGreaterThan(s);
  expect(f.properties).toEqual({
    key: '10/549/300/corrupt',
    kind: 'corrupt',
    colour: ISSUE_COLOURS.corrupt,
    z: 10,
    x: 549,
    y: 300,
    detail: 'PNG: truncated',
    itemId: 7,
  });
});

test('the whole world at z0 and the corner tiles of a zoom stay inside Web Mercator’s square', () => {
  const [world] = issueSquares([issue(0, 0, 0, 'empty')]).features;
  const ring = world!.geometry.coordinates[0]!;
  expect(ring[0]![0]).toBe(-180);
  expect(ring[1]![0]).toBe(180);
  expect(ring[0]![1]).toBeCloseTo(85.0511287798, 8);
  expect(ring[2]![1]).toBeCloseTo(-85.0511287798, 8);
  const [corner] = issueSquares([issue(3, 7, 7, 'empty')]).features;
  expect(corner!.geometry.coordinates[0]![1]).toEqual([180, expect.any(Number)]);
});

test('deeper tiles are drawn last (over the shallow tiles holding them), whatever order the engine sent', () => {
  const keys = issueSquares([issue(10, 1, 1, 'corrupt'), issue(4, 0, 0, 'oversized'), issue(7, 2, 2, 'empty')]).features.map((f) => f.properties.z);
  expect(keys).toEqual([4, 7, 10]);
});

test('each kind has its own colour, none the cache layers’, the highlight’s or another kind’s', () => {
  const colours = ISSUE_KINDS.map((k) => issueColour(k).toLowerCase());
  expect(new Set(colours).size).toBe(ISSUE_KINDS.length);
  const taken = new Set([...LAYER_COLOURS, ...LAYER_COLOURS_DARK, PICKED_COLOURS.light.main, PICKED_COLOURS.dark.main, '#c2185b'].map((c) => c.toLowerCase()));
  for (const c of colours) {
    expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(taken.has(c), `${c} is already used on the map`).toBe(false);
  }
  // A kind a newer engine might send is still drawn, as a failure.
  expect(issueColour('mystery')).toBe(ISSUE_COLOURS.failed);
});

test('the layers: a fill to click, a halo in the theme’s contrast, the outline in the kind’s colour; the selection thicker', () => {
  const light = issueLayers('light');
  expect(light.map((l) => l.type)).toEqual(['fill', 'line', 'line']);
  expect(light.every((l) => !l.id.startsWith(CACHE_LAYER_PREFIX))).toBe(true);
  const [, halo, line] = light as [unknown, { paint: Record<string, unknown> }, { paint: Record<string, unknown> }];
  expect(halo.paint['line-color']).toBe('#ffffff');
  expect((issueLayers('dark')[1] as { paint: Record<string, unknown> }).paint['line-color']).toBe('#000000');
  expect(line.paint['line-color']).toEqual(['get', 'colour']);
  expect(line.paint['line-width']).toBe(2.5);
  const picked = (issueLayers('light', '10/1/1/corrupt')[2] as { paint: Record<string, unknown> }).paint['line-width'];
  expect(picked).toEqual(['case', ['==', ['get', 'key'], '10/1/1/corrupt'], 5, 2.5]);
});

test('counts per kind in the legend’s order, kinds with none left out', () => {
  const counts = issueCounts([issue(1, 0, 0, 'empty'), issue(1, 1, 0, 'corrupt'), issue(1, 1, 1, 'corrupt'), issue(2, 0, 0, 'oversized')]);
  expect(counts.map((c) => [c.kind, c.count])).toEqual([
    ['corrupt', 2],
    ['oversized', 1],
    ['empty', 1],
  ]);
  expect(issueKey(issue(3, 2, 1, 'empty'))).toBe('3/2/1/empty');
});

test('the camera for one tile: its middle (in Mercator), two zooms out, within the map’s limits', () => {
  const cam = issueCamera([10, 549, 300], { minZoom: 0, maxZoom: 14 });
  const [w, s, e, n] = tileBoundsLonLat(10, 549, 300);
  expect(cam.zoom).toBe(8);
  expect(cam.center[0]).toBeCloseTo((w + e) / 2, 12);
  // Between the edges, and north of the plain mean (Mercator stretches the north more).
  expect(cam.center[1]).toBeGreaterThan((s + n) / 2);
  expect(cam.center[1]).toBeLessThan(n);
  expect(issueCamera([1, 0, 0], { minZoom: 3, maxZoom: 14 }).zoom).toBe(3);
  expect(issueCamera([20, 0, 0], { minZoom: 0, maxZoom: 12 }).zoom).toBe(12);
});

test('the note says when only the first page of many is drawn', () => {
  expect(issuesNote(1, false, 20_000)).toBe('1 bad tile');
  expect(issuesNote(5, false, 20_000)).toBe('5 bad tiles');
  expect(issuesNote(2000, true, 20_000)).toBe('The first 2,000 bad tiles are drawn; there are more.');
  expect(issuesNote(20_000, true, 20_000)).toMatch(/^The first 20,000 bad tiles are drawn; there are more \(see the job/);
});
