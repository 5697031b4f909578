/**
 * The local catalogue of datasets (imported GeoPackages and COGs in the data directory).
 * Being written for the ingestion issue: this is the API the engine and the kinds use.
 */
import type { BulkResult, CatalogDataset, Page } from '../../preload/contract.js';
import { TesseraError } from '../../preload/errors.js';
import type { Db } from '../store/database.js';

export class Catalog {
  constructor(
    readonly db: Db,
    readonly dataDir: string,
  ) {}

  list(_input: { text?: string; kind?: 'vector' | 'raster'; cursor?: string; limit: number }): Page<CatalogDataset> {
    throw new TesseraError('INTERNAL', 'the catalogue is not built yet');
  }

  delete(_ids: readonly number[]): BulkResult {
    throw new TesseraError('INTERNAL', 'the catalogue is not built yet');
  }

  get(id: number): CatalogDataset {
    throw new TesseraError('NOT_FOUND', `dataset ${id} does not exist`);
  }
}
