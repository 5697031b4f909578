import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { CredentialStore, sameServer } from './credential-store.js';
import { FileKeyCipher, type SecretCipher } from './secret-cipher.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-credentials-'));
after(() => rmSync(root, { recursive: true, force: true }));
const never = (): Promise<Record<string, unknown>> => Promise.reject(new Error('no network in this test'));
const signal = new AbortController().signal;

test('a saved token is sealed at rest (0600 files, no secret in clear) and comes back by id only', async () => {
  const dir = mkdtempSync(join(root, 'a-'));
  const store = new CredentialStore(dir);
  const token = 'AbCdEf0123456789-token-value';
  const { id } = await store.save({ url: 'https://gis.example.org/arcgis/rest/services/Secure/FeatureServer?f=json', token });
  assert.match(id, /^cred_[0-9a-f]{24}$/);
  const file = readFileSync(join(dir, 'credentials.json'), 'utf8');
  assert.ok(!file.includes(token), 'the token is not in the file in clear');
  assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'credentials.key')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['credentials.json', 'credentials.key'], 'no temp file left behind');
  assert.deepEqual(
    { ...store.info(id), createdAt: '' },
    { id, url: 'https://gis.example.org/arcgis/rest/services/Secure/FeatureServer', kind: 'token', createdAt: '' },
  );

  // A new store (another process) opens it with the key beside it.
  const source = await new CredentialStore(dir).tokenSource(id, 'https://gis.example.org/arcgis/rest/services/Secure/FeatureServer/0/query', never);
  assert.equal(await source.token(signal), token);
  assert.equal(await source.renew(signal), false, 'a pasted token cannot be renewed');
  assert.deepEqual(source.secrets(), [token]);
});

test('a credential is not sent to another server, and a tampered file or a wrong key says so', async () => {
  const dir = mkdtempSync(join(root, 'b-'));
  const store = new CredentialStore(dir);
  const { id } = await store.save({ url: 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', token: 'secret-token-1' });
  await assert.rejects(
    store.tokenSource(id, 'https://evil.example.net/arcgis/rest/services/A/FeatureServer', never),
    (e: unknown) => e instanceof TesseraError && e.code === 'FORBIDDEN' && /not sent to another server/.test(e.message),
  );
  await assert.rejects(
    store.tokenSource(id, 'http://gis.example.org/arcgis/rest/services/A/FeatureServer', never),
    /FORBIDDEN|not sent/,
    'never downgraded to http',
  );
  await assert.rejects(store.tokenSource('cred_nope', 'https://gis.example.org/x', never), (e: unknown) => e instanceof TesseraError && e.code === 'NOT_FOUND');

  writeFileSync(join(dir, 'credentials.key'), Buffer.alloc(32, 7));
  await assert.rejects(new CredentialStore(dir).tokenSource(id, 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', never), /cannot be decrypted/);
});

test('same server: the same host, or hosts of one organisation domain (ArcGIS Online), with the same scheme', () => {
  assert.ok(sameServer('https://www.arcgis.com/sharing/rest', 'https://services7.arcgis.com/abc/arcgis/rest/services/X/FeatureServer'));
  assert.ok(sameServer('http://127.0.0.1:8080/a', 'http://127.0.0.1:8080/b'));
  assert.ok(!sameServer('http://127.0.0.1:8080/a', 'http://127.0.0.1:9090/a'));
  assert.ok(!sameServer('https://gis.example.org/a', 'https://gis.example.com/a'));
  assert.ok(!sameServer('https://gis.example.org/a', 'http://gis.example.org/a'));
});

test("a username and password make a token with the server's generateToken, found through rest/info", async () => {
  const dir = mkdtempSync(join(root, 'c-'));
  const store = new CredentialStore(dir);
  const { id } = await store.save({ url: 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', username: 'ops', password: 'p4ssw0rd!' });
  assert.equal(store.info(id).kind, 'password');
  assert.ok(!readFileSync(join(dir, 'credentials.json'), 'utf8').includes('p4ssw0rd!'));
  const calls: { url: string; params: Record<string, string | number> }[] = [];
  let n = 0;
  const post = async (url: string, params: Record<string, string | number>) => {
    calls.push({ url, params });
    if (url.endsWith('/rest/info'))
      return { authInfo: { isTokenBasedSecurity: true, tokenServicesUrl: 'https://gis.example.org/portal/sharing/rest/generateToken' } };
    return { token: `made-${++n}`, expires: Date.now() + 3600_000 };
  };
  const source = await store.tokenSource(id, 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', post);
  assert.equal(await source.token(signal), 'made-1');
  assert.equal(await source.token(signal), 'made-1', 'reused until it nears expiry');
  assert.equal(await source.renew(signal), true);
  assert.equal(await source.token(signal), 'made-2');
  assert.equal(calls[0]!.url, 'https://gis.example.org/arcgis/rest/info');
  assert.equal(calls[1]!.url, 'https://gis.example.org/portal/sharing/rest/generateToken');
  assert.equal(calls[1]!.params.username, 'ops');
  assert.deepEqual(source.secrets(), ['p4ssw0rd!', 'made-1', 'made-2']);
});

test("a refused username and password is UNAUTHORIZED, with the server's reason", async () => {
  const dir = mkdtempSync(join(root, 'd-'));
  const store = new CredentialStore(dir);
  const { id } = await store.save({ url: 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', username: 'ops', password: 'wrong' });
  const post = async (url: string) => {
    if (url.endsWith('/rest/info')) return {};
    throw new TesseraError('BAD_INPUT', 'the server answered error 400: Unable to generate token.; Invalid username or password.');
  };
  const source = await store.tokenSource(id, 'https://gis.example.org/arcgis/rest/services/A/FeatureServer', post);
  await assert.rejects(
    source.token(signal),
    (e: unknown) => e instanceof TesseraError && e.code === 'UNAUTHORIZED' && /made no token for user ops: .*Invalid username or password/.test(e.message),
  );
});

test("another cipher (the keychain's under Electron) is used when given, and recorded per credential", async () => {
  const dir = mkdtempSync(join(root, 'e-'));
  const reversed: SecretCipher = { name: 'test/reverse', seal: async (p) => [...p].reverse().join(''), open: async (s) => [...s].reverse().join('') };
  const store = new CredentialStore(dir, reversed);
  const { id } = await store.save({ url: 'https://gis.example.org/a', token: 'keychain-token' });
  assert.equal(await (await store.tokenSource(id, 'https://gis.example.org/a', never)).token(signal), 'keychain-token');
  // A process with the file key cannot open it, and says why.
  await assert.rejects(
    new CredentialStore(dir, new FileKeyCipher(dir)).tokenSource(id, 'https://gis.example.org/a', never),
    /sealed with test\/reverse, which this process cannot open/,
  );
});

test('saving needs a token or a username and a password', async () => {
  const store = new CredentialStore(mkdtempSync(join(root, 'f-')));
  await assert.rejects(store.save({ url: 'https://gis.example.org/a', username: 'ops' }), (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT');
});
