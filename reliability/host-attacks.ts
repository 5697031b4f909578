/**
 * Family 4, attacks on the headless host (a real engine behind it, as `tessera serve` runs it):
 * Host and Origin mismatches, DNS rebinding, missing and wrong tokens, cross-site and form POSTs,
 * WebSocket upgrades from other origins, traversal on static and tile routes, oversized bodies and
 * slow connections. A representative set that runs in seconds; each case names the rule it checks.
 */
import net from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { type Bridges, type RawResponse, rawRequest, startBridges } from './bridges.js';
import { type Family, sleep } from './harness.js';

type Case = [name: string, run: () => Promise<string | null>];

const SLOW_LIMIT_MS = 45_000;
const SECRET = /TOP-SECRET|root:x:0:0|PATH=/;

export const hostAttackFamily: Family = async (ctx) => {
  let b: Bridges | null = null;
  try {
    b = await startBridges(join(ctx.scratch, 'host'), 7702);
    const bridges = b;
    const port = bridges.host.port;
    const own = `127.0.0.1:${port}`;
    const origin = `http://${own}`;
    const auth = { Authorization: `Bearer ${bridges.host.token}` };
    const cookie = { Cookie: `tessera_session=${bridges.host.token}` };
    const post = (path: string, headers: Record<string, string>, body = '{}') => rawRequest(port, { method: 'POST', path, headers, body, keepAlive: false });
    const get = (path: string, headers: Record<string, string> = auth) => rawRequest(port, { path, headers, keepAlive: false });
    const status = (res: RawResponse, allowed: number[], what: string) =>
      allowed.includes(res.status) && !SECRET.test(res.body)
        ? null
        : `${what}: HTTP ${res.status} (wanted ${allowed.join('/')})${SECRET.test(res.body) ? ' AND THE SECRET LEAKED' : ''}: ${res.body.slice(0, 120)}`;
    const json = { 'Content-Type': 'application/json' };

    // Slow connections first, left open while the other cases run: the host must keep answering.
    const slow = Array.from({ length: 40 }, () => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.resume();
      s.write(`GET / HTTP/1.1\r\nHost: ${own}\r\nX-Slow: `);
      return s;
    });

    const cases: Case[] = [
      [
        'sanity: the token opens app.info',
        async () => status(await post('/api/app.info', { ...auth, ...json, Origin: origin }), [200], 'own origin with the token'),
      ],
      [
        'Host of another site (DNS rebinding) with the token',
        async () => status(await post('/api/app.info', { ...auth, ...json, Host: `evil.example:${port}` }), [403], 'rebinding Host'),
      ],
      ['Host of another port', async () => status(await post('/api/app.info', { ...auth, ...json, Host: '127.0.0.1:1' }), [403], 'Host with another port')],
      [
        'Host that only starts like loopback',
        async () => status(await get('/', { ...cookie, Host: `127.0.0.1.evil.example:${port}` }), [403], 'look-alike Host'),
      ],
      [
        'no Host header',
        async () =>
          status(
            await rawRequest(port, { path: '/api/app.info', method: 'POST', headers: { Host: '', ...auth, ...json }, body: '{}', keepAlive: false }),
            [400, 403],
            'empty Host',
          ),
      ],
      [
        'cross-site Origin with the cookie',
        async () => status(await post('/api/queue.resume', { ...cookie, ...json, Origin: 'http://evil.example' }), [403], 'cross-site POST'),
      ],
      ['Origin null with the cookie', async () => status(await post('/api/queue.resume', { ...cookie, ...json, Origin: 'null' }), [403], 'Origin null')],
      [
        'Sec-Fetch-Site cross-site, no Origin',
        async () => status(await post('/api/queue.resume', { ...cookie, ...json, 'Sec-Fetch-Site': 'cross-site' }), [403], 'Fetch Metadata cross-site'),
      ],
      [
        'form POST (text/plain) with the cookie',
        async () => status(await post('/api/queue.resume', { ...cookie, 'Content-Type': 'text/plain', Origin: origin }), [403, 415], 'text/plain POST'),
      ],
      [
        'form POST (urlencoded) with the cookie',
        async () =>
          status(
            await post('/api/queue.resume', { ...cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin }, 'a=1'),
            [403, 415],
            'form POST',
          ),
      ],
      ['no token', async () => status(await post('/api/app.info', { ...json, Origin: origin }), [401], 'no token')],
      ['wrong token', async () => status(await post('/api/app.info', { ...json, Authorization: `Bearer ${'x'.repeat(43)}` }), [401], 'wrong bearer')],
      ['wrong cookie', async () => status(await post('/api/app.info', { ...json, Origin: origin, Cookie: 'tessera_session=nope' }), [401], 'wrong cookie')],
      [
        'token in the query of an API call',
        async () => status(await post(`/api/app.info?token=${bridges.host.token}`, { ...json, Origin: origin }), [401], 'query token on /api'),
      ],
      ['GET of a request (a link or <img> firing it)', async () => status(await get('/api/queue.resume'), [405], 'GET /api')],
      [
        'CORS preflight',
        async () => {
          const res = await rawRequest(port, {
            method: 'OPTIONS',
            path: '/api/app.info',
            headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
            keepAlive: false,
          });
          return Object.keys(res.headers).some((h) => h.startsWith('access-control-')) ? `a preflight got CORS headers: ${JSON.stringify(res.headers)}` : null;
        },
      ],
      ['metrics without a token', async () => status(await get('/metrics', {}), [401], 'metrics without token')],
      [
        'oversized body (2 MiB)',
        async () =>
          status(
            await post('/api/app.info', { ...auth, ...json }, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })).catch((e) => ({
              status: 413,
              headers: {},
              body: String(e),
            })),
            [413],
            'oversized body',
          ),
      ],
      [
        'declared Content-Length of 1 GiB',
        async () => {
          const res = await new Promise<string>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () =>
              s.write(
                `POST /api/app.info HTTP/1.1\r\nHost: ${own}\r\nAuthorization: Bearer ${bridges.host.token}\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{`,
              ),
            );
            let data = '';
            s.on('data', (d) => (data += d));
            s.on('close', () => resolve(data));
            s.on('error', () => resolve(data));
            setTimeout(() => s.destroy(), 5000);
          });
          return /^HTTP\/1\.1 413/.test(res) ? null : `a 1 GiB Content-Length got: ${res.slice(0, 80) || '(nothing within 5 s)'}`;
        },
      ],
      ...[
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/assets/..%2f..%2fsecret.txt',
        '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
        '//etc/passwd',
        '/assets/..%252f..%252fsecret.txt',
        '/%00/../secret.txt',
        '/assets/app.js%00.html',
        '/..;/secret.txt',
        '/assets/%c0%ae%c0%ae/secret.txt',
      ].map((path): Case => [`static traversal ${path}`, async () => status(await get(path), [200, 400, 404], `static ${path}`)]),
      ...[
        '/tiles/../../../etc/passwd',
        '/tiles/%2e%2e/%2e%2e/0/0/0',
        '/tiles/..%2f..%2f..%2fetc%2fpasswd/0/0/0',
        '/tiles/x/0/0/0',
        '/tiles/x/-1/0/0',
        '/tiles/x/99/99999999999/0',
        '/tiles/%00/0/0/0',
      ].map((path): Case => [`tile route ${path}`, async () => status(await get(path), [400, 404], `tile ${path}`)]),
      ...[
        ['Origin of another site', { Origin: 'http://evil.example', ...cookie }],
        ['no token', { Origin: origin }],
        ['rebinding Host', { Origin: `http://evil.example:${port}`, Host: `evil.example:${port}`, ...cookie }],
      ].map(
        ([what, headers]): Case => [
          `WebSocket upgrade refused: ${what as string}`,
          async () => {
            const outcome = await wsOutcome(port, headers as Record<string, string>);
            return outcome === 'open' ? `a WebSocket from ${what as string} was accepted` : null;
          },
        ],
      ),
      [
        'WebSocket upgrade accepted for the app itself',
        async () => ((await wsOutcome(port, { Origin: origin, ...cookie })) === 'open' ? null : 'the app page could not open /events'),
      ],
      [
        'answers within 2 s while 40 slow connections hang',
        async () => {
          const t0 = performance.now();
          const res = await post('/api/app.info', { ...auth, ...json });
          const ms = performance.now() - t0;
          return res.status === 200 && ms < 2000 ? null : `HTTP ${res.status} after ${ms.toFixed(0)} ms`;
        },
      ],
    ];
    const failures: string[] = [];
    for (const [name, run] of cases) {
      try {
        const problem = await run();
        if (problem) failures.push(`${name}: ${problem}`);
      } catch (error) {
        failures.push(`${name}: ${String(error).slice(0, 200)}`);
      }
    }
    ctx.tally(cases.length - failures.length, failures);

    ctx.tally(
      bridges.internalErrors.length === 0 ? 1 : 0,
      bridges.internalErrors.length === 0 ? [] : [`internal errors during the attacks: ${bridges.internalErrors.slice(0, 3).join(' | ')}`],
    );
    // The slow connections must be cut: headersTimeout is 10 s, and Node checks it every
    // connectionsCheckingInterval (30 s), so a stalled connection lives up to about 40 s. That wait
    // runs in the background, beside the next families; the host closes when it is over.
    b = null;
    ctx.background('40 slow connections are cut by the host', SLOW_LIMIT_MS + 10_000, async () => {
      try {
        const t0 = performance.now();
        while (slow.some((s) => !s.destroyed && !s.readableEnded) && performance.now() - t0 < SLOW_LIMIT_MS) await sleep(250);
        const open = slow.filter((s) => !s.destroyed && !s.readableEnded).length;
        ctx.log(`slow connections: ${40 - open} of 40 cut after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        if (open > 0) throw new Error(`${open} of 40 slow connections still open ${SLOW_LIMIT_MS / 1000} s after their headers stalled`);
      } finally {
        for (const s of slow) s.destroy();
        await bridges.close();
      }
    });
  } finally {
    await b?.close();
  }
};

function wsOutcome(port: number, headers: Record<string, string>): Promise<'open' | number | string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers: { Host: `127.0.0.1:${port}`, ...headers }, handshakeTimeout: 5000 });
    ws.on('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (e) => resolve(String(e)));
  });
}
