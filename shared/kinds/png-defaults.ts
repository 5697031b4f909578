/**
 * The raster preseed's PNG defaults, apart from its schema (raster-preseed.ts) so that the CLI's
 * help can print them without loading zod.
 */

/** PNG zlib level unless a job says otherwise (see pngCompression). */
export const PNG_COMPRESSION_DEFAULT = 6;
/** PNG row filtering unless a job says otherwise (see pngAdaptiveFiltering). */
export const PNG_ADAPTIVE_FILTERING_DEFAULT = true;
