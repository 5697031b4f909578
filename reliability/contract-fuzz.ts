/**
 * Family 3, contract fuzz: fast-check inputs for every request of the contract (its names come from
 * REQUEST_NAMES, so a new request is fuzzed without touching this file), sent through both bridges
 * (the headless host's POST /api/<name> with the token, and the IPC host's handler). Inputs are a
 * request's valid shape with one field replaced by a hostile value, or hostile values outright:
 * wrong types, huge strings, unicode, negative/NaN/infinite numbers, traversal paths, GDAL virtual
 * file paths, prototype-pollution keys; plus names that are not requests.
 *
 * Rules for every call: an answer within the time limit, no 5xx (IPC: no error whose code maps to
 * a 5xx), no process crash (uncaught exception or rejection), a rejection carries `{code, message,
 * details}`, and a BAD_INPUT's details list the offending field(s), named in its message too.
 * One exception: esri.discover's and stac.publish's upstream failures (IO_ERROR, TIMEOUT, HTTP_5XX… from the server it
 * was pointed at, here a closed port) are the remote side's, not a fault of the input.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { httpStatusForError } from '../main/hosts/http-security.js';
import { REQUEST_NAMES, type Reply, type RequestName } from '../shared/contract.js';
import type { SerializedError } from '../shared/errors.js';
import { type Bridges, rawRequest, startBridges } from './bridges.js';
import type { Family } from './harness.js';

/** A valid input for each request: the shape the mutations start from. */
const VALID: Record<RequestName, unknown> = {
  'app.info': {},
  'app.health': {},
  'workers.list': {},
  'jobs.list': { filter: { states: ['queued'], kinds: ['verify'], text: 'x', createdFrom: '2026-01-01T00:00:00Z' }, limit: 10 },
  'jobs.get': { id: 1 },
  'jobs.workers': { id: 1 },
  'jobs.items': { id: 1, states: ['failed'], limit: 10 },
  'jobs.events': { id: 1, afterId: 0, limit: 10 },
  'jobs.tileIssues': { id: 1, limit: 10 },
  'jobs.start': { kind: 'verify', params: { cache: '/tmp/none.mbtiles', minZoom: 0, maxZoom: 2 }, name: 'fuzz', priority: 0 },
  'jobs.estimate': {
    kind: 'preseed-raster',
    params: { datasets: ['/tmp/none.tif'], minZoom: 0, maxZoom: 1, output: '/tmp/rel-none/out.mbtiles', bbox: [-10, 40, 5, 50] },
  },
  'jobs.cancel': { ids: [1, 2] },
  'jobs.retry': { ids: [1] },
  'jobs.rerun': { id: 1 },
  'crs.search': { query: '4326', limit: 5 },
  'jobs.report': { id: 1, format: 'json' },
  'caches.open': { path: '/tmp/none.mbtiles' },
  'caches.list': {},
  'caches.add': { path: '/tmp/none.mbtiles' },
  'caches.remove': { path: '/tmp/none.mbtiles' },
  // Not a listed cache: refused before anything is touched.
  'caches.delete': { path: '/tmp/none.mbtiles' },
  'catalog.list': { text: 'a', kind: 'vector', limit: 5 },
  'catalog.get': { id: 1 },
  'catalog.previewTiles': { id: 1 },
  'catalog.delete': { ids: [4242] },
  'esri.discover': { url: 'http://127.0.0.1:1/arcgis/rest/services/x/FeatureServer' },
  'credentials.save': { url: 'http://127.0.0.1:1/arcgis', token: 'abc' },
  'storage.status': {},
  'queue.get': {},
  'queue.pause': {},
  'queue.resume': {},
  'settings.get': {},
  'settings.update': { retentionDays: 30 },
  'plans.sources': {},
  'plans.check': { source: '/tmp/none-plans' },
  'plans.apply': { source: '/tmp/none-plans' },
  'plans.fromJob': { id: 1 },
  'plans.fromInput': { kind: 'verify', params: { cache: '/tmp/none.mbtiles' } },
  'plans.save': { source: '/tmp/none-plans', fileName: 'x.yaml', yaml: 'name: x' },
  'stac.export': { directory: '/tmp/none-stac-export' },
  'stac.search': { collections: ['tile-caches'], bbox: [-10, 40, 5, 50], datetime: '2026-01-01T00:00:00Z/..', limit: 5 },
  'stac.transaction': { target: 'item', action: 'delete', collection: 'none', item: 'none' },
  'stac.publish': { url: 'http://127.0.0.1:1/stac' },
  'stac.publishTarget': {},
  'stac.setPublishTarget': { url: null },
};

