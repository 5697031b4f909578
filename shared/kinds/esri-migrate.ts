/** The Esri migration's params and facts: a service URL in (no local path), one catalogue dataset out. */
import { z } from 'zod';
import { kindContract } from './kind-contract.js';

/**
 * migrate-esri: layers of an ArcGIS FeatureServer/MapServer into one GeoPackage in the catalogue
 * (one item per layer). Credentials live in the credential store and are referred to by id only:
 * never in params, logs, reports or URLs.
 */
export const EsriMigrateParams = z
  .object({
    /** A service (FeatureServer or MapServer, with or without a layer id or trailing slash). */
    url: z.url({ protocol: /^https?$/ }),
    /** Layer and table ids; every layer and table of the service when absent. */
    layers: z.array(z.number().int().min(0)).min(1).optional(),
    where: z.string().trim().min(1).max(10_000).optional(),
    credentialId: z.string().trim().min(1).max(200).optional(),
    /** The catalogue dataset's name. */
    name: z.string().trim().min(1).max(200),
  })
  .strict();
export type EsriMigrateParams = z.output<typeof EsriMigrateParams>;

export const esriMigrateContract = kindContract({
  params: EsriMigrateParams,
  // A service URL and a catalogue name: no path on this machine.
  paths: () => [],
  cache: () => null,
  makesDatasets: true,
  unit: 'features',
  // Its layers' places are the catalogue's (the report reads them from the datasets it made).
  footprints: () => [],
});
