/**
 * The bridge transport over Electron IPC, written against the few ipcRenderer methods it uses
 * (not against `electron`) so that it is tested under plain Node.
 *
 * A failed request rejects with the wire error `{ code, message, details }`, NOT an Error: an
 * Error crossing contextBridge is rebuilt in the page as a bare `Error(message)`, dropping `code`
 * and `details` (electron shell/renderer/api/electron_api_context_bridge.cc). A plain object is
 * copied whole, and `toTesseraError(reason)` from errors.ts turns it back into a TesseraError.
 */
import type { BridgeTransport, EventName, Reply } from './contract.js';
import type { SerializedError } from './errors.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.js';

/** The parts of ipcRenderer the transport uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * A transport over `ipc`. One IPC listener fans events out to per-event listener sets; the
 * listeners get the payload only, never Electron's event object (its `sender` is ipcRenderer).
 */
export function createIpcTransport(ipc: IpcRendererLike, onListenerError: (error: unknown) => void = reportError): BridgeTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  ipc.on(EVENT_CHANNEL, (_event, name, payload) => {
    if (typeof name !== 'string') return;
    // A copy, so that a listener that unsubscribes while being called does not skip another.
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        onListenerError(error);
      }
    }
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
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}

function wireError(code: SerializedError['code'], message: string): SerializedError {
  return { code, message };
}

function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return true;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

function reportError(error: unknown): void {
  console.error('tessera: an event listener threw', error);
}
