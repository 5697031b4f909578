/**
 * Job params in the operator's words: the label of each field and its value as text (file names,
 * lists, bytes in units), for the job detail, the queue and the event log. The params themselves
 * keep their field names (the contract's); only what people read is translated here.
 */
import type { JobItem } from './contract.js';
import { formatBytes } from './format.js';

/** Field labels, by field name; a field not listed is shown by its name made readable ("maxTileBytes" → "max tile bytes"). */
const LABELS: Readonly<Record<string, string>> = {
  files: 'Files',
  assignCrs: 'CRS for sources without one',
  targetCrs: 'Reproject to',
  quotaBytes: 'Job quota',
  datasets: 'Datasets',
  sources: 'Sources',
  layers: 'Layers',
  attributes: 'Attributes kept',
  output: 'Output',
  minZoom: 'From zoom',
  maxZoom: 'To zoom',
  bbox: 'Extent (W, S, E, N)',
  coverage: 'Coverage',
  mode: 'Existing tiles',
  olderThan: 'Refresh tiles older than',
  tileSize: 'Tile size',
  format: 'Format',
  quality: 'Quality',
  pngPalette: 'PNG palette',
  pngCompression: 'PNG compression (zlib level)',
  pngAdaptiveFiltering: 'PNG adaptive filtering',
  resampling: 'Resampling',
  scale: 'Value scale',
  extent: 'MVT extent',
  buffer: 'Buffer',
  tolerance: 'Simplification tolerance',
  maxTileBytes: 'Largest tile',
  thin: 'Thin dense tiles',
  url: 'Service',
  where: 'Filter (where)',
  credentialId: 'Credentials',
  name: 'Dataset name',
  cache: 'Tile cache',
  title: 'Title',
};

/** The label of a param field. */
export function paramLabel(field: string): string {
  const known = LABELS[field];
  if (known !== undefined) return known;
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An upload reference (`upload:<id>`) as the engine's ingest takes it. */
export function isUploadParam(value: string): boolean {
  return /^upload:[\w-]+$/.test(value);
}

/**
 * Upload references (`upload:<id>`) to the files' own names, from the items that staged them (an
 * ingest's staging items record each upload's name): the console's Parameters and the job reports.
 */
export function uploadNames(items: readonly Pick<JobItem, 'result'>[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const item of items) {
    const files = item.result?.files;
    if (!Array.isArray(files)) continue;
    for (const f of files as { ref?: unknown; name?: unknown }[])
      if (typeof f.ref === 'string' && typeof f.name === 'string' && f.ref !== f.name) names.set(f.ref, f.name);
  }
  return names;
}

/** The last part of a path (`/data/a/b.shp` → `b.shp`, `C:\x\y.tif` → `y.tif`). */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

/**
 * A param value as lines of text: a list is one line per entry (a layer choice by its name and what
 * it renames or limits), bytes in units, a boolean as yes/no. `names` turns an upload reference into
 * the file's original name when the caller knows it.
 */
export function paramLines(field: string, value: unknown, names: (upload: string) => string | undefined = () => undefined): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    if (field === 'bbox' && value.every((v) => typeof v === 'number'))
      return [
        value
          .map((v) =>
            Number(v)
              .toFixed(4)
              .replace(/\.?0+$/, ''),
          )
          .join(', '),
      ];
    if (field === 'scale') return [value.join(' to ')];
    return value.flatMap((entry) => paramLines(field, entry, names));
  }
  if (typeof value === 'number') {
    if (/bytes$/i.test(field)) return [formatBytes(value)];
    return [value.toLocaleString('en')];
  }
  if (typeof value === 'boolean') return [value ? 'yes' : 'no'];
  if (typeof value === 'string') {
    if (isUploadParam(value)) return [names(value) ?? 'an uploaded file'];
    return [value];
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // A vector layer choice: { name, as?, minZoom?, maxZoom?, attributes? }.
    if (typeof o.name === 'string') {
      const extra: string[] = [];
      if (typeof o.as === 'string') extra.push(`as ${o.as}`);
      if (typeof o.minZoom === 'number' || typeof o.maxZoom === 'number') extra.push(`z${o.minZoom ?? '…'}–${o.maxZoom ?? '…'}`);
      if (Array.isArray(o.attributes)) extra.push(o.attributes.length === 0 ? 'no attributes' : `attributes ${o.attributes.join(', ')}`);
      return [extra.length > 0 ? `${o.name} (${extra.join(', ')})` : o.name];
    }
    return [JSON.stringify(value)];
  }
  return [String(value)];
}
