/**
 * How the headless host and its routes answer: JSON replies and errors in the contract's Reply
 * shape, the few HTML pages a person may see (sign-in needed, refused, console not built), a
 * refused WebSocket upgrade on the raw socket, and reading a request body with a size limit.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { SerializedError } from '../../shared/errors.js';
import { MAX_BODY_BYTES } from './http-security.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/** The first value of a request header. */
export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function errorBody(code: SerializedError['code'], message: string, details?: unknown): { ok: false; error: SerializedError } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * An error as STAC APIs answer one (stac-fastapi, pgstac: `{ code, description }`), for the /stac
 * routes, whose clients (pystac-client, QGIS, a publishing Tessera) read that rather than the
 * contract's `{ ok, error }`.
 */
export function stacErrorBody(code: SerializedError['code'], message: string, details?: unknown): { code: string; description: string; details?: unknown } {
  return details === undefined ? { code, description: message } : { code, description: message, details };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...extra, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': HTML_TYPE, 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' });
  res.end(html);
}

/** 404 for a path that names nothing served (the path echoed, cut to 200 characters). */
export function noSuchFile(res: http.ServerResponse, rawPath: string): void {
  sendJson(res, 404, errorBody('NOT_FOUND', 'No such file.', { path: rawPath.slice(0, 200) }));
}

export function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  sendJson(res, 405, errorBody('BAD_INPUT', 'Method not allowed.'), { Allow: allow });
}

export function tooLarge(res: http.ServerResponse): void {
  // The rest of the body is not read: close the connection instead of draining it.
  res.setHeader('Connection', 'close');
  sendJson(res, 413, errorBody('BAD_INPUT', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
}

/** The body; 'too-large' as soon as it grows past `limit` (the rest is not read); 'aborted' if the client went away. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    // A promise resolves once, so these are no-ops after 'end' or 'too-large'.
    req.once('error', () => resolve('aborted'));
    req.once('close', () => resolve('aborted'));
  });
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

/** Answers a refused upgrade with a plain HTTP response on the raw socket, then closes it. */
export function refuseUpgrade(socket: Duplex, status: number, code: SerializedError['code'], message: string, details?: unknown): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message, details));
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      `Content-Type: ${JSON_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      '\r\n' +
      body,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – Tessera</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

export function unauthorizedPage(): string {
  return page(
    'Sign-in needed',
    '<p>This Tessera console needs its access token.</p><p>Open the full URL printed by <code>tessera serve</code> (it ends in <code>?token=…</code>). The token changes every time the server starts.</p>',
  );
}

export function forbiddenPage(message: string): string {
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return page('Refused', `<p>${escaped}</p><p>Open the URL printed by <code>tessera serve</code> by pasting it into the address bar.</p>`);
}

export function notBuiltPage(): string {
  return page('Console not built', '<p>The renderer has not been built, so there is no page to serve.</p><p>Run <code>npm run build</code> and reload.</p>');
}
