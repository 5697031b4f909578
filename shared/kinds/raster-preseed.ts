/** The raster preseed's params and facts: rasters in, one tile cache out. */
import { z } from 'zod';
import { bboxOf, preseedChecks, preseedFields } from './fields.js';
import { type PathUse, kindContract, pathList } from './kind-contract.js';

export const RASTER_FORMATS = ['png', 'jpeg', 'webp'] as const;
export const RESAMPLINGS = ['nearest', 'bilinear', 'cubic', 'lanczos', 'average'] as const;
import { PNG_ADAPTIVE_FILTERING_DEFAULT, PNG_COMPRESSION_DEFAULT } from './png-defaults.js';
export { PNG_ADAPTIVE_FILTERING_DEFAULT, PNG_COMPRESSION_DEFAULT };

/** preseed-raster: GDAL rasters (any CRS) to PNG/JPEG/WebP tiles; one item per dataset. */
export const RasterPreseedParams = preseedChecks(
  z
    .object({
      ...preseedFields,
      datasets: z.array(z.string().trim().min(1, 'dataset path is empty').max(4096)).min(1, 'no datasets').max(1000),
      tileSize: z.union([z.literal(256), z.literal(512)]).default(256),
      format: z.enum(RASTER_FORMATS).default('png'),
      /** JPEG and WebP quality; PNG: none. */
      quality: z.number().int().min(1).max(100).default(85),
      /** PNG only: quantise to a palette of at most 256 colours (much smaller files). */
      pngPalette: z.boolean().default(false),
      /**
       * PNG only: zlib level, 0 (stored) to 9 (smallest). The default is the measured balance of
       * size and encode time (bench/raster-preseed-bench.ts prints both per setting).
       */
      pngCompression: z.number().int().min(0).max(9).default(PNG_COMPRESSION_DEFAULT),
      /** PNG only: pick a row filter per row (libpng's adaptive filtering) instead of none. */
      pngAdaptiveFiltering: z.boolean().default(PNG_ADAPTIVE_FILTERING_DEFAULT),
      resampling: z.enum(RESAMPLINGS).default('average'),
      /**
       * How 16-bit and float bands become 8-bit: `auto` stretches each band's min–max (from its
       * statistics), `[min, max]` stretches that range. 8-bit data is never scaled.
       */
      scale: z
        .union([z.literal('auto'), z.tuple([z.number(), z.number()]).refine((r) => r[0] < r[1], { message: 'scale min must be less than max' })])
        .default('auto'),
    })
    .strict(),
);
export type RasterPreseedParams = z.output<typeof RasterPreseedParams>;

export const rasterPreseedContract = kindContract({
  params: RasterPreseedParams,
  paths: (p) => [...pathList('datasets', p.datasets, 'read'), ...coverageUse(p.coverage), { field: 'params.output', path: p.output, access: 'write' }],
  cache: (p) => ({ path: p.output, role: 'output' }),
  makesDatasets: false,
  unit: 'tiles',
  // Each dataset's part of the output (its extent ∩ bbox ∩ coverage), as its item rendered it.
  footprints: (_p, items) =>
    items.flatMap((i) => {
      const b = bboxOf(i.result?.bounds);
      return b ? [{ label: i.label, bounds: b }] : [];
    }),
});

/** The coverage polygon file, when the params name one (read by both preseed kinds). */
export function coverageUse(coverage: string | undefined): PathUse[] {
  return coverage === undefined ? [] : [{ field: 'params.coverage', path: coverage, access: 'read' }];
}
