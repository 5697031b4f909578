/**
 * migrate-esri: being written (issue). Placeholder so the registry compiles; replaced by the real kind.
 */
import type { EsriMigrateParams } from '../../../preload/contract.js';
import { TesseraError } from '../../../preload/errors.js';
import type { JobKindPlugin } from './job-kind.js';

export const esriMigrateKind: JobKindPlugin<EsriMigrateParams> = {
  kind: 'migrate-esri',
  describe: () => 'migrate-esri',
  async plan() {
    throw new TesseraError('INTERNAL', 'migrate-esri is not built yet');
  },
  async runItem() {
    throw new TesseraError('INTERNAL', 'migrate-esri is not built yet');
  },
};
