/**
 * The browser bridge: `window.tessera` over the headless host's HTTP and WebSocket endpoints.
 *
 * Requests are `POST /api/<name>` with a JSON body (the session cookie authenticates them; the
 * host refuses GET and cross-origin calls), events arrive on one shared WebSocket at `/events`.
 * DOM only, no Node: Vite bundles this into the renderer. In Electron the preload has already set
 * `window.tessera`, and installBrowserBridge leaves it alone.
 */
import { type BridgeTransport, type EventName, createTesseraApi } from '../shared/contract.js';
import { type ErrorCode, TesseraError, fromSerialized } from '../shared/errors.js';
import { ListenerSet, isReply } from './transport-kit.js';
import type { TesseraApi } from './window-api.js';

export interface BrowserTransportOptions {
  /** The host's origin. Default: the page's own origin (`location.origin`). */
  baseUrl?: string;
  /** The WebSocket class. Default: the global one (tests under Node pass the `ws` package's). */
  WebSocketImpl?: typeof WebSocket;
  /**
   * Extra request headers, for scripts and tests only (e.g. `Authorization: Bearer …`, since
   * Node's fetch has no cookie jar). A page never needs it: its session cookie authenticates it.
   */
  headers?: Record<string, string>;
  /** Reconnect backoff of the event socket: doubles from `minDelayMs` up to `maxDelayMs`, with jitter. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Called with what an event listener throws (the other listeners still run). Default: console.error. */
  onListenerError?: (error: unknown) => void;
}

/** Reconnect delays when not given: 0.5 s doubling to a 30 s ceiling. */
const DEFAULT_MIN_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;

/** A BridgeTransport over the headless host. */
export function createBrowserTransport(options: BrowserTransportOptions = {}): BridgeTransport {
  const extraHeaders = options.headers ?? {};
  const minDelay = options.reconnect?.minDelayMs ?? DEFAULT_MIN_DELAY_MS;
  const maxDelay = Math.max(minDelay, options.reconnect?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);

  const base = (): string => {
    const url = options.baseUrl ?? globalThis.location?.origin;
    if (url === undefined) throw new TesseraError('INTERNAL', 'createBrowserTransport needs a baseUrl outside a page');
    return url;
  };

  // ------------------------------------------------------------------------------------------
  // Events: one socket for every listener, open while there is at least one.

  const listeners = new ListenerSet(options.onListenerError);
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;

  const connect = (): void => {
    retryTimer = null;
    const Impl = options.WebSocketImpl ?? globalThis.WebSocket;
    const url = new URL('/events', base());
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws: WebSocket;
    try {
      ws = new Impl(url.href);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
    };
    ws.onmessage = (message: MessageEvent) => {
      if (socket === ws) deliver(message.data);
    };
    // An error is always followed by close, which decides about reconnecting.
    ws.onerror = () => {};
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (listeners.size > 0) scheduleReconnect();
    };
  };

  const scheduleReconnect = (): void => {
    // Exponential with "equal jitter": between half and all of the current ceiling, so a host
    // restart does not bring every open tab back in the same millisecond.
    const ceiling = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 30));
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  };

  const disconnect = (): void => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    attempt = 0;
    const ws = socket;
    socket = null;
    ws?.close(1000);
  };

  const deliver = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { event, payload } = message as { event?: unknown; payload?: unknown };
    if (typeof event === 'string') listeners.emit(event, payload);
  };

  return {
    async invoke(name, input) {
      let response: Response;
      try {
        response = await fetch(new URL(`/api/${encodeURIComponent(name)}`, base()), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { ...extraHeaders, 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
      } catch (error) {
        if (error instanceof TesseraError) throw error;
        throw new TesseraError('IO_ERROR', `${name}: the Tessera host could not be reached`, { cause: error });
      }
      let reply: unknown;
      try {
        reply = await response.json();
      } catch {
        reply = undefined;
      }
      if (isReply(reply)) {
        if (reply.ok) return reply.result;
        throw fromSerialized(reply.error);
      }
      throw new TesseraError(codeForStatus(response.status), `${name}: HTTP ${response.status} without a Tessera reply`);
    },

    subscribe(event: EventName, listener: (payload: unknown) => void) {
      const remove = listeners.add(event, listener);
      if (socket === null && retryTimer === null) connect();
      return () => {
        remove();
        if (listeners.size === 0) disconnect();
      };
    },
  };
}

/**
 * Sets `window.tessera` to the browser bridge, unless a bridge is already there (in Electron the
 * preload put it there first). Read-only afterwards, like contextBridge's, so a stray assignment
 * cannot swap the API out from under the renderer.
 */
export function installBrowserBridge(): void {
  if ((window as Partial<Window>).tessera !== undefined) return;
  const api: TesseraApi = createTesseraApi(createBrowserTransport());
  Object.defineProperty(window, 'tessera', { value: api, enumerable: true, configurable: true, writable: false });
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  return status >= 500 ? 'HTTP_5XX' : 'INTERNAL';
}
