import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.js';
import {
  type OriginFacts,
  SESSION_COOKIE,
  acceptedHosts,
  authenticate,
  bearerToken,
  cacheControlFor,
  checkOrigin,
  contentSecurityPolicy,
  contentTypeFor,
  cookieValues,
  generateToken,
  httpStatusForError,
  isAcceptedHost,
  isInside,
  isJsonContentType,
  isLoopbackHost,
  originForHost,
  resolveStaticPath,
  securityHeaders,
  sessionCookie,
  tokenMatches,
} from './http-security.js';

test('tokens are 32 random bytes in base64url, new each time', () => {
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.notEqual(a, generateToken());
});

test('tokenMatches accepts only the exact token, whatever the length of the guess', () => {
  const token = generateToken();
  assert.equal(tokenMatches(token, token), true);
  assert.equal(tokenMatches(`${token}x`, token), false);
  assert.equal(tokenMatches(token.slice(0, -1), token), false);
  assert.equal(tokenMatches('', token), false);
  assert.equal(tokenMatches(undefined, token), false);
  assert.equal(tokenMatches('', ''), false, 'an empty token never authenticates');
});

test('cookies and bearer headers are parsed strictly', () => {
  assert.deepEqual(cookieValues(`a=1; ${SESSION_COOKIE}=abc; ${SESSION_COOKIE}=def`, SESSION_COOKIE), ['abc', 'def']);
  assert.deepEqual(cookieValues(`x${SESSION_COOKIE}=abc`, SESSION_COOKIE), []);
  assert.deepEqual(cookieValues(undefined, SESSION_COOKIE), []);
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer   abc  '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
});

test('authenticate tells bearer from cookie, and a tossed extra cookie does not lock the user out', () => {
  const token = generateToken();
  assert.equal(authenticate({ authorization: `Bearer ${token}` }, token), 'bearer');
  assert.equal(authenticate({ cookie: `${SESSION_COOKIE}=${token}` }, token), 'cookie');
  assert.equal(authenticate({ cookie: `${SESSION_COOKIE}=forged; ${SESSION_COOKIE}=${token}` }, token), 'cookie');
  assert.equal(authenticate({ cookie: `${SESSION_COOKIE}=forged`, authorization: 'Bearer nope' }, token), null);
  assert.equal(authenticate({}, token), null);
});

test('the session cookie is HttpOnly, SameSite=Strict, for the whole site', () => {
  assert.equal(sessionCookie('T'), `${SESSION_COOKIE}=T; HttpOnly; SameSite=Strict; Path=/`);
});

test('acceptedHosts: the loopback spellings, the bound address, and allowed names with the port', () => {
  const hosts = acceptedHosts(7340, '127.0.0.1', ['tessera.lan', 'Proxy.Example:8443', 'fe80::1']);
  assert.deepEqual([...hosts].sort(), ['127.0.0.1:7340', '[::1]:7340', '[fe80::1]:7340', 'localhost:7340', 'proxy.example:8443', 'tessera.lan:7340']);
  assert.ok(acceptedHosts(7340, '192.168.1.5').has('192.168.1.5:7340'));
  assert.ok(!acceptedHosts(7340, '0.0.0.0').has('0.0.0.0:7340'), 'a wildcard is not a host name');
  assert.ok(acceptedHosts(80, '127.0.0.1').has('localhost'), 'browsers leave the default port out');
});

test('isAcceptedHost refuses DNS-rebinding names, other ports and malformed headers', () => {
  const hosts = acceptedHosts(7340, '127.0.0.1');
  for (const ok of ['127.0.0.1:7340', 'LOCALHOST:7340', '[::1]:7340']) assert.equal(isAcceptedHost(ok, hosts), true, ok);
  for (const bad of [
    undefined,
    '',
    'evil.com:7340',
    '127.0.0.1.nip.io:7340',
    'localhost.:7340',
    '127.0.0.1',
    '127.0.0.1:7341',
    'localhost:7340@evil.com',
    'user@localhost:7340',
    '0.0.0.0:7340',
  ]) {
    assert.equal(isAcceptedHost(bad, hosts), false, String(bad));
  }
});

test('isLoopbackHost', () => {
  for (const h of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '127.0.0.1.nip.io']) assert.equal(isLoopbackHost(h), false, h);
});

const facts = (over: Partial<OriginFacts>): OriginFacts => ({
  method: 'GET',
  host: '127.0.0.1:7340',
  origin: undefined,
  secFetchSite: undefined,
  secFetchMode: undefined,
  upgrade: false,
  auth: 'cookie',
  ...over,
});

