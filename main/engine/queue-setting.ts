/**
 * Settings › Task queue without its password in view. The queue URL is stored without its
 * password; the password is sealed in the CredentialStore (as the STAC publish token is) and bound
 * to that URL's host, port and database. Requests see `redis://:•••@host:6379/0`; a save that sends
 * that form back unchanged keeps the stored password, and a changed host, port or database with the
 * mask is refused, so a console user cannot send the stored password to a server of their choosing.
 */
import type { Settings } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { parseQueueUrl, redactQueueUrl } from '../queue/queue-url.js';
import type { JobStore } from '../store/job-store.js';

/** What stands for a stored password in the Settings field. */
export const PASSWORD_MASK = '•••';
/** Store setting: the credential holding the queue's password. */
const CREDENTIAL = 'queue.credential';

export class QueueSetting {
  constructor(
    private readonly store: JobStore,
    private readonly credentials: CredentialStore,
  ) {}

  /** The URL the engine connects with, password included: for the pool only, never for a reply. */
  async connectUrl(stored: string | null | undefined): Promise<string | null> {
    if (!stored) return null;
    const id = this.credentialId();
    if (!id) return stored;
    const source = await this.credentials.tokenSource(id, stored, () => {
      throw new TesseraError('INTERNAL', 'the task queue credential holds a password, not a login');
    });
    const url = new URL(stored);
    url.password = await source.token(new AbortController().signal);
    return url.toString();
  }

  /** Settings as a request returns them: the queue's password, if any, shown as the mask. */
  shown(settings: Settings): Settings {
    if (!settings.queue || !this.credentialId()) return settings;
    const url = new URL(settings.queue);
    url.password = 'x';
    return { ...settings, queue: redactQueueUrl(url.toString(), { mask: PASSWORD_MASK, keepUser: true }) };
  }

  /**
   * What to store for a saved queue URL: the URL without its password, the password sealed. The
   * mask keeps the stored password for the same URL only; no password clears it.
   */
  async save(value: string | null, before: string | null | undefined): Promise<string | null> {
    const previous = this.credentialId();
    if (!value) {
      await this.forget(previous);
      return null;
    }
    parseQueueUrl(value, 'queue');
    const url = new URL(value);
    const password = decodeURIComponent(url.password);
    url.password = '';
    const bare = url.toString();
    if (password === PASSWORD_MASK) {
      if (previous && bare === before) return bare;
      throw new TesseraError(
        'BAD_INPUT',
        previous
          ? `queue: the stored password is kept only for ${redactQueueUrl(before ?? '')}; type the password again to use it with ${bare}`
          : 'queue: no password is stored; type the password instead of •••',
        { details: { issues: [{ field: 'queue', message: 'type the password again' }] } },
      );
    }
    if (password === '') {
      await this.forget(previous);
      return bare;
    }
    const { id } = await this.credentials.save({ url: bare, token: password });
    this.store.setSetting(CREDENTIAL, id);
    if (previous) await this.credentials.remove(previous);
    return bare;
  }

  /**
   * A URL stored with its password by an earlier version: the password moved into the credential
   * store, the setting rewritten without it. Returns the settings to keep.
   */
  async migrate(settings: Settings): Promise<Settings> {
    if (!settings.queue || !new URL(settings.queue).password) return settings;
    const next = { ...settings, queue: await this.save(settings.queue, null) };
    this.store.setSetting('settings', next);
    return next;
  }

  private credentialId(): string | null {
    return this.store.getSetting<string | null>(CREDENTIAL) ?? null;
  }

  private async forget(id: string | null): Promise<void> {
    if (!id) return;
    this.store.setSetting(CREDENTIAL, null);
    await this.credentials.remove(id);
  }
}
