/**
 * An ingest of a file the catalogue already holds: the datasets in the catalogue with the same
 * name made from files of the same names, so the job can say it adds a second copy (as QGIS and
 * GeoServer say a layer already exists) instead of silently making a duplicate.
 *
 * Same names, not same bytes: the catalogue keeps no checksum of its sources, and a newer file
 * under an old name is just as much a case for the operator to decide (keep both, or delete one).
 */
import { basename } from 'node:path';
import type { CatalogDataset } from '../../shared/contract.js';
import type { Catalog } from '../catalog/catalog.js';

/** What the catalogue records after an uploaded file's name (ingest-commit.ts sourceName). */
const UPLOADED = ' (uploaded)';

/** A file's own name as the catalogue's source list gives it (a path, or a name with " (uploaded)"). */
export function sourceFileName(entry: string): string {
  return basename(entry.endsWith(UPLOADED) ? entry.slice(0, -UPLOADED.length) : entry);
}

export interface Duplicate {
  /** The dataset this ingest would make again. */
  name: string;
  /** The one already in the catalogue, and the job that made it. */
  id: number;
  jobId: number | null;
  createdAt: string;
}

/**
 * Datasets in the catalogue named as one of `datasetNames` and made from exactly the files
 * `fileNames` (compared by file name, case kept), by another job than `jobId` (a retried job's own
 * earlier commits are not duplicates).
 */
export function findDuplicates(catalog: Catalog, fileNames: readonly string[], datasetNames: readonly string[], jobId: number): Duplicate[] {
  const files = [...new Set(fileNames)].sort().join('\n');
  const out: Duplicate[] = [];
  for (const name of new Set(datasetNames)) {
    for (const d of sameName(catalog, name)) {
      if (d.jobId === jobId || d.source.type !== 'file') continue;
      if ([...new Set(d.source.files.map(sourceFileName))].sort().join('\n') !== files) continue;
      out.push({ name, id: d.id, jobId: d.jobId, createdAt: d.createdAt });
    }
  }
  return out;
}

/** Datasets named exactly `name`, through the catalogue's text search (which covers names). */
function sameName(catalog: Catalog, name: string): CatalogDataset[] {
  const found: CatalogDataset[] = [];
  let cursor: string | undefined;
  // A thousand datasets of one name is more than any operator keeps; the search stops there.
  for (let pages = 0; pages < 10; pages++) {
    const page = catalog.list({ text: name, limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    found.push(...page.rows.filter((d) => d.name === name));
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return found;
}

/** "world_map.gpkg: the catalogue already holds world_map from a file of this name (dataset 3, job #5); this ingest adds another copy". */
export function duplicateMessage(unitName: string, duplicates: readonly Duplicate[]): string {
  const which = duplicates.map((d) => `${d.name} (dataset ${d.id}${d.jobId === null ? '' : `, job #${d.jobId}`})`).join(', ');
  return `${unitName}: the catalogue already holds ${which} from a file of this name; this ingest adds another copy (delete the one you do not want in the Catalogue)`;
}
