/**
 * The engine process's credential cipher when its host keeps the key: each seal and open is a
 * `cipher` message answered by the host (the desktop app's main process, which alone can reach the
 * OS keychain through Electron's safeStorage). Under `tessera serve` the engine keeps the file key
 * itself (main/credentials/secret-cipher.ts) and this is not used.
 */
import { fromSerialized } from '../../shared/errors.js';
import type { SecretCipher } from '../credentials/secret-cipher.js';
import type { ChannelEnd, FromEngine, ToEngine } from './channel-protocol.js';

export function hostCipher(name: string, end: ChannelEnd<FromEngine, ToEngine>): SecretCipher {
  const pending = new Map<number, { resolve(text: string): void; reject(error: unknown): void }>();
  let nextId = 1;
  end.onMessage((message) => {
    if (message.type !== 'cipher-reply') return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.reply.ok) waiting?.resolve(message.reply.result);
    else waiting?.reject(fromSerialized(message.reply.error));
  });
  const ask = (op: 'seal' | 'open', text: string) =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      end.post({ type: 'cipher', id, op, text });
    });
  return { name, seal: (plain) => ask('seal', plain), open: (sealed) => ask('open', sealed) };
}
