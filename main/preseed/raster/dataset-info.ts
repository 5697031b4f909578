/**
 * What a raster preseed needs to know about a source before it renders anything: size,
 * georeference, bands (type, colour role, nodata, palette) and overviews.
 *
 * Read once per item with gdal-async's async open, then every getter right after it, before any
 * other async call touches the handle (docs/gdal-threading.md, rule 3); the handle is closed at
 * once, so a dataset that GDAL cannot open or that has no georeference fails its own item with a
 * code and GDAL's reason, naming the file.
 */
import gdal from 'gdal-async';
import type { Bbox } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import { gdalSourcePath } from '../../gdal/archive-source.js';
import { toLonLat } from '../../tiling/crs.js';
import { type PixelGround, pixelGroundOf } from './native-zoom.js';

export interface BandInfo {
  /** GDAL's type name: Byte, UInt16, Int16, Float32… */
  dataType: string;
  /** GDAL's colour interpretation: Gray, Red, Green, Blue, Alpha, Palette, Undefined… */
  colorInterp: string;
  noData: number | null;
  /** Palette bands: whether any entry is not fully opaque (the expansion then keeps alpha). */
  palette: { entries: number; translucent: boolean } | null;
  /** Minimum and maximum as the dataset states them (STATISTICS_* metadata), if it does. */
  statedRange: [number, number] | null;
  /** GDAL says every pixel is valid (GMF_ALL_VALID: no nodata, no mask, no alpha behind it). */
  allValid: boolean;
}

export interface DatasetInfo {
  path: string;
  driver: string;
  width: number;
  height: number;
  /** Null when the dataset is georeferenced by GCPs only. */
  geoTransform: number[] | null;
  /** The CRS of the geotransform, or of the GCPs. */
  srsWkt: string;
  gcps: { pixel: number; line: number; x: number; y: number }[];
  bands: BandInfo[];
  /** Overview levels of band 1 (GDAL's warper picks among them by itself). */
  overviews: number;
  /**
   * For a north-up raster in WGS84 lon/lat or in Web Mercator: its exact footprint in those units
   * ([minX, minY, maxX, maxY], degrees or metres) and its pixel size, so a block can be known to
   * lie wholly inside the data (see RenderSpec.opaque). Null for any other georeference.
   */
  rectangle: { crs: 'lonlat' | 'mercator'; box: [number, number, number, number]; pixel: [number, number] } | null;
  /**
   * West, south, east, north in WGS84 degrees: the footprint as GDAL's warper sees it (every edge
   * sampled, so a projected or rotated raster gets its true lon/lat box, not its corners').
   */
  bounds: Bbox;
  /**
   * The ground size of a pixel at the dataset's centre (for its native zoom, native-zoom.ts); null
   * when GDAL cannot place that pixel in lon/lat.
   */
  pixelGround: PixelGround | null;
}

/** Opens `path` with GDAL and reads its description; DATASET_UNREADABLE or NO_GEOREFERENCE otherwise. */
export async function inspectDataset(path: string): Promise<DatasetInfo> {
  // A .zip or .gz is read inside its archive once the archive checks pass: `path` in the info is
  // then what GDAL opens (/vsizip/…, /vsigzip/…); messages name the file as it was given.
  const gdalPath = await gdalSourcePath(path);
  let ds: gdal.Dataset;
  try {
    ds = await gdal.openAsync(gdalPath);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const described = describeRaster(path, ds);
    const warped = await lonLatBounds(path, ds);
    return { ...described, path: gdalPath, bounds: warped.bounds, pixelGround: described.pixelGround ?? warpedPixelGround(warped) };
  } finally {
    ds.close();
  }
}

/**
 * GDAL's own suggestion for warping the whole dataset to EPSG:4326 (GDALSuggestedWarpOutput2):
 * it samples every edge through the dataset's transformer (geotransform or GCPs), in the
 * traditional lon/lat order whatever the CRS's axis order.
 */
