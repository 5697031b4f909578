import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CredentialStore } from '../credentials/credential-store.js';
import { safeStorageCipher } from './safe-storage-cipher.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-keychain-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Stands in for Electron's safeStorage, which cannot run here: an XOR "keychain" with its API. */
function keychain(available: boolean, backend = 'gnome_libsecret') {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => xor(Buffer.from(plain, 'utf8')),
    decryptString: (sealed: Buffer) => xor(sealed).toString('utf8'),
  };
}

test('the keychain seals credentials when it is available', async () => {
  const dir = mkdtempSync(join(root, 'a-'));
  const cipher = safeStorageCipher(keychain(true), dir);
  assert.equal(cipher.name, 'electron-safe-storage');
  const store = new CredentialStore(dir, cipher);
  const { id } = await store.save({ url: 'https://gis.example.org/a', token: 'keychain-token' });
  assert.equal(await (await store.tokenSource(id, 'https://gis.example.org/a', async () => ({}))).token(new AbortController().signal), 'keychain-token');
});

test('without a real keychain (none, or Linux basic_text) the file key is used, and the shell is told', () => {
  const warnings: string[] = [];
  const dir = mkdtempSync(join(root, 'b-'));
  assert.equal(safeStorageCipher(keychain(false), dir, (m) => warnings.push(m)).name, 'aes-256-gcm/file-key');
  if (process.platform === 'linux') assert.equal(safeStorageCipher(keychain(true, 'basic_text'), dir, (m) => warnings.push(m)).name, 'aes-256-gcm/file-key');
  assert.ok(warnings.length >= 1 && warnings.every((w) => w.includes('keychain is not available')));
});