test('checkOrigin: only our own origin, required on upgrades and on cookie POSTs', () => {
  assert.equal(originForHost('127.0.0.1:7340'), 'http://127.0.0.1:7340');
  assert.equal(originForHost('localhost:80'), 'http://localhost');

  const allowed: Partial<OriginFacts>[] = [
    { method: 'GET' },
    { method: 'POST', origin: 'http://127.0.0.1:7340' },
    { method: 'POST', origin: 'HTTP://127.0.0.1:7340' },
    { method: 'POST', auth: 'bearer' },
    { method: 'POST', auth: null },
    { upgrade: true, origin: 'http://127.0.0.1:7340', secFetchSite: 'same-origin' },
    { secFetchSite: 'none', secFetchMode: 'navigate' },
    { secFetchSite: 'same-site', secFetchMode: 'navigate' },
    { host: 'localhost:7340', method: 'POST', origin: 'http://localhost:7340' },
  ];
  for (const f of allowed) assert.equal(checkOrigin(facts(f)).ok, true, JSON.stringify(f));

  const refused: Partial<OriginFacts>[] = [
    { method: 'POST', origin: 'http://evil.com' },
    { method: 'POST', origin: 'null' },
    { method: 'POST', origin: 'http://localhost:7340' }, // the Host used was 127.0.0.1:7340
    { method: 'POST', origin: 'https://127.0.0.1:7340' },
    { method: 'GET', origin: 'http://127.0.0.1:8080' },
    { method: 'POST' }, // cookie, no Origin
    { method: 'DELETE' },
    { upgrade: true },
    { upgrade: true, origin: 'http://evil.com' },
    { upgrade: true, origin: 'http://127.0.0.1:7340', secFetchSite: 'same-site' },
    { secFetchSite: 'cross-site' },
    { secFetchSite: 'cross-site', secFetchMode: 'navigate', auth: null },
    { secFetchSite: 'same-site', secFetchMode: 'cors' },
    { method: 'POST', auth: 'bearer', origin: 'http://evil.com' },
  ];
  for (const f of refused) assert.equal(checkOrigin(facts(f)).ok, false, JSON.stringify(f));
});

test('resolveStaticPath refuses traversal in every spelling', () => {
  for (const raw of [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%5csecret.txt',
    '/..\\secret.txt',
    '/.env',
    '/assets/.hidden.js',
    '/a/%00.js',
    '/C:%5cWindows%5cwin.ini',
    '/%E0%A4%A.js',
    'index.html',
  ]) {
    assert.equal(resolveStaticPath(raw).kind, 'refused', raw);
  }
});

test('resolveStaticPath: files by extension, everything else is a page of the single-page app', () => {
  assert.deepEqual(resolveStaticPath('/'), { kind: 'page' });
  assert.deepEqual(resolveStaticPath('/jobs/42'), { kind: 'page' });
  assert.deepEqual(resolveStaticPath('/index.html'), { kind: 'file', segments: ['index.html'] });
  assert.deepEqual(resolveStaticPath('/assets/app-1a2b.js'), { kind: 'file', segments: ['assets', 'app-1a2b.js'] });
  assert.deepEqual(resolveStaticPath('//assets//my%20font.woff2'), { kind: 'file', segments: ['assets', 'my font.woff2'] });
});

test('isInside confines to the directory', () => {
  const root = path.resolve('/srv/renderer');
  assert.equal(isInside(root, path.join(root, 'index.html')), true);
  assert.equal(isInside(root, path.join(root, 'assets', 'a.js')), true);
  assert.equal(isInside(root, root), false);
  assert.equal(isInside(root, path.resolve('/srv/renderer-evil/x')), false);
  assert.equal(isInside(root, path.resolve('/etc/passwd')), false);
});

test('content types and cache headers', () => {
  const expected: [string, string][] = [
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['a.wasm', 'application/wasm'],
    ['a.png', 'image/png'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.exe', 'application/octet-stream'],
  ];
  for (const [file, type] of expected) assert.equal(contentTypeFor(file), type, file);
  assert.equal(cacheControlFor(['assets', 'app-1a2b.js']), 'private, max-age=31536000, immutable');
  assert.equal(cacheControlFor(['index.html']), 'no-cache');
  assert.equal(cacheControlFor(['favicon.svg']), 'no-cache');
});

test('security headers: the shell CSP plus our WebSocket origin, and no CORS', () => {
  assert.equal(contentSecurityPolicy(null), CONTENT_SECURITY_POLICY);
  const csp = contentSecurityPolicy('127.0.0.1:7340');
  assert.match(csp, /connect-src [^;]*'self'[^;]* ws:\/\/127\.0\.0\.1:7340/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  const headers = securityHeaders('127.0.0.1:7340');
  assert.equal(headers['X-Content-Type-Options'], 'nosniff');
  assert.equal(headers['Referrer-Policy'], 'no-referrer');
  assert.equal(headers['X-Frame-Options'], 'DENY');
  assert.equal(headers['Cross-Origin-Opener-Policy'], 'same-origin');
  assert.equal(headers['Cross-Origin-Resource-Policy'], 'same-origin');
  assert.ok(!Object.keys(headers).some((h) => h.toLowerCase().startsWith('access-control-')));
});

test('JSON content type and HTTP status by error code', () => {
  assert.equal(isJsonContentType('application/json'), true);
  assert.equal(isJsonContentType('Application/JSON; charset=utf-8'), true);
  assert.equal(isJsonContentType('text/plain'), false);
  assert.equal(isJsonContentType('application/json-seq'), false);
  assert.equal(isJsonContentType(undefined), false);
  assert.equal(httpStatusForError('BAD_INPUT'), 400);
  assert.equal(httpStatusForError('BAD_CURSOR'), 400);
  assert.equal(httpStatusForError('NOT_FOUND'), 404);
  assert.equal(httpStatusForError('UNKNOWN_REQUEST'), 404);
  assert.equal(httpStatusForError('ILLEGAL_TRANSITION'), 409);
  assert.equal(httpStatusForError('DATA_DIR_LOCKED'), 409);
  assert.equal(httpStatusForError('INTERNAL'), 500);
  assert.equal(httpStatusForError('QUEUE_FULL'), 500);
});
