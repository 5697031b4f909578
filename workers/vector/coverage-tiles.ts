/**
 * Where a tile lies against the job's coverage polygons (WGS84 lon/lat rings), for the tile walk.
 *
 * A worker cannot import main/tiling (workers/ import nothing from main/), so the walk has its own
 * test. It returns three answers, not two: a tile wholly inside the coverage has its whole subtree
 * inside, and one wholly outside its whole subtree outside, so only tiles on the coverage's edge
 * are ever tested again below them.
 */
export type CoveragePolygons = [number, number][][][];
export type Placement = 'outside' | 'inside' | 'partial';

interface PreparedPolygon {
  rings: [number, number][][];
  bbox: [number, number, number, number];
}

export class CoverageTest {
  private readonly polygons: PreparedPolygon[];

  constructor(polygons: CoveragePolygons) {
    this.polygons = polygons
      .filter((p) => p.length > 0 && p[0]!.length >= 4)
      .map((rings) => {
        const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
        for (const [x, y] of rings[0]!) {
          bbox[0] = Math.min(bbox[0], x);
          bbox[1] = Math.min(bbox[1], y);
          bbox[2] = Math.max(bbox[2], x);
          bbox[3] = Math.max(bbox[3], y);
        }
        return { rings, bbox };
      });
  }

  /** Where the lon/lat box [west, south, east, north] lies against the union of the polygons. */
  place(box: [number, number, number, number]): Placement {
    let result: Placement = 'outside';
    for (const p of this.polygons) {
      if (p.bbox[0] > box[2] || p.bbox[2] < box[0] || p.bbox[1] > box[3] || p.bbox[3] < box[1]) continue;
      if (p.rings.some((ring) => ringCrossesBox(ring, box))) {
        result = 'partial';
        continue;
      }
      // No edge enters the box: it is wholly inside this polygon or wholly outside it.
      const cx = (box[0] + box[2]) / 2;
      const cy = (box[1] + box[3]) / 2;
      if (pointInPolygon(cx, cy, p.rings)) return 'inside';
    }
    return result;
  }
}

function ringCrossesBox(ring: [number, number][], box: [number, number, number, number]): boolean {
  for (let i = 1; i < ring.length; i++) {
    if (segmentTouchesBox(ring[i - 1]!, ring[i]!, box)) return true;
  }
  return false;
}

/** Liang–Barsky: does the segment a→b have any point in the closed box? */
function segmentTouchesBox(a: [number, number], b: [number, number], box: [number, number, number, number]): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const edges: [number, number][] = [
    [-dx, a[0] - box[0]],
    [dx, box[2] - a[0]],
    [-dy, a[1] - box[1]],
    [dy, box[3] - a[1]],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** Even-odd rule over all rings, so holes count. */
function pointInPolygon(x: number, y: number, rings: [number, number][][]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
