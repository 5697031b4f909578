/**
 * `tessera migrate esri <url> [--layers 0,2] [--where SQL] [--token T] -o NAME`: turns the command
 * line into the contract's migrate-esri params (checked by the same zod schema as the console's
 * wizard). A token (or a username with TESSERA_ESRI_PASSWORD) is saved in the credential store
 * first and only its id goes into the job: the secret never reaches params, logs or reports.
 *
 * A token given with --token is visible to other local users in the process list while the
 * command runs; TESSERA_ESRI_TOKEN in the environment is not.
 */
import type { JobStartInput } from '../../shared/contract.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { parseServiceUrl } from '../esri/service-url.js';
import { UsageError } from './usage-error.js';

export class MigrateUsageError extends UsageError {}

export interface MigrateOptions {
  layers?: string;
  where?: string;
  token?: string;
  username?: string;
  output?: string;
}

export const MIGRATE_USAGE = `migrate esri <url> -o NAME [--layers 0,2] [--where SQL] [--token T | --username U]
                                                       copy ArcGIS FeatureServer/MapServer layers into the catalogue
                                                       (token also from TESSERA_ESRI_TOKEN; password from TESSERA_ESRI_PASSWORD)`;

/** The jobs.start input for `tessera migrate esri …`; saves the credential it was given, if any. */
export async function migrateEsriInput(
  args: string[],
  o: MigrateOptions,
  credentials: Pick<CredentialStore, 'save'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<JobStartInput> {
  const [source, url, ...extra] = args;
  if (source !== 'esri') throw new MigrateUsageError(`migrate needs a source: tessera migrate esri <url> -o NAME (got "${source ?? ''}")`);
  if (!url) throw new MigrateUsageError('migrate esri needs the service URL (…/FeatureServer or …/MapServer)');
  if (extra.length > 0) throw new MigrateUsageError(`migrate esri takes one URL; unexpected: ${extra.join(' ')}`);
  if (!o.output) throw new MigrateUsageError('-o NAME is required: the name of the dataset in the catalogue');
  const service = parseServiceUrl(url, 'url');
  const layers = o.layers === undefined ? undefined : layerList(o.layers);
  const token = o.token ?? env.TESSERA_ESRI_TOKEN;
  let credentialId: string | undefined;
  if (token !== undefined && token !== '') {
    if (o.username) throw new MigrateUsageError('give --token or --username, not both');
    credentialId = (await credentials.save({ url: service.serviceUrl, token })).id;
  } else if (o.username) {
    const password = env.TESSERA_ESRI_PASSWORD;
    if (!password) throw new MigrateUsageError('--username needs the password in TESSERA_ESRI_PASSWORD (never on the command line)');
    credentialId = (await credentials.save({ url: service.serviceUrl, username: o.username, password })).id;
  }
  return {
    kind: 'migrate-esri',
    params: {
      url,
      name: o.output,
      ...(layers !== undefined && { layers }),
      ...(o.where !== undefined && { where: o.where }),
      ...(credentialId !== undefined && { credentialId }),
    },
  };
}

function layerList(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p)))
    throw new MigrateUsageError(`--layers takes comma-separated layer ids, e.g. --layers 0,2 (got "${text}")`);
  return parts.map(Number);
}
