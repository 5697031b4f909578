/**
 * Secrets for remote servers (Esri tokens, or a username and password for generateToken),
 * referred to by id everywhere else: job params, events, reports and URLs only ever hold the id.
 *
 * Stored in `credentials.json` in the data directory (mode 0600, written atomically), each secret
 * sealed by a SecretCipher (the OS keychain under Electron, a file key under plain Node; see
 * secret-cipher.ts for what each protects against). A credential is bound to the server it was
 * saved for: it is never sent to another host.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { TOKEN_REFERER, type TokenSource } from '../esri/esri-client.js';
import { type SecretCipher, defaultCipher } from './secret-cipher.js';

const FILE = 'credentials.json';

export interface CredentialInput {
  url: string;
  token?: string;
  username?: string;
  password?: string;
}

/** What may be shown about a credential: never its secret. */
export interface CredentialInfo {
  id: string;
  /** The server it was saved for (origin and path, no query). */
  url: string;
  kind: 'token' | 'password';
  createdAt: string;
}

interface StoredEntry extends CredentialInfo {
  cipher: string;
  sealed: string;
}

interface Secret {
  token?: string;
  username?: string;
  password?: string;
}

interface FileShape {
  version: 1;
  credentials: Record<string, StoredEntry>;
}

/** Posts a form to a URL and returns its JSON (the Esri client, without a token). */
export type AnonymousPost = (url: string, params: Record<string, string | number>, signal: AbortSignal) => Promise<Record<string, unknown>>;

export class CredentialStore {
  private readonly cipher: SecretCipher;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataDir: string,
    cipher?: SecretCipher,
  ) {
    this.cipher = cipher ?? defaultCipher(dataDir);
  }

  /** Seals and stores the secret; returns the id that stands for it from now on. */
  async save(input: CredentialInput): Promise<{ id: string }> {
    const hasToken = typeof input.token === 'string' && input.token !== '';
    const hasPassword = typeof input.username === 'string' && input.username !== '' && typeof input.password === 'string' && input.password !== '';
    if (!hasToken && !hasPassword)
      throw new TesseraError('BAD_INPUT', 'a credential needs a token, or a username and a password', {
        details: { issues: [{ field: 'token', message: 'give a token, or a username and a password' }] },
      });
    const url = scopeOf(input.url);
    const secret: Secret = hasToken ? { token: input.token } : { username: input.username, password: input.password };
    const entry: StoredEntry = {
      id: `cred_${randomBytes(12).toString('hex')}`,
      url,
      kind: hasToken ? 'token' : 'password',
      createdAt: new Date().toISOString(),
      cipher: this.cipher.name,
      sealed: await this.cipher.seal(JSON.stringify(secret)),
    };
    await this.update((file) => {
      file.credentials[entry.id] = entry;
    });
    return { id: entry.id };
  }

  /** The credential's public facts; NOT_FOUND when the id is unknown. */
  info(id: string): CredentialInfo {
    const e = this.entry(id);
    return { id: e.id, url: e.url, kind: e.kind, createdAt: e.createdAt };
  }

  async remove(id: string): Promise<void> {
    await this.update((file) => {
      delete file.credentials[id];
    });
  }

  /**
   * A token source for requests to `targetUrl`. Refuses (FORBIDDEN) a credential saved for
   * another server, so a job cannot be pointed at a host that would then receive the token.
   */
  async tokenSource(id: string, targetUrl: string, post: AnonymousPost): Promise<TokenSource> {
    const entry = this.entry(id);
    if (!sameServer(entry.url, targetUrl)) {
      throw new TesseraError(
        'FORBIDDEN',
        `credential ${id} was saved for ${new URL(entry.url).host}, not ${new URL(targetUrl).host}: it is not sent to another server`,
      );
    }
    if (entry.cipher !== this.cipher.name) {
      throw new TesseraError(
        'UNAUTHORIZED',
        `credential ${id} was sealed with ${entry.cipher}, which this process cannot open (it uses ${this.cipher.name}); save it again here`,
      );
    }
    const secret = JSON.parse(await this.cipher.open(entry.sealed)) as Secret;
    if (secret.token) return staticToken(secret.token);
    return generatedToken(targetUrl, secret.username ?? '', secret.password ?? '', post);
  }

  private entry(id: string): StoredEntry {
    const e = this.read().credentials[id];
    if (!e) throw new TesseraError('NOT_FOUND', `credential ${id} does not exist (saved credentials live in ${join(this.dataDir, FILE)})`, { details: { id } });
    return e;
  }

  private read(): FileShape {
    const path = join(this.dataDir, FILE);
    if (!existsSync(path)) return { version: 1, credentials: {} };
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as FileShape;
    if (parsed.version !== 1 || typeof parsed.credentials !== 'object')
      throw new TesseraError('STORE_UNAVAILABLE', `${path} is not a credentials file this version reads`);
    return parsed;
  }

  /** Read-modify-write, one at a time, written to a temp file (0600) and renamed over the old one. */
  private update(change: (file: FileShape) => void): Promise<void> {
    const next = this.writing.then(() => {
      mkdirSync(this.dataDir, { recursive: true });
      const file = this.read();
      change(file);
      const path = join(this.dataDir, FILE);
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      chmodSync(temp, 0o600);
      renameSync(temp, path);
    });
    this.writing = next.catch(() => {});
    return next;
  }
}