async function lonLatBounds(path: string, ds: gdal.Dataset): Promise<{ bounds: Bbox; pixel: [number, number] }> {
  let out: gdal.WarpOutput;
  try {
    out = await gdal.suggestedWarpOutputAsync({ src: ds, s_srs: ds.srs ?? gdal.SpatialReference.fromWKT(ds.getGCPProjection()), t_srs: wgs84() });
  } catch (error) {
    throw new TesseraError('NO_GEOREFERENCE', `${path}: its footprint cannot be placed in WGS84: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  const [x0, dx, , y0, , dy] = out.geoTransform;
  const west = x0!;
  const north = y0!;
  const east = west + out.rasterSize.x * dx!;
  const south = north + out.rasterSize.y * dy!;
  if (![west, south, east, north].every(Number.isFinite) || !(west < east && south < north)) {
    throw new TesseraError('NO_GEOREFERENCE', `${path}: its footprint in WGS84 is not a valid box (${[west, south, east, north].join(', ')})`, {
      details: { path },
    });
  }
  return { bounds: [west, south, east, north], pixel: [dx!, dy!] };
}

/**
 * A GCP-georeferenced raster's pixel, from GDAL's suggested lon/lat warp (whose resolution keeps
 * the source's pixel count along the diagonal), placed at the footprint's centre.
 */
function warpedPixelGround({ bounds: [w, s, e, n], pixel: [dx, dy] }: { bounds: Bbox; pixel: [number, number] }): PixelGround | null {
  const x = (w + e) / 2;
  const y = (s + n) / 2;
  return pixelGroundOf([x, y], [x + dx, y], [x, y + dy]);
}

/**
 * The centre pixel's corner and its column and row steps, through the geotransform and then to
 * lon/lat by GDAL (a dataset's own SRS has the traditional x/y order, see tiling/crs.ts).
 */
function centrePixelGround(srs: gdal.SpatialReference, gt: number[], width: number, height: number): PixelGround | null {
  const [x0, dx, rx, y0, ry, dy] = gt as [number, number, number, number, number, number];
  try {
    const transform = toLonLat(srs);
    const at = (col: number, row: number): [number, number] => {
      const x = x0 + col * dx + row * rx;
      const y = y0 + col * ry + row * dy;
      if (!transform) return [x, y];
      const p = transform.transformPoint(x, y);
      return [p.x, p.y];
    };
    const col = Math.floor(width / 2);
    const row = Math.floor(height / 2);
    return pixelGroundOf(at(col, row), at(col + 1, row), at(col, row + 1));
  } catch {
    // A centre that the CRS cannot place in lon/lat (outside its area of use): no native zoom, not an error.
    return null;
  }
}

let epsg4326: gdal.SpatialReference | null = null;
function wgs84(): gdal.SpatialReference {
  return (epsg4326 ??= gdal.SpatialReference.fromEPSG(4326));
}

function describeRaster(path: string, ds: gdal.Dataset): Omit<DatasetInfo, 'bounds'> {
  const count = ds.bands.count();
  if (count === 0)
    throw new TesseraError('DATASET_UNREADABLE', `${path}: GDAL opens it (${ds.driver.description}) but it has no raster bands`, { details: { path } });
  const gt = ds.geoTransform;
  const gcps = ds.getGCPs().map((g) => ({ pixel: g.dfGCPPixel, line: g.dfGCPLine, x: g.dfGCPX, y: g.dfGCPY }));
  const srs = gt ? ds.srs : gcps.length > 0 ? gcpSrs(ds) : null;
  if (!gt && gcps.length === 0) {
    throw new TesseraError(
      'NO_GEOREFERENCE',
      `${path}: no georeference (GDAL finds neither a geotransform nor GCPs); assign one, e.g. gdal_translate -a_srs EPSG:4326 -a_ullr W N E S`,
      { details: { path } },
    );
  }
  if (!srs) {
    throw new TesseraError(
      'NO_GEOREFERENCE',
      `${path}: no coordinate reference system (the ${gt ? 'geotransform' : 'GCPs'} cannot be placed); assign one, e.g. gdal_edit.py -a_srs EPSG:4326`,
      { details: { path } },
    );
  }
  const bands: BandInfo[] = [];
  for (let i = 1; i <= count; i++) bands.push(bandInfo(ds.bands.get(i)));
  const width = ds.rasterSize.x;
  const height = ds.rasterSize.y;
  return {
    rectangle: gt ? rectangleOf(srs, gt, width, height) : null,
    pixelGround: gt ? centrePixelGround(srs, gt, width, height) : null,
    path,
    driver: ds.driver.description,
    width,
    height,
    geoTransform: gt ? [...gt] : null,
    srsWkt: srs.toWKT(),
    gcps,
    bands,
    overviews: ds.bands.get(1).overviews.count(),
  };
}

function rectangleOf(srs: gdal.SpatialReference, gt: number[], width: number, height: number): DatasetInfo['rectangle'] {
  const [x0, dx, rx, y0, ry, dy] = gt as [number, number, number, number, number, number];
  if (rx !== 0 || ry !== 0 || dx <= 0 || dy >= 0) return null;
  const crs = srs.isSame(wgs84()) ? 'lonlat' : srs.isSame(mercator()) ? 'mercator' : null;
  if (!crs) return null;
  return { crs, box: [x0, y0 + height * dy, x0 + width * dx, y0], pixel: [dx, -dy] };
}

let epsg3857: gdal.SpatialReference | null = null;
function mercator(): gdal.SpatialReference {
  return (epsg3857 ??= gdal.SpatialReference.fromEPSG(3857));
}

function gcpSrs(ds: gdal.Dataset): gdal.SpatialReference | null {
  const wkt = ds.getGCPProjection();
  return wkt ? gdal.SpatialReference.fromWKT(wkt) : null;
}

function bandInfo(band: gdal.RasterBand): BandInfo {
  const table = band.colorTable;
  let palette: BandInfo['palette'] = null;
  if (table) {
    let translucent = false;
    for (let i = 0; i < table.count(); i++) if ((table.get(i).c4 ?? 255) < 255) translucent = true;
    palette = { entries: table.count(), translucent };
  }
  const meta = band.getMetadata() as Record<string, string>;
  const min = Number(meta.STATISTICS_MINIMUM);
  const max = Number(meta.STATISTICS_MAXIMUM);
  return {
    dataType: band.dataType ?? 'Unknown',
    colorInterp: band.colorInterpretation ?? 'Undefined',
    noData: band.noDataValue,
    palette,
    // eslint-disable-next-line no-bitwise -- GDAL's mask flags are a bit set
    allValid: (band.getMaskFlags() & 0x01) !== 0,
    statedRange: meta.STATISTICS_MINIMUM !== undefined && Number.isFinite(min) && Number.isFinite(max) && min < max ? [min, max] : null,
  };
}

/** DATASET_UNREADABLE naming the file and GDAL's own reason. */
export function unreadable(path: string, error: unknown): TesseraError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TesseraError('DATASET_UNREADABLE', `${path}: GDAL cannot read it: ${reason}`, { cause: error, details: { path, reason } });
}
