/**
 * A fault-injecting HTTP proxy for tests and benchmarks (not shipped logic): it stands between a
 * client and a server (the Koop fixture, a second Tessera's STAC API) and, for a chosen share of requests, answers 503, 429 with
 * Retry-After, resets the connection, holds the answer past the client's timeout, answers HTTP 200
 * with an Esri error body, or cuts the body short (with its full Content-Length, or a shorter one).
 *
 * Seeded and keyed: whether (and how) a request fails depends on the seed, the request itself
 * (method, path, parameters without the token) and how many times that same request was seen, not
 * on the order in which concurrent requests arrive. The same seed gives the same faults every run.
 *
 * `down()` closes the listening socket (clients get ECONNREFUSED) until `up()`.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export const FAULTS = ['http-503', 'http-429', 'reset', 'slow', 'esri-error', 'truncated'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultProxyOptions {
  /** The upstream origin (http://127.0.0.1:PORT). */
  target: string;
  seed: number;
  /** Share of requests that fail, 0 to 1. */
  rate: number;
  faults?: readonly Fault[];
  /** How long a `slow` answer is held (longer than the client's timeout). */
  slowMs?: number;
  /** The Retry-After a 429 carries, in seconds. */
  retryAfterSeconds?: number;
  /**
   * The Host header sent upstream: the client's (default, as the Esri tests want it) or the
   * target's, as a reverse proxy in front of a server that checks its Host (Tessera's host) sends it.
   */
  upstreamHost?: 'client' | 'target';
}

export interface ProxiedRequest {
  at: number;
  key: string;
  /** 1 for the first time this exact request was seen. */
  occurrence: number;
  method: string;
  path: string;
  params: Record<string, string>;
  fault: Fault | null;
}

export interface FaultProxy {
  origin: string;
  port: number;
  log: ProxiedRequest[];
  injected: Record<Fault, number>;
  setRate(rate: number): void;
  /** Holds every answer this long first, as a distant server does (an outage can then land mid-layer). */
  setLatency(ms: number): void;
  /** Stops accepting connections (ECONNREFUSED) and drops the open ones. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** The same URL through the proxy. */
  via(url: string): string;
  close(): Promise<void>;
}

/** FNV-1a over a string, mixed with the seed: a stable 32-bit hash. */
function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche (murmur3's fmix32) so nearby keys spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function paramsOf(url: string, body: Buffer, contentType: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  const query = new URL(url, 'http://x').searchParams;
  const form = contentType?.includes('application/x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
  for (const source of [form, query]) for (const [k, v] of source) params[k] = k === 'token' ? '<token>' : v;
  return params;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults = options.faults ?? FAULTS;
  const slowMs = options.slowMs ?? 3000;
  const retryAfter = options.retryAfterSeconds ?? 1;
  let rate = options.rate;
  let latencyMs = 0;
  const seen = new Map<string, number>();
  const log: ProxiedRequest[] = [];
  const injected = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  let truncations = 0;

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      // Plain bodies upstream, so a cut is a cut in the JSON itself.
      const headers = {
        ...req.headers,
        'accept-encoding': 'identity',
        'content-length': String(body.byteLength),
        ...(options.upstreamHost === 'target' && { host: target.host }),
      };
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  const send = (res: ServerResponse, answer: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }) => {
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    headers['content-length'] = String(answer.body.byteLength);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const params = paramsOf(req.url ?? '/', body, req.headers['content-type']);
    const key = `${req.method} ${path} ${JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)))}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const roll = hash32(options.seed, `${key}#${occurrence}`) / 2 ** 32;
    const fault = roll < rate ? faults[hash32(options.seed ^ 0x5bd1e995, `${key}#${occurrence}`) % faults.length]! : null;
    log.push({ at: Date.now(), key, occurrence, method: req.method ?? 'GET', path, params, fault });
    if (fault) injected[fault]++;

    switch (fault) {
      case 'http-503':
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body><h1>503 Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>');
        return;
      case 'http-429':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(retryAfter) });
        res.end('Too Many Requests');
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'esri-error':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 500, message: 'Unable to complete operation.', details: ['Error performing query operation'] } }));
        return;
      case 'slow': {
        let gone = false;
        res.on('close', () => (gone = true));
        await sleep(slowMs);
        if (gone) return;
        break;
      }
      case 'truncated': {
        const answer = await forward(req, body);
        const cut = answer.body.subarray(0, Math.max(1, Math.floor(answer.body.byteLength / 2)));
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        if (truncations++ % 2 === 0) {
          // The full length announced, half sent, connection closed: the client sees the body end early.
          headers['content-length'] = String(answer.body.byteLength);
          res.writeHead(answer.status, headers);
          res.write(cut, () => res.socket?.destroy());
        } else {
          // A well-formed HTTP answer whose JSON stops halfway.
          send(res, { ...answer, headers, body: cut });
        }
        return;
      }
      case null:
        break;
    }
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      send(res, await forward(req, body));
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: upstream failed: ${(error as Error).message}`);
    }
  };

  let server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}`;
  let isDown = false;

  return {
    origin,
    port,
    log,
    injected,
    setRate: (r) => (rate = r),
    setLatency: (ms) => (latencyMs = ms),
    down: async () => {
      if (isDown) return;
      isDown = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    up: async () => {
      if (!isDown) return;
      server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      isDown = false;
    },
    via: (url) => url.replace(target.origin, origin),
    close: async () => {
      if (isDown) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
