/**
 * The headless host's event stream: a WebSocket at `/events` pushing `{ event, payload }` for every
 * engine event. One bus subscription serves every client; a client that misses a heartbeat or lets
 * too much wait unsent is dropped (it reconnects and refetches), and connections are capped.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus } from '../engine/event-bus.js';
import type { HostLogger } from './headless-host.js';
import type { AuthKind } from './http-security.js';
import { refuseUpgrade } from './http-responses.js';

export interface EventStreamOptions {
  events: Pick<EventBus, 'onAny'>;
  log: HostLogger;
  /** Ping interval; a client that missed the previous ping is terminated. */
  heartbeatMs: number;
  /** A client with more than this many bytes waiting to be sent is dropped. */
  maxBufferedBytes: number;
  /** At most this many connections at once; more are refused with 503. */
  maxClients: number;
}

export interface EventStream {
  /** Takes an upgrade that passed the host's gate (Host and Origin); `auth` null: no token shown. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, auth: AuthKind): void;
  /** Stops the heartbeat, unsubscribes from the bus and ends every connection. */
  close(): Promise<void>;
}

export function createEventStream(o: EventStreamOptions): EventStream {
  const { log } = o;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();

  // One subscription for all clients: each event is serialised once, however many tabs are open.
  const unsubscribe = o.events.onAny((event, payload) => {
    if (wss.clients.size === 0) return;
    const frame = JSON.stringify({ event, payload });
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A stuck tab must not grow our memory: drop it, and it reconnects and refetches when it wakes.
      if (ws.bufferedAmount > o.maxBufferedBytes) {
        log.warn('headless host: dropping a slow event client', { bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      ws.send(frame);
    }
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        log.debug('headless host: terminating an unresponsive event client');
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, o.heartbeatMs);
  heartbeat.unref();

  return {
    upgrade(req, socket, head, auth) {
      const rawPath = (req.url ?? '').split('?')[0];
      if (rawPath !== '/events')
        return refuseUpgrade(socket, 404, 'NOT_FOUND', 'WebSockets are served at /events only.', { path: (rawPath ?? '').slice(0, 200) });
      if (auth === null) return refuseUpgrade(socket, 401, 'UNAUTHORIZED', 'Open the URL printed by `tessera serve` first.');
      if (wss.clients.size >= o.maxClients) return refuseUpgrade(socket, 503, 'INTERNAL', 'Too many event connections.');
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.add(ws);
        ws.on('pong', () => alive.add(ws));
        // Requests go over POST; anything a client sends here is read and dropped.
        ws.on('error', (error) => log.debug('headless host: event client error', { error: String(error) }));
      });
    },
    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
