/**
 * The bridge transport over Electron IPC, written against the few ipcRenderer methods it uses
 * (not against `electron`) so that it is tested under plain Node.
 *
 * A failed request rejects with the wire error `{ code, message, details }`, NOT an Error: an
 * Error crossing contextBridge is rebuilt in the page as a bare `Error(message)`, dropping `code`
 * and `details` (electron shell/renderer/api/electron_api_context_bridge.cc). A plain object is
 * copied whole, and `toTesseraError(reason)` from errors.ts turns it back into a TesseraError.
 */
import type { BridgeTransport, EventName } from '../shared/contract.js';
import type { SerializedError } from '../shared/errors.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.js';
import { ListenerSet, isReply } from './transport-kit.js';

/** The parts of ipcRenderer the transport uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * A transport over `ipc`. One IPC listener fans events out to per-event listener sets; the
 * listeners get the payload only, never Electron's event object (its `sender` is ipcRenderer).
 */
export function createIpcTransport(ipc: IpcRendererLike, onListenerError?: (error: unknown) => void): BridgeTransport {
  const listeners = new ListenerSet(onListenerError);

  ipc.on(EVENT_CHANNEL, (_event, name, payload) => {
    if (typeof name === 'string') listeners.emit(name, payload);
  });

  return {
    async invoke(name, input) {
      let reply: unknown;
      try {
        reply = await ipc.invoke(INVOKE_CHANNEL, name, input);
      } catch (error) {
        throw wireError('INTERNAL', `IPC request ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!isReply(reply)) throw wireError('INTERNAL', `IPC request ${name} got a malformed reply`);
      if (reply.ok) return reply.result;
      throw reply.error;
    },

    subscribe(event: EventName, listener: (payload: unknown) => void) {
      return listeners.add(event, listener);
    },
  };
}

function wireError(code: SerializedError['code'], message: string): SerializedError {
  return { code, message };
}
