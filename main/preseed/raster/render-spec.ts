/**
 * How a source's bands become tile pixels: which bands are colour, which is alpha, whether a
 * palette is expanded first, and whether the data needs stretching to 8 bits. Pure: decided from
 * the dataset's description only, so it is the same on every resume.
 *
 * Tiles always carry an alpha channel out of the warp (outside the data, nodata, the source's own
 * alpha); the worker drops it again for tiles that turn out fully opaque.
 */
import { mercatorToLonLat } from '../../../shared/tile-grid.js';
import type { BandInfo, DatasetInfo } from './dataset-info.js';

export interface RenderSpec {
  /**
   * Source bands (1-based) warped as colour, in output order: one (grey) or three (RGB). After a
   * palette expansion they are the expanded dataset's bands.
   */
  colorBands: number[];
  /** The source's alpha band (1-based, same numbering), or null. */
  alphaBand: number | null;
  /** gdal_translate -expand for a palette band: resampling palette indices would mix unrelated colours. */
  expand: 'rgb' | 'rgba' | null;
  /**
   * The band list of a VRT to warp from instead of the dataset itself (band selection and
   * expansion happen there), or null when the dataset's own bands are already [colour…, alpha].
   */
  vrtBands: number[] | null;
  /** 8-bit data is tiled as it is; anything else is warped as Float32 and stretched to 0–255. */
  sample: 'byte' | 'float32';
  /**
   * Every pixel of the source is valid (no alpha, nodata, mask or translucent palette): a block
   * wholly inside its footprint is then warped without a destination alpha band, which lets GDAL
   * use its mask-free kernels and saves a band (see insideFootprint).
   */
  opaque: boolean;
}

/** The plan for `info`: palette → RGB(A), R/G/B(/A) bands by colour role, else the first three or one. */
export function renderSpec(info: DatasetInfo): RenderSpec {
  const bands = info.bands;
  const first = bands[0]!;
  if (first.palette) {
    const expand = first.palette.translucent || first.noData !== null ? 'rgba' : 'rgb';
    return {
      colorBands: [1, 2, 3],
      alphaBand: expand === 'rgba' ? 4 : null,
      expand,
      vrtBands: [1],
      sample: 'byte',
      opaque: expand === 'rgb' && first.allValid,
    };
  }
  const alphaIndex = bands.findIndex((b) => b.colorInterp === 'Alpha');
  const alphaBand = alphaIndex >= 0 ? alphaIndex + 1 : null;
  const roles = ['Red', 'Green', 'Blue'].map((role) => bands.findIndex((b) => b.colorInterp === role) + 1);
  const data = bands.map((_, i) => i + 1).filter((n) => n !== alphaBand);
  const colorBands = roles.every((n) => n > 0) ? roles : data.length >= 3 ? data.slice(0, 3) : data.slice(0, 1);
  const sample = colorBands.every((n) => isByte(bands[n - 1]!)) ? 'byte' : 'float32';
  const wanted = alphaBand === null ? colorBands : [...colorBands, alphaBand];
  const natural = wanted.length === bands.length && wanted.every((n, i) => n === i + 1);
  const opaque = alphaBand === null && colorBands.every((n) => bands[n - 1]!.allValid && bands[n - 1]!.noData === null);
  if (natural) return { colorBands, alphaBand, expand: null, vrtBands: null, sample, opaque };
  // Re-numbered in the VRT: colour bands first, the alpha band last (where the warper looks for it).
  return {
    colorBands: colorBands.map((_, i) => i + 1),
    alphaBand: alphaBand === null ? null : colorBands.length + 1,
    expand: null,
    vrtBands: wanted,
    sample,
    opaque,
  };
}

/**
 * Whether a block of tiles (Web Mercator bounds, metres) lies wholly inside the source's data, a
 * margin of `marginPixels` source pixels in from its edge so that no resampling kernel reaches
 * outside it. Only known for north-up lon/lat and Web Mercator sources (DatasetInfo.rectangle).
 */
export function insideFootprint(info: DatasetInfo, block: [number, number, number, number], marginPixels = 4): boolean {
  const r = info.rectangle;
  if (!r) return false;
  const [west, south, east, north] = r.crs === 'mercator' ? block : toLonLatBox(block);
  const mx = r.pixel[0] * marginPixels;
  const my = r.pixel[1] * marginPixels;
  return west >= r.box[0] + mx && east <= r.box[2] - mx && south >= r.box[1] + my && north <= r.box[3] - my;
}

function toLonLatBox([minX, minY, maxX, maxY]: [number, number, number, number]): [number, number, number, number] {
  const [west, south] = mercatorToLonLat(minX, minY);
  const [east, north] = mercatorToLonLat(maxX, maxY);
  return [west, south, east, north];
}

function isByte(band: BandInfo): boolean {
  return band.dataType === 'Byte';
}

/** What a person reads in an item's result: "RGB", "grey + alpha", "palette → RGBA", "Int16 grey, stretched". */
export function describeSpec(info: DatasetInfo, spec: RenderSpec): string {
  const colour = spec.expand ? `palette → ${spec.expand.toUpperCase()}` : spec.colorBands.length === 3 ? 'RGB' : 'grey';
  const alpha = spec.alphaBand !== null && !spec.expand ? ' + alpha' : '';
  const type = spec.sample === 'float32' ? `${info.bands[0]!.dataType} ` : '';
  return `${type}${colour}${alpha}${spec.sample === 'float32' ? ', stretched to 8 bits' : ''}`;
}
