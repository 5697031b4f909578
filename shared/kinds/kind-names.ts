/**
 * The job kinds' names, with nothing else: what a command line, a table or a help text needs of
 * the kinds without loading their zod schemas (shared/kinds/index.ts builds those, and holds the
 * engine's list to this one: a kind missing from either fails the type check there).
 */
export const JOB_KIND_NAMES = ['verify', 'preseed-raster', 'preseed-vector', 'ingest', 'migrate-esri', 'truncate'] as const;
export type JobKindName = (typeof JOB_KIND_NAMES)[number];
