/**
 * preseed-vector: being written (issue). Placeholder so the registry compiles; replaced by the real kind.
 */
import type { VectorPreseedParams } from '../../../preload/contract.js';
import { TesseraError } from '../../../preload/errors.js';
import type { JobKindPlugin } from './job-kind.js';

export const vectorPreseedKind: JobKindPlugin<VectorPreseedParams> = {
  kind: 'preseed-vector',
  describe: (params) => `preseed vector ${params.output}`,
  async plan() {
    throw new TesseraError('INTERNAL', 'preseed-vector is not built yet');
  },
  async runItem() {
    throw new TesseraError('INTERNAL', 'preseed-vector is not built yet');
  },
};
