/**
 * Credential secrets sealed by the OS keychain through Electron's safeStorage (macOS Keychain,
 * Windows DPAPI, libsecret or kwallet on Linux). The shell installs it at start-up with
 * `useSecretCipher(() => safeStorageCipher(safeStorage))` before the engine opens.
 *
 * On Linux without a keyring, safeStorage falls back to a hard-coded key ("basic_text"): that is
 * no better than the file key beside the data, so the file key is kept instead and the shell is
 * told why.
 */
import type { SafeStorage } from 'electron';
import { FileKeyCipher, type SecretCipher } from '../credentials/secret-cipher.js';

type Keychain = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: () => string };

export function safeStorageCipher(safeStorage: Keychain, dataDir: string, warn: (message: string) => void = () => {}): SecretCipher {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') {
    warn(`the OS keychain is not available${backend ? ` (safeStorage backend: ${backend})` : ''}; credentials are sealed with a key file in ${dataDir}`);
    return new FileKeyCipher(dataDir);
  }
  return {
    name: 'electron-safe-storage',
    seal: async (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: async (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
