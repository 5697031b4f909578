/** The `tessera stac …` commands' specs (their help, options and examples), kept beside command-specs.ts. */
import type { CommandSpec } from './command-specs.js';

export const STAC_COMMAND_SPECS: CommandSpec[] = [
  {
    path: ['stac'],
    summary: 'STAC: the datasets and tile caches Tessera holds, for STAC tools',
    options: [],
    examples: ['tessera stac export ./stac', 'tessera stac publish https://stac.example.org/'],
  },
  {
    path: ['stac', 'export'],
    args: ['<folder>'],
    summary: 'write a static STAC catalogue (catalog, a collection per kind, an item per dataset or cache)',
    description:
      'Write a self-contained static STAC 1.0 catalogue into a folder: catalog.json, one collection each for vector datasets, ' +
      'raster datasets and tile caches, one item per dataset or cache with bbox, footprint, datetime, projection, and assets ' +
      'pointing at the files with their size and SHA-256. The folder must be new, empty or an earlier export (it is replaced whole).',
    options: [],
    examples: ['tessera stac export ./stac', 'tessera stac export /srv/www/stac --json'],
  },
  {
    path: ['stac', 'publish'],
    args: ['<url>'],
    summary: 'publish the datasets and tile caches to a STAC API with the Transactions extension, once',
    description:
      'Bring a remote STAC API up to date with what Tessera holds: its collections (as <host name>-vector-datasets, ' +
      '-raster-datasets, -tile-caches) are created or replaced, new items POSTed, changed ones PUT, unchanged ones left ' +
      'alone, and items whose dataset or cache is gone here DELETEd. Transient faults are retried with backoff; a server ' +
      'that keeps failing opens the circuit and the publish stops (exit 1). Run it again at will: it never duplicates.',
    options: [
      { name: 'token-env', value: 'VAR', description: "the environment variable holding the API's bearer token (never on the command line)", default: 'none' },
    ],
    examples: ['tessera stac publish https://stac.example.org/', 'tessera stac publish http://gis-02:7340/stac --token-env STAC_TOKEN --json'],
  },
];
