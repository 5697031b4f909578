/**
 * A catalogue dataset as the catalogue screen words it: its layers or raster in one line each, its
 * CRS, extent and source, and where its map preview goes. Pure: tested without a DOM.
 */
import type { Bbox, CatalogDataset } from '../../shared/contract.js';

/** One line per layer ("countries: Multi Polygon, 240 features"), or one for a raster. */
export function layerSummary(d: CatalogDataset): string[] {
  if (d.raster) return [`${d.raster.width} × ${d.raster.height} px, ${d.raster.bands} band${d.raster.bands === 1 ? '' : 's'} ${d.raster.dataType}`];
  if (d.layers.length === 0) return ['no layers'];
  return d.layers.map((l) => {
    const features = `${l.featureCount.toLocaleString('en')} ${l.geometryType === null ? 'row' : 'feature'}${l.featureCount === 1 ? '' : 's'}`;
    const invalid =
      l.invalidGeometries === null ? ', geometries being checked' : l.invalidGeometries > 0 ? `, ${l.invalidGeometries.toLocaleString('en')} invalid` : '';
    return `${l.name}: ${l.geometryType ?? 'table'}, ${features}${invalid}`;
  });
}

/** The CRS, or each distinct one of the layers; "none" when nothing has one. */
export function crsSummary(d: CatalogDataset): string {
  const all = d.raster ? [d.raster.crs] : d.layers.filter((l) => l.geometryType !== null).map((l) => l.crs);
  const distinct = [...new Set(all.filter((c): c is string => c !== null))];
  return distinct.length === 0 ? 'none' : distinct.join(', ');
}

/** "5.87, 45.82, 10.49, 47.81" (degrees, 2 decimals; more when the extent is small). */
export function extentText(b: Bbox | null): string {
  if (b === null) return 'unknown';
  const span = Math.max(b[2] - b[0], b[3] - b[1]);
  const digits = span >= 1 ? 2 : span >= 0.01 ? 4 : 6;
  return b.map((v) => v.toFixed(digits)).join(', ');
}

/** Where it came from: the file names (their folders in the title), or the service. */
export function sourceText(d: CatalogDataset): string {
  if (d.source.type === 'esri') return `${d.source.url} (layers ${d.source.layers.join(', ')})`;
  return d.source.files.map((f) => f.split(/[\\/]/).at(-1)).join(', ');
}

/**
 * The map screen showing the dataset, framed by its extent: a vector dataset as vector tiles cut
 * from it on demand (every zoom, attributes on click), a raster as its preview picture. Null when
 * there is nothing to draw (no place, no features, no picture yet).
 */
export function previewTarget(d: CatalogDataset): { cachePath?: string; datasetId?: number; extent?: Bbox } | null {
  const b = d.bounds;
  // The map only takes a real box inside the world.
  const extent = b !== null && b[0] < b[2] && b[1] < b[3] ? { extent: b } : {};
  if (d.kind === 'vector') {
    const drawable = d.layers.some((l) => l.geometryType !== null && l.featureCount > 0);
    return b !== null && drawable ? { datasetId: d.id, ...extent } : null;
  }
  if (d.preview === null) return null;
  return { cachePath: d.preview, ...extent };
}
