/**
 * Discovery of an ArcGIS REST service before a migration. Being written for the Esri issue.
 */
import type { EsriService } from '../../preload/contract.js';
import { TesseraError } from '../../preload/errors.js';
import type { CredentialStore } from '../credentials/credential-store.js';

export async function discoverEsri(_url: string, _options: { credentials: CredentialStore; credentialId?: string; signal: AbortSignal }): Promise<EsriService> {
  throw new TesseraError('INTERNAL', 'Esri discovery is not built yet');
}
