/**
 * Naming one layer of an open dataset to GDAL's in-process ogr2ogr (gdal.vectorTranslate) without a
 * positional argument that GDAL could take for an option.
 *
 * Why: ogr2ogr takes its layers as positional arguments, and GDAL 3.6's parser reads any argument
 * that starts with "-" as an option ("-skipfailures" is obeyed, "-rf" is "Unknown option name"); it
 * has no "--" to end the options (checked: "Unknown option name '--'"). So a layer is never passed
 * positionally when its name starts with "-": the only layer of a dataset needs no name at all
 * (ogr2ogr copies every layer), and among several it is read through a one-layer OGR VRT whose XML
 * names it as text. Other names (spaces, "$(…)", ";") are plain arguments: nothing goes through a shell.
 */
import gdal from 'gdal-async';
import { CSV_OPEN_OPTIONS } from './open-vector.js';

export interface TranslatableLayer {
  /** The dataset to hand to vectorTranslate: the source itself, or a one-layer VRT over it. */
  dataset: gdal.Dataset;
  /** Positional arguments naming the layer (empty when the dataset holds that layer only). */
  args: string[];
  /** Closes the VRT when one was made (never the source). */
  close(): void;
}

/** Layer `name` of `source` (opened by openVector) as vectorTranslate's source and arguments. */
export async function translatableLayer(source: gdal.Dataset, name: string): Promise<TranslatableLayer> {
  const count = await source.layers.countAsync();
  if (count === 1 && (await source.layers.getAsync(0)).name === name) return { dataset: source, args: [], close: () => {} };
  if (!name.startsWith('-')) return { dataset: source, args: [name], close: () => {} };
  const vrt = await gdal.openAsync(oneLayerVrt(source.description, name, source.driver.description === 'CSV' ? CSV_OPEN_OPTIONS : []));
  return { dataset: vrt, args: [], close: () => vrt.close() };
}

/** An OGR VRT passing one layer through unchanged (its fields, geometry, CRS and FIDs). */
export function oneLayerVrt(path: string, layer: string, openOptions: readonly string[] = []): string {
  const options =
    openOptions.length === 0
      ? ''
      : `<OpenOptions>${openOptions
          .map((o) => {
            const eq = o.indexOf('=');
            return `<OOI key="${xml(o.slice(0, eq))}">${xml(o.slice(eq + 1))}</OOI>`;
          })
          .join('')}</OpenOptions>`;
  return `<OGRVRTDataSource><OGRVRTLayer name="${xml(layer)}"><SrcDataSource>${xml(path)}</SrcDataSource>${options}<SrcLayer>${xml(layer)}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>`;
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

/** First characters GeoPackage (GDAL 3.6) refuses in a table name ("may not contain special characters"). */
const GPKG_BAD_FIRST = new Set([...'!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~']);

/**
 * The names the layers of one source get in a GeoPackage: the same, except where GeoPackage refuses
 * the name (it starts with punctuation, or with the reserved "gpkg"): then "_" goes in front, and a
 * number after when that name is taken (table names are case-insensitive). Same input, same names,
 * so a retry writes into the layers its first attempt made.
 */
export function geopackageLayerNames(layers: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set(layers.filter((l) => !needsRename(l)).map((l) => l.toLowerCase()));
  for (const layer of layers) {
    if (!needsRename(layer)) {
      names.set(layer, layer);
      continue;
    }
    let candidate = `_${layer}`;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `_${layer}_${n}`;
    taken.add(candidate.toLowerCase());
    names.set(layer, candidate);
  }
  return names;
}

function needsRename(layer: string): boolean {
  return layer === '' || GPKG_BAD_FIRST.has(layer[0]!) || /^gpkg/i.test(layer);
}
