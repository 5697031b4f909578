/**
 * An Esri client for one server, with the credential (if any) resolved into a token source. The
 * token service is called through a client without a token, with the same retry rules.
 */
import type { CredentialStore } from '../credentials/credential-store.js';
import { type ClientOptions, EsriClient } from './esri-client.js';

export async function connectEsri(
  targetUrl: string,
  options: { credentials: CredentialStore; credentialId?: string | undefined; client?: Partial<ClientOptions>; signal: AbortSignal },
): Promise<EsriClient> {
  if (!options.credentialId) return new EsriClient(options.client);
  const anonymous = new EsriClient({ ...options.client, waitWhenUnavailable: false, maxAttempts: Math.min(3, options.client?.maxAttempts ?? 3) });
  const source = await options.credentials.tokenSource(options.credentialId, targetUrl, (url, params, signal) =>
    anonymous.request(url, params, { signal, anonymous: true }),
  );
  return new EsriClient(options.client, source);
}
