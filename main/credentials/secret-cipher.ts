/**
 * How credential secrets are sealed at rest.
 *
 * Threat model, honestly:
 * - Under Electron, secrets are sealed with the OS keychain (safeStorage: macOS Keychain, Windows
 *   DPAPI, libsecret/kwallet on Linux; see main/electron/safe-storage-cipher.ts). Another user, a
 *   backup or a copied data directory cannot read them; code running as the same user, while the
 *   user is logged in, can (that is what a keychain allows).
 * - Under plain Node (the headless host, the CLI), there is no keychain. Secrets are sealed with
 *   AES-256-GCM under a random key in `credentials.key` beside `credentials.json`, both mode 0600.
 *   That keeps secrets out of the job store, logs, reports, backups of the store, `grep -r` and
 *   screen shares, and stops other local users (file permissions). It does NOT stop anyone who
 *   can read the data directory as this user: the key is right there. Put the data directory on
 *   an encrypted volume, or keep tokens short-lived, when that matters.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../../shared/errors.js';

export interface SecretCipher {
  /** Stored beside each sealed secret, so the right cipher opens it (or says why it cannot). */
  readonly name: string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

const KEY_FILE = 'credentials.key';

/** AES-256-GCM under a random 32-byte key kept in the data directory (mode 0600). */
export class FileKeyCipher implements SecretCipher {
  readonly name = 'aes-256-gcm/file-key';
  private key: Buffer | null = null;

  constructor(readonly dataDir: string) {}

  async seal(plain: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async open(sealed: string): Promise<string> {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new TesseraError('UNAUTHORIZED', `a stored credential cannot be decrypted: ${join(this.dataDir, KEY_FILE)} is not the key it was sealed with`);
    }
  }

  /** Reads the key, or creates it (O_EXCL, 0600) the first time. */
  private keyBytes(): Buffer {
    if (this.key) return this.key;
    const path = join(this.dataDir, KEY_FILE);
    mkdirSync(this.dataDir, { recursive: true });
    if (!existsSync(path)) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, randomBytes(32));
        closeSync(fd);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    chmodSync(path, 0o600);
    const key = readFileSync(path);
    if (key.length !== 32)
      throw new TesseraError(
        'UNAUTHORIZED',
        `${path} is not a 32-byte key (${key.length} bytes); move it away to start a new one (saved credentials are then lost)`,
      );
    this.key = key;
    return key;
  }
}

let cipherFactory: ((dataDir: string) => SecretCipher) | null = null;

/**
 * Makes every credential store use this cipher (the Electron shell sets the keychain's at start-up;
 * plain Node keeps the file key).
 */
export function useSecretCipher(factory: ((dataDir: string) => SecretCipher) | null): void {
  cipherFactory = factory;
}

export function defaultCipher(dataDir: string): SecretCipher {
  return cipherFactory ? cipherFactory(dataDir) : new FileKeyCipher(dataDir);
}
