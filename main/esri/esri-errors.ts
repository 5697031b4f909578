/**
 * What an ArcGIS server's answer means: a result, a failure worth retrying, or a permanent one.
 *
 * ArcGIS answers most errors with HTTP 200 and `{"error": {"code", "message", "details"}}`; the
 * reviewed server missed those and wrote nothing, silently. Here an error body is an error
 * whatever the status, and the server's message is kept (it is what an operator can act on).
 */
import { TesseraError, type ErrorCode } from '../../shared/errors.js';

/** Why a request failed, for retry statistics and the job report. */
export type FailureReason = 'timeout' | 'connection' | 'http-429' | 'http-5xx' | 'esri-error' | 'truncated' | 'not-json' | 'auth' | 'client-error';

export interface RequestFailureDetails {
  reason: FailureReason;
  /** The URL without its query (nothing secret is ever in it: parameters travel in the POST body). */
  url: string;
  status?: number;
  esriCode?: number;
  retryAfterMs?: number;
  [key: string]: unknown;
}

export function failure(code: ErrorCode, message: string, details: RequestFailureDetails, transient?: boolean): TesseraError {
  return new TesseraError(code, message, { details, transient });
}

export function reasonOf(error: unknown): FailureReason | null {
  if (!(error instanceof TesseraError)) return null;
  const details = error.details as Partial<RequestFailureDetails> | undefined;
  return details?.reason ?? null;
}

/** An Esri error body's fields, if `body` is one. */
export function esriErrorOf(body: unknown): { code: number | null; message: string; details: string[] } | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; message?: unknown; details?: unknown };
  const code = typeof e.code === 'number' ? e.code : typeof e.code === 'string' && /^\d+$/.test(e.code) ? Number(e.code) : null;
  const details = Array.isArray(e.details) ? e.details.filter((d): d is string => typeof d === 'string' && d !== '') : [];
  return { code, message: typeof e.message === 'string' && e.message !== '' ? e.message : 'no message', details };
}

/** The TesseraError for an Esri error body (returned with any HTTP status). */
export function esriErrorToTesseraError(esri: { code: number | null; message: string; details: string[] }, url: string, status: number): TesseraError {
  const text = [esri.message, ...esri.details.filter((d) => d !== esri.message)].join('; ');
  const said = `the server answered error ${esri.code ?? '(no code)'}: ${text}`;
  const details: RequestFailureDetails = { reason: 'esri-error', url, status, esriCode: esri.code ?? undefined, serverMessage: text };
  switch (esri.code) {
    case 498:
    case 499:
    case 401:
      return failure('UNAUTHORIZED', `${said} (${esri.code === 499 ? 'a token is required' : 'the token was refused'})`, { ...details, reason: 'auth' });
    case 403:
      return failure('FORBIDDEN', said, details);
    case 404:
      return failure('NOT_FOUND', said, details);
    case 429:
      return failure('HTTP_429', said, details);
    case 408:
    case 504:
      return failure('TIMEOUT', said, details);
    case 500:
    case 502:
    case 503:
      return failure('HTTP_5XX', said, details);
    default:
      // 400 (a bad where clause, an unknown field) and anything unknown: the request is wrong.
      return failure('BAD_INPUT', said, { ...details, reason: 'client-error' });
  }
}

/** The TesseraError for a non-2xx HTTP status whose body is not an Esri error. */
export function httpStatusToTesseraError(status: number, statusText: string, url: string, retryAfterMs: number | undefined, bodySnippet: string): TesseraError {
  const said = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${bodySnippet ? `: ${bodySnippet}` : ''}`;
  if (status === 429) return failure('HTTP_429', said, { reason: 'http-429', url, status, retryAfterMs });
  if (status === 408) return failure('TIMEOUT', said, { reason: 'timeout', url, status });
  if (status >= 500) return failure('HTTP_5XX', said, { reason: 'http-5xx', url, status, retryAfterMs });
  if (status === 401) return failure('UNAUTHORIZED', said, { reason: 'auth', url, status });
  if (status === 403) return failure('FORBIDDEN', said, { reason: 'client-error', url, status });
  if (status === 404) return failure('NOT_FOUND', said, { reason: 'client-error', url, status });
  return failure('BAD_INPUT', said, { reason: 'client-error', url, status });
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
