/**
 * A job's bad tiles as map geometry: each issue a square at its z/x/y, coloured by its kind, with
 * the style layers that draw them, the legend's counts, the camera that shows one tile, and the
 * words for how many were loaded. Pure functions, tested without WebGL (tile-issue-style.test.ts).
 */
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import type { TileIssue } from '../../shared/contract.js';
import { tileBoundsLonLat } from '../../shared/tile-grid.js';
import { type LayerSpecification, type Theme, boxRing } from './map-style.js';

export type IssueKind = TileIssue['issue'];

/** The kinds in the legend's order: what breaks a map first. */
export const ISSUE_KINDS: readonly IssueKind[] = ['corrupt', 'failed', 'oversized', 'empty'];

/**
 * One saturated hue per kind, none of them the cache layers' (map-style.ts LAYER_COLOURS), the tile
 * grid's crimson or the highlight's magenta, so a square reads as an issue over rasters, vector
 * fills and the basemap alike; the halo under each outline (ISSUE_HALO) keeps it legible on a
 * background of its own hue.
 */
export const ISSUE_COLOURS: Readonly<Record<IssueKind, string>> = {
  corrupt: '#e3000f',
  failed: '#7a1fa2',
  oversized: '#ff8c00',
  empty: '#0a84ff',
};

/** Under each outline: the theme's contrast colour. */
export const ISSUE_HALO: Readonly<Record<Theme, string>> = { light: '#ffffff', dark: '#000000' };

export const ISSUE_SOURCE = 'tessera-issues';
export const ISSUE_FILL_LAYER = 'tessera-issues-fill';
export const ISSUE_LINE_LAYER = 'tessera-issues-line';
export const ISSUE_HALO_LAYER = 'tessera-issues-halo';

/** The colour of an issue kind; an unknown kind (a newer engine) is drawn as failed. */
export function issueColour(kind: string): string {
  return ISSUE_COLOURS[kind as IssueKind] ?? ISSUE_COLOURS.failed;
}

/** One issue's stable name, as the job page's row and the map's selection know it. */
export function issueKey(issue: Pick<TileIssue, 'z' | 'x' | 'y' | 'issue'>): string {
  return `${issue.z}/${issue.x}/${issue.y}/${issue.issue}`;
}

/** What a square carries, so that a click on the map can say which issue it is without a lookup. */
export interface IssueProperties {
  key: string;
  kind: IssueKind;
  colour: string;
  z: number;
  x: number;
  y: number;
  detail: string;
  itemId: number;
}

/**
 * The issues as squares (polygons on the tile's WGS84 box, which is square in Web Mercator).
 * Deeper tiles come last, so they are drawn over the shallower tiles that hold them and a click
 * finds them first.
 */
export function issueSquares(issues: readonly TileIssue[]): FeatureCollection<Polygon, IssueProperties> {
  const sorted = [...issues].sort((a, b) => a.z - b.z);
  const features = sorted.map(
    (t): Feature<Polygon, IssueProperties> => ({
      type: 'Feature',
      properties: { key: issueKey(t), kind: t.issue, colour: issueColour(t.issue), z: t.z, x: t.x, y: t.y, detail: t.detail, itemId: t.itemId },
      geometry: { type: 'Polygon', coordinates: [boxRing(squareOf(t.z, t.x, t.y))] },
    }),
  );
  return { type: 'FeatureCollection', features };
}

/** A tile's box, its east and west edges held to ±180 (the Mercator round trip gives 180.00000000000003 at the edge). */
function squareOf(z: number, x: number, y: number): [number, number, number, number] {
  const [w, s, e, n] = tileBoundsLonLat(z, x, y);
  return [Math.max(-180, w), s, Math.min(180, e), n];
}

/**
 * The squares' layers, over the cache: a faint fill of the kind's colour (it is what a click
 * hits, anywhere inside the tile), a halo, and the outline. `selected` (an issue key) is drawn
 * twice as thick.
 */
export function issueLayers(theme: Theme, selected: string | null = null): LayerSpecification[] {
  const colour: ['get', string] = ['get', 'colour'];
  const width = (normal: number, picked: number) =>
    selected === null ? normal : (['case', ['==', ['get', 'key'], selected], picked, normal] as unknown as number);
  return [
    { id: ISSUE_FILL_LAYER, type: 'fill', source: ISSUE_SOURCE, paint: { 'fill-color': colour, 'fill-opacity': 0.12 } },
    { id: ISSUE_HALO_LAYER, type: 'line', source: ISSUE_SOURCE, paint: { 'line-color': ISSUE_HALO[theme], 'line-width': width(5, 8), 'line-opacity': 0.85 } },
    { id: ISSUE_LINE_LAYER, type: 'line', source: ISSUE_SOURCE, paint: { 'line-color': colour, 'line-width': width(2.5, 5) } },
  ];
}

/** The layer ids issueLayers adds, to take them off again. */
export const ISSUE_LAYER_IDS = [ISSUE_FILL_LAYER, ISSUE_HALO_LAYER, ISSUE_LINE_LAYER] as const;

/** How many issues of each kind, in legend order, leaving out kinds with none. */
export function issueCounts(issues: readonly TileIssue[]): { kind: IssueKind; count: number; colour: string }[] {
  const counts = new Map<IssueKind, number>();
  for (const t of issues) counts.set(t.issue, (counts.get(t.issue) ?? 0) + 1);
  return ISSUE_KINDS.filter((k) => counts.has(k)).map((kind) => ({ kind, count: counts.get(kind)!, colour: ISSUE_COLOURS[kind] }));
}

/**
 * Where the map looks to show one tile: its centre, two zooms out from the tile's own (MapLibre's
 * zoom counts 512-px tiles, so the square is 128 px across, with its neighbours around it), within
 * the map's zoom limits.
 */
export function issueCamera(
  [z, x, y]: readonly [number, number, number],
  limits: { minZoom: number; maxZoom: number },
): { center: [number, number]; zoom: number } {
  const [w, s, e, n] = tileBoundsLonLat(z, x, y);
  // The middle in Web Mercator (where the square's middle is drawn), not the mean of the latitudes.
  return { center: [(w + e) / 2, mercatorMiddle(s, n)], zoom: Math.max(limits.minZoom, Math.min(limits.maxZoom, z - 2)) };
}

function mercatorMiddle(south: number, north: number): number {
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const mid = (y(south) + y(north)) / 2;
  return ((2 * Math.atan(Math.exp(mid)) - Math.PI / 2) * 180) / Math.PI;
}

/**
 * What the legend says about how many issues are drawn: all of them, or the first `loaded` of more
 * (the engine pages them; a map of 100,000 squares would stall the browser and say nothing more).
 */
export function issuesNote(loaded: number, more: boolean, cap: number): string {
  const n = loaded.toLocaleString('en');
  if (!more) return loaded === 1 ? '1 bad tile' : `${n} bad tiles`;
  return loaded >= cap
    ? `The first ${n} bad tiles are drawn; there are more (see the job's list or report).`
    : `The first ${n} bad tiles are drawn; there are more.`;
}
