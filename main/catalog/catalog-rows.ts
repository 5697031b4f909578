/**
 * The catalogue's rows as SQLite stores them and as the contract shows them, and the text a
 * dataset is found by.
 */
import { existsSync } from 'node:fs';
import type { CatalogDataset, CatalogLayer } from '../../shared/contract.js';
import type { DatasetDescription } from './describe.js';

export interface DatasetRow {
  id: number;
  name: string;
  kind: CatalogDataset['kind'];
  path: string;
  dir: string;
  layers: string;
  raster: string | null;
  bounds: string | null;
  size_bytes: number;
  source: string;
  job_id: number | null;
  preview: string | null;
  thumbnail: string | null;
  created_at: string;
  updated_at: string;
}

export function toDataset(row: DatasetRow): CatalogDataset {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    path: row.path,
    layers: JSON.parse(row.layers) as CatalogLayer[],
    raster: row.raster === null ? null : (JSON.parse(row.raster) as CatalogDataset['raster']),
    bounds: row.bounds === null ? null : (JSON.parse(row.bounds) as CatalogDataset['bounds']),
    sizeBytes: row.size_bytes,
    source: JSON.parse(row.source) as CatalogDataset['source'],
    jobId: row.job_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    // An empty thumbnail records a dataset with nothing to draw; null, one whose picture is coming.
    thumbnail: row.thumbnail || null,
    preview: row.preview !== null && existsSync(row.preview) ? row.preview : null,
    analysisPending: (row.thumbnail === null && row.bounds !== null) || row.layers.includes('"invalidGeometries":null'),
  };
}

export function searchText(name: string, description: DatasetDescription, source: CatalogDataset['source']): string {
  const parts = [name, description.kind, ...description.layers.flatMap((l) => [l.name, l.crs ?? '']), description.raster?.crs ?? ''];
  if (source.type === 'file') parts.push(...source.files);
  else parts.push(source.url);
  return parts.join(' ').toLowerCase();
}

/** A file-name-safe, readable form of a name: letters, digits, `-` and `_`, at most 60 characters. */
export function safeSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 60);
  return slug || 'dataset';
}