const HOSTILE_STRINGS = [
  '',
  ' ',
  '../../../../etc/passwd',
  '/etc/passwd',
  '/proc/self/environ',
  '..\\..\\windows\\system32',
  '/vsicurl/http://127.0.0.1:1/x.tif',
  '/vsizip//etc/passwd',
  'upload:../../secret',
  'upload:',
  '-skipfailures',
  '--help',
  '$(touch /tmp/rel-pwned)',
  '`id`',
  '; rm -rf /',
  'a\u0000b',
  '\u202e\u0644\u0000\ud83d\ude00',
  '\ud800',
  'é'.repeat(200),
  'x'.repeat(70_000),
  '__proto__',
  'constructor',
  'NaN',
  '1e309',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'http://[::1]:1/',
];

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** A hostile value: any JSON-ish thing, with the nasty cases weighted in. */
function hostileValue(ipc: boolean): fc.Arbitrary<unknown> {
  const numbers = fc.oneof(
    fc.constantFrom(-1, 0, -0, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE),
    fc.integer(),
    fc.double(),
    ...(ipc ? [fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)] : []),
  );
  const strings = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 20 }));
  const extra = ipc
    ? [fc.constant(undefined), fc.bigInt(), fc.date({ noInvalidDate: false }), fc.constant(new Map([['a', 1]])), fc.constant(new Uint8Array(3))]
    : [];
  const leaf = fc.oneof(numbers, strings, fc.boolean(), fc.constant(null), ...extra);
  return fc.oneof(
    { weight: 5, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ maxLength: 8 })), leaf, { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.constant(deepNest(200)) },
  );
}

function deepNest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Every key path of a value (objects and arrays), for mutations. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const out: (string | number)[][] = [prefix];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
  return out;
}

/** A copy of `base` with the value at `path` replaced (or a key added beside it). */
function mutate(base: unknown, path: (string | number)[], replacement: unknown, addKey: string | null): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  if (path.length === 0) return addKey === null ? replacement : Object.assign(copy ?? {}, JSON.parse(`{${JSON.stringify(addKey)}:1}`));
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (addKey !== null && typeof node[last] === 'object' && node[last] !== null) {
    // JSON.parse makes an own "__proto__" key, as a hostile body would.
    Object.assign(node[last] as object, JSON.parse(`{${JSON.stringify(addKey)}:{"polluted":true}}`));
  } else node[last] = replacement;
  return copy;
}

interface Call {
  name: string;
  input: unknown;
}

function callArbitrary(ipc: boolean): fc.Arbitrary<Call> {
  const names = fc.constantFrom(...REQUEST_NAMES);
  const structured = names.chain((name) => {
    const base = VALID[name];
    const all = paths(base);
    return fc.record({
      name: fc.constant(name as string),
      input: fc
        .tuple(fc.constantFrom(...all), hostileValue(ipc), fc.option(fc.constantFrom(...POLLUTION_KEYS, 'extra', 'é'.repeat(50)), { freq: 4 }))
        .map(([path, value, addKey]) => mutate(base, path, value, addKey)),
    });
  });
  const outright = fc.record({ name: names.map((n) => n as string), input: hostileValue(ipc) });
  const badNames = fc.record({
    name: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'jobs', 'jobs.', 'jobs.list.x', '../app.info', 'app.info\u0000', 'APP.INFO'),
      fc.string({ maxLength: 30 }),
    ),
    input: fc.constant({}),
  });
  const valid = names.map((name) => ({ name: name as string, input: VALID[name] }));
  return fc.oneof(
    { weight: 6, arbitrary: structured },
    { weight: 2, arbitrary: outright },
    { weight: 1, arbitrary: badNames },
    { weight: 1, arbitrary: valid },
  );
}

const UPSTREAM_CODES = new Set(['IO_ERROR', 'TIMEOUT', 'HTTP_429', 'HTTP_5XX', 'UNAUTHORIZED']);

/** What is wrong with one reply (null: nothing). */
function judge(reply: unknown, status: number | null, name: string): string | null {
  const code = (reply as { error?: { code?: string } } | null)?.error?.code;
  // esri.discover reaches out to a server: that server being unreachable is not the caller's input fault.
  if ((name === 'esri.discover' || name === 'stac.publish') && code !== undefined && UPSTREAM_CODES.has(code)) return null;
  if (status !== null && status >= 500) return `HTTP ${status}: ${JSON.stringify(reply).slice(0, 300)}`;
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) return `not a Reply: ${JSON.stringify(reply)?.slice(0, 200)}`;
  const r = reply as Reply<unknown>;
  if (r.ok) return status !== null && status !== 200 ? `ok reply with HTTP ${status}` : null;
  const e = r.error as SerializedError | undefined;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') return `a rejection without {code, message}: ${JSON.stringify(r).slice(0, 200)}`;
  const wanted = httpStatusForError(e.code);
  if (wanted >= 500) return `${e.code} (a ${wanted}): ${e.message.slice(0, 300)}`;
  if (status !== null && status !== wanted) return `${e.code} answered with HTTP ${status}, not ${wanted}`;
  if (status !== null && (status < 400 || status >= 500)) return `a rejection with HTTP ${status}`;
  if (!('details' in e) || e.details === undefined) return `a ${e.code} rejection without details: ${e.message.slice(0, 200)}`;
  if (e.code === 'BAD_INPUT' && name.length > 0) {
    const issues = (e.details as { issues?: { field?: unknown; message?: unknown }[] } | null)?.issues;
    if (!Array.isArray(issues) || issues.length === 0) return `BAD_INPUT without details.issues: ${e.message.slice(0, 200)}`;
    const unnamed = issues.find((i) => typeof i.field !== 'string' || i.field.length === 0 || typeof i.message !== 'string');
    if (unnamed) return `BAD_INPUT issue without a field name: ${JSON.stringify(unnamed).slice(0, 200)}`;
    if (!e.message.includes(String(issues[0]!.field)))
      return `BAD_INPUT message does not name the field ${String(issues[0]!.field)}: ${e.message.slice(0, 200)}`;
  }
  return null;
}

