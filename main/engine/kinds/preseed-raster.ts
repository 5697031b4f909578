/**
 * preseed-raster: being written (issue). Placeholder so the registry compiles; replaced by the real kind.
 */
import type { RasterPreseedParams } from '../../../preload/contract.js';
import { TesseraError } from '../../../preload/errors.js';
import type { JobKindPlugin } from './job-kind.js';

export const rasterPreseedKind: JobKindPlugin<RasterPreseedParams> = {
  kind: 'preseed-raster',
  describe: (params) => `preseed raster ${params.output}`,
  async plan() {
    throw new TesseraError('INTERNAL', 'preseed-raster is not built yet');
  },
  async runItem() {
    throw new TesseraError('INTERNAL', 'preseed-raster is not built yet');
  },
};