/**
 * The server a credential is for: scheme, host and path, without query or fragment. Not `origin`,
 * which is "null" for schemes URL does not know, such as the task queue's redis://.
 */
function scopeOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/**
 * The same host, or hosts under the same organisation domain (ArcGIS Online issues tokens on
 * www.arcgis.com for services on servicesN.arcgis.com). Scheme must match: a token saved for
 * https is never sent over plain http.
 */
export function sameServer(credentialUrl: string, targetUrl: string): boolean {
  const a = new URL(credentialUrl);
  const b = new URL(targetUrl);
  if (a.protocol !== b.protocol) return false;
  if (a.host === b.host) return true;
  const tail = (h: string) => h.split('.').slice(-2).join('.');
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  return !isIp(a.hostname) && !isIp(b.hostname) && a.hostname.split('.').length >= 2 && tail(a.hostname) === tail(b.hostname);
}

function staticToken(token: string): TokenSource {
  return {
    token: async () => token,
    renew: async () => false,
    secrets: () => [token],
  };
}

/**
 * Tokens made by the server's generateToken from a username and password, renewed a minute before
 * they expire and when the server refuses one.
 */
function generatedToken(targetUrl: string, username: string, password: string, post: AnonymousPost): TokenSource {
  let current: { token: string; expires: number } | null = null;
  const issued: string[] = [];
  const make = async (signal: AbortSignal) => {
    const tokenUrl = await tokenServiceUrl(targetUrl, post, signal);
    let answer: Record<string, unknown>;
    try {
      answer = await post(tokenUrl, { username, password, client: 'referer', referer: TOKEN_REFERER, expiration: 60 }, signal);
    } catch (error) {
      const e = toTesseraError(error);
      if (e.transient || e.code === 'ABORTED') throw e;
      throw new TesseraError('UNAUTHORIZED', `${new URL(tokenUrl).host} made no token for user ${username}: ${e.message}`, { details: e.details });
    }
    const token = answer.token;
    if (typeof token !== 'string' || token === '') throw new TesseraError('UNAUTHORIZED', `${new URL(tokenUrl).host} gave no token for user ${username}`);
    const expires = typeof answer.expires === 'number' ? answer.expires : Date.now() + 30 * 60_000;
    current = { token, expires };
    issued.push(token);
    return token;
  };
  return {
    token: async (signal) => (current && current.expires - 60_000 > Date.now() ? current.token : make(signal)),
    renew: async (signal) => {
      await make(signal);
      return true;
    },
    secrets: () => [password, ...issued],
  };
}

/** Where the server makes tokens: `rest/info`'s tokenServicesUrl, else `…/rest/generateToken`. */
async function tokenServiceUrl(targetUrl: string, post: AnonymousPost, signal: AbortSignal): Promise<string> {
  const u = new URL(targetUrl);
  const at = u.pathname.toLowerCase().indexOf('/rest/');
  const rest = at >= 0 ? `${u.origin}${u.pathname.slice(0, at)}/rest` : `${u.origin}/arcgis/rest`;
  try {
    const info = await post(`${rest}/info`, {}, signal);
    const authInfo = info.authInfo as { tokenServicesUrl?: unknown; isTokenBasedSecurity?: unknown } | undefined;
    if (typeof authInfo?.tokenServicesUrl === 'string' && authInfo.tokenServicesUrl) return new URL(authInfo.tokenServicesUrl).toString();
  } catch (error) {
    if ((error as { code?: string }).code === 'ABORTED') throw error;
  }
  return `${rest}/generateToken`;
}