export const contractFuzzFamily: Family = async (ctx, options) => {
  const perBridge = Math.ceil(options.fuzzCalls / 2);
  const crashes: string[] = [];
  const onCrash = (error: unknown) => crashes.push(`uncaught: ${String(error).slice(0, 300)}`);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let bridges: Bridges | null = null;
  try {
    bridges = await startBridges(join(ctx.scratch, 'fuzz'), 7701);
    const b = bridges;
    const headers = { Authorization: `Bearer ${b.host.token}`, Origin: b.host.origin, 'Content-Type': 'application/json' };
    ctx.log(`${perBridge} calls per bridge, fast-check seed ${ctx.seed} (run seed ${options.seed})`);

    for (const bridge of ['http', 'ipc'] as const) {
      const samples = fc.sample(callArbitrary(bridge === 'ipc'), { numRuns: perBridge, seed: subSeedFor(ctx.seed, bridge) });
      const failures: string[] = [];
      const byRule = new Map<string, number>();
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < samples.length; i = next++) {
          const call = samples[i]!;
          const label = `${bridge} #${i} ${call.name.slice(0, 40)}`;
          const internalBefore = b.internalErrors.length;
          let problem: string | null;
          try {
            if (bridge === 'http') {
              const res = await rawRequest(b.host.port, {
                method: 'POST',
                path: `/api/${encodeURIComponent(call.name)}`,
                headers,
                body: JSON.stringify(call.input) ?? '',
                timeoutMs: 15_000,
              });
              let body: unknown;
              try {
                body = JSON.parse(res.body);
              } catch {
                body = res.body;
              }
              problem = res.status === 404 && !REQUEST_NAMES.includes(call.name as RequestName) ? judgeUnknown(body) : judge(body, res.status, call.name);
            } else {
              const reply = await withTimeout(b.ipcInvoke(call.name, call.input), 15_000);
              problem = judge(reply, null, call.name);
            }
          } catch (error) {
            problem = `no answer: ${String(error).slice(0, 200)}`;
          }
          if (problem === null && b.internalErrors.length > internalBefore)
            problem = `the dispatcher reported an internal error: ${b.internalErrors[b.internalErrors.length - 1]}`;
          if (problem) {
            const rule = `${call.name.slice(0, 30)}: ${problem.replace(/\d+/g, 'N').slice(0, 80)}`;
            byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
            if ((byRule.get(rule) ?? 0) <= 3) failures.push(`${label}: ${problem} (input ${JSON.stringify(call.input, bigintSafe)?.slice(0, 160)})`);
            else failures.push(`${label}: ${problem.slice(0, 120)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      ctx.tally(samples.length - failures.length, failures);
      ctx.log(`${bridge}: ${samples.length} calls, ${failures.length} failed, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (byRule.size)
        ctx.note(
          `${bridge} failures by kind: ${[...byRule]
            .sort((a, c) => c[1] - a[1])
            .slice(0, 8)
            .map(([r, n]) => `${n}× ${r}`)
            .join(' | ')}`,
        );
    }
    // Still alive and answering after all that.
    const info = await b.ipcInvoke('app.info', {});
    ctx.tally(info.ok ? 1 : 0, info.ok ? [] : ['the engine no longer answers app.info after the fuzz']);
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    await bridges?.close();
  }
  ctx.tally(0, crashes);
};

function judgeUnknown(body: unknown): string | null {
  const e = (body as { error?: SerializedError })?.error;
  if (e?.code !== 'UNKNOWN_REQUEST' && e?.code !== 'NOT_FOUND') return `an unknown request answered ${JSON.stringify(body).slice(0, 200)}`;
  return e.details === undefined ? `a ${e.code} rejection of an unknown request without details: ${e.message.slice(0, 200)}` : null;
}

function subSeedFor(seed: number, name: string): number {
  let h = seed;
  for (const c of name) h = (Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0) & 0x7fffffff;
  return h;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(
    () => clearTimeout(timer),
  );
}
