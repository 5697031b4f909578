/**
 * ingest: being written (issue). Placeholder so the registry compiles; replaced by the real kind.
 */
import type { IngestParams } from '../../../preload/contract.js';
import { TesseraError } from '../../../preload/errors.js';
import type { JobKindPlugin } from './job-kind.js';

export const ingestKind: JobKindPlugin<IngestParams> = {
  kind: 'ingest',
  describe: () => 'ingest',
  async plan() {
    throw new TesseraError('INTERNAL', 'ingest is not built yet');
  },
  async runItem() {
    throw new TesseraError('INTERNAL', 'ingest is not built yet');
  },
};
