/**
 * `window.tessera.desktop` over Electron IPC (the desktop channel), written against the few
 * ipcRenderer methods it uses so that it is tested under plain Node. A refusal rejects with the wire
 * error `{ code, message, details }`, as the contract's transport does (an Error would lose its
 * code crossing contextBridge).
 */
import type { TesseraDesktop } from './desktop-api.js';
import { DESKTOP_CHANNEL } from './ipc-channels.js';
import type { IpcRendererLike } from './ipc-transport.js';
import { isReply } from './transport-kit.js';

export function createDesktopApi(ipc: Pick<IpcRendererLike, 'invoke'>): TesseraDesktop {
  const call = async (name: 'pick' | 'reveal', input: unknown): Promise<unknown> => {
    const reply = await ipc.invoke(DESKTOP_CHANNEL, name, input);
    if (!isReply(reply)) throw { code: 'INTERNAL', message: `desktop request ${name} got a malformed reply` };
    if (reply.ok) return reply.result;
    throw reply.error;
  };
  return {
    pick: async (input) => (await call('pick', input)) as string[],
    reveal: async (path) => {
      await call('reveal', { path });
    },
  };
}
