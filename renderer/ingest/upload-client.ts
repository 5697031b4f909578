/**
 * Uploads a dropped file to the headless host's upload route in chunks (XHR, for its upload
 * progress events, which fetch does not have), so every request stays short and the progress bar
 * moves with the bytes actually sent. The session cookie authenticates it, as it does /api.
 */
import type { UploadStatus } from '../../shared/contract.js';
import { AbortError, type SerializedError, TesseraError, fromSerialized } from '../../shared/errors.js';

/** Bytes per request: small enough for the host's request timeout on a slow link. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface UploadOptions {
  /** Called with the bytes of the file sent so far. */
  onProgress?(sent: number): void;
  signal?: AbortSignal;
  /** The host's origin (default: the page's). */
  baseUrl?: string;
  chunkBytes?: number;
}

/** Sends `file`; resolves with the complete upload (its `file` is `upload:<id>`). */
export async function uploadFile(file: File, options: UploadOptions = {}): Promise<UploadStatus> {
  const base = options.baseUrl ?? location.origin;
  const chunk = options.chunkBytes ?? CHUNK_BYTES;
  let status: UploadStatus | null = null;
  let offset = 0;
  do {
    const end = Math.min(file.size, offset + chunk);
    const url = status === null ? `${base}/uploads?name=${encodeURIComponent(file.name)}&size=${file.size}` : `${base}/uploads/${status.id}?offset=${offset}`;
    const start = offset;
    status = await send(url, file.slice(start, end), (loaded) => options.onProgress?.(start + loaded), options.signal);
    offset = status.received;
  } while (!status.complete);
  options.onProgress?.(file.size);
  return status;
}

function send(url: string, body: Blob, onLoaded: (loaded: number) => void, signal: AbortSignal | undefined): Promise<UploadStatus> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => onLoaded(event.loaded);
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.onabort = () => reject(new AbortError());
    xhr.onerror = () => reject(new TesseraError('IO_ERROR', `the upload to ${new URL(url).pathname} failed (the connection broke)`));
    xhr.onload = () => {
      signal?.removeEventListener('abort', onAbort);
      const reply = xhr.response as { ok: true; result: UploadStatus } | { ok: false; error: SerializedError } | null;
      if (reply?.ok) return resolve(reply.result);
      reject(reply && !reply.ok ? fromSerialized(reply.error) : new TesseraError('INTERNAL', `the upload was answered with HTTP ${xhr.status}`));
    };
    xhr.send(body);
  });
}
