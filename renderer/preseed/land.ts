/**
 * The world's land for the extent map, so a box can be drawn somewhere recognisable without a
 * basemap from the internet: Natural Earth 1:110m land from world-atlas (public domain, 55 KB of
 * TopoJSON), bundled into this screen's chunk and decoded here into GeoJSON polygons.
 */
import type { FeatureCollection, MultiPolygon, Position } from 'geojson';
import landTopology from 'world-atlas/land-110m.json?raw';

/** The parts of a TopoJSON topology this decoder reads (quantised, delta-encoded arcs). */
export interface Topology {
  transform: { scale: [number, number]; translate: [number, number] };
  arcs: [number, number][][];
  objects: Record<string, { type: 'GeometryCollection'; geometries: { type: string; arcs: number[][][] | number[][] }[] }>;
}

/**
 * A TopoJSON object's polygons as one GeoJSON MultiPolygon feature collection.
 *
 * Rings that cross the antimeridian and come back (Chukotka, Fiji) are made continuous, reaching
 * past 180°, so a planar map draws them without a band across the world. A ring that crosses it
 * once (Antarctica) closes along its southern edge by itself and is left as it is.
 */
export function decodePolygons(topology: Topology, objectName: string): FeatureCollection<MultiPolygon> {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]): Position => {
      x += dx;
      y += dy;
      return [x * sx + tx, y * sy + ty];
    });
  });
  const arcPoints = (i: number) => (i >= 0 ? arcs[i]! : [...arcs[~i]!].reverse());
  const ring = (ids: number[]): Position[] => {
    const points: Position[] = [];
    ids.forEach((id, k) => points.push(...(k === 0 ? arcPoints(id) : arcPoints(id).slice(1))));
    return unwrap(points);
  };
  const object = topology.objects[objectName];
  if (!object) throw new Error(`the topology has no object ${objectName}`);
  const polygons: Position[][][] = [];
  for (const g of object.geometries) {
    if (g.type === 'Polygon') polygons.push((g.arcs as number[][]).map(ring));
    else if (g.type === 'MultiPolygon') for (const p of g.arcs as number[][][]) polygons.push(p.map(ring));
  }
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: polygons } }] };
}

function unwrap(points: Position[]): Position[] {
  const jumps = points.filter((p, i) => i > 0 && Math.abs(p[0]! - points[i - 1]![0]!) > 180).length;
  if (jumps === 0 || jumps % 2 === 1) return points;
  let shift = 0;
  const continuous = points.map((p, i): Position => {
    if (i > 0) {
      const step = p[0]! - points[i - 1]![0]!;
      if (step > 180) shift -= 360;
      else if (step < -180) shift += 360;
    }
    return [p[0]! + shift, p[1]!];
  });
  // Keep the bulk of the ring in the world it belongs to: Siberia stays east of 0°, and only
  // Chukotka reaches past 180°, not the other way round.
  const west = continuous.filter((p) => p[0]! < -180).length;
  const east = continuous.filter((p) => p[0]! > 180).length;
  const move = west > continuous.length / 2 ? 360 : east > continuous.length / 2 ? -360 : 0;
  return move === 0 ? continuous : continuous.map((p) => [p[0]! + move, p[1]!]);
}

let land: FeatureCollection<MultiPolygon> | null = null;

/** The land polygons, decoded on first use and kept. */
export function worldLand(): FeatureCollection<MultiPolygon> {
  land ??= decodePolygons(JSON.parse(landTopology) as Topology, 'land');
  return land;
}
