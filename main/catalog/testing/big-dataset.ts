/**
 * A large real vector dataset for the analysis tests: Natural Earth's states_provinces (4,556
 * polygons) and countries (240), all valid, appended `copies` times into one GeoPackage layer, each
 * copy followed by one self-intersecting "bow tie" (so `copies` invalid geometries spread over the FIDs), so that counting its invalid geometries and drawing it take long enough to be stopped, or
 * overtaken, half-way.
 */
import gdal from 'gdal-async';
import { worldMapGpkg } from '../../testing/real-data.js';

/** Writes the GeoPackage at `path` (one layer, `states`, with `copies` invalid geometries) and returns its path. */
export async function repeatedStatesGpkg(path: string, copies: number): Promise<string> {
  const source = await gdal.openAsync(worldMapGpkg());
  try {
    for (let i = 0; i < copies * 2; i++) {
      const layer = i % 2 === 0 ? 'states_provinces' : 'countries';
      const args = i === 0 ? ['-f', 'GPKG', '-nln', 'states', '-nlt', 'MULTIPOLYGON', layer] : ['-append', '-nln', 'states', '-nlt', 'MULTIPOLYGON', layer];
      const out =
        i === 0 ? await gdal.vectorTranslateAsync(path, source, args) : await gdal.vectorTranslateAsync(await gdal.openAsync(path, 'r+'), source, args);
      if (i % 2 === 1) {
        const layer = await out.layers.getAsync('states');
        const feature = new gdal.Feature(layer);
        feature.setGeometry(gdal.Geometry.fromWKT('MULTIPOLYGON(((0 0,1 1,1 0,0 1,0 0)))'));
        await layer.features.addAsync(feature);
      }
      out.close();
    }
  } finally {
    source.close();
  }
  return path;
}
