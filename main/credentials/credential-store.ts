/**
 * Secrets for remote servers (Esri tokens, usernames and passwords), referred to by id everywhere
 * else. Being written for the Esri migration issue: this is the API the engine and the kinds use.
 */
import { TesseraError } from '../../preload/errors.js';

export class CredentialStore {
  constructor(readonly dataDir: string) {}

  async save(_input: { url: string; token?: string; username?: string; password?: string }): Promise<{ id: string }> {
    throw new TesseraError('INTERNAL', 'the credential store is not built yet');
  }
}
