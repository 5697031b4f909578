/**
 * The `--queue` value (and Settings › Task queue): where the BullMQ queue lives. Only Redis URLs
 * (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS); anything else is refused as
 * BAD_INPUT before a connection is tried, so a typo never turns into a console that waits forever.
 * The password is part of the URL and must never reach a log, an error or the console:
 * `redactQueueUrl` is what every message prints.
 */
import { TesseraError } from '../../shared/errors.js';

export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** rediss://: TLS, certificates checked by Node's defaults. */
  tls?: Record<string, never>;
  /** BullMQ needs commands to wait through a Redis restart rather than fail (its own advice). */
  maxRetriesPerRequest: null;
}

/** Parses a queue URL; BAD_INPUT (naming `field`, the URL redacted) when it is not a Redis URL. */
export function parseQueueUrl(value: string, field = '--queue'): QueueConnection {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TesseraError('BAD_INPUT', `${field}: "${redactQueueUrl(value)}" is not a URL; expected redis://HOST:PORT/DB`, { details: { field } });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TesseraError('BAD_INPUT', `${field}: only redis:// and rediss:// queues are supported, not ${url.protocol}//`, { details: { field } });
  }
  if (!url.hostname) throw new TesseraError('BAD_INPUT', `${field}: the URL names no host; expected redis://HOST:PORT/DB`, { details: { field } });
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) {
    throw new TesseraError('BAD_INPUT', `${field}: the database must be a number from 0 to 15, not "${dbText}"`, { details: { field } });
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * The URL as it may be printed: the password (and a user name) replaced by `mask`. Settings ›
 * Task queue shows it with the user name kept (`keepUser`: an ACL user is not a secret) and `•••`,
 * which a save sends back unchanged to keep the stored password (main/engine/queue-setting.ts).
 */
export function redactQueueUrl(value: string, { mask = '***', keepUser = false }: { mask?: string; keepUser?: boolean } = {}): string {
  try {
    const url = new URL(value);
    // A placeholder of URL-safe letters, swapped for the mask after: URL would percent-encode "•".
    const placeholder = 'REDACTEDSECRET';
    if (url.password) url.password = placeholder;
    if (url.username && !keepUser) url.username = placeholder;
    return url.toString().split(placeholder).join(mask);
  } catch {
    // Not a URL: whatever lies between "//" and "@" may still be a secret.
    return value.replace(/\/\/[^@/]*@/, `//${mask}@`);
  }
}
