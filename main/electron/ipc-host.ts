/**
 * The Electron IPC host: serves the contract on one invoke channel and forwards engine events.
 *
 * The one place that decides who may call the engine: only the top frame of a tessera://app
 * document. Anything else gets a FORBIDDEN reply and never reaches the dispatcher. Like the
 * window module, it takes ipcMain as a parameter so that it is tested under plain Node.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Reply } from '../../shared/contract.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../preload/ipc-channels.js';
import type { EventBus } from '../engine/event-bus.js';
import type { Dispatcher } from '../engine/handlers.js';
import { isTrustedSenderFrame, isTrustedSenderUrl } from './security.js';

/** The web contents events are sent to. */
export type EventSink = Pick<WebContents, 'send' | 'isDestroyed' | 'getURL'>;

/** What the IPC host needs from Electron and the engine. */
export interface IpcHostOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** The contract dispatcher (validates the input, never throws). */
  dispatch: Dispatcher;
  events: Pick<EventBus, 'onAny'>;
  /** Where events go: the main window's contents, or null while there is no window. */
  eventTarget: () => EventSink | null;
  /** Told about every refused call. */
  onRefused?: (detail: { url: string | null; isTopFrame: boolean }) => void;
}

/** The parts of an invoke event the sender check reads. */
type InvokeEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

/** The reply to a call from an untrusted frame. */
export const FORBIDDEN_REPLY: Reply<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: 'requests are only accepted from the Tessera app page' }),
}) as Reply<never>;

/** Registers the invoke handler and the event forwarding; returns the function that removes both. */
export function registerIpcHost(options: IpcHostOptions): () => void {
  const { ipcMain, dispatch, events, eventTarget } = options;

  ipcMain.handle(INVOKE_CHANNEL, async (event: InvokeEvent, name: unknown, input: unknown): Promise<Reply<unknown>> => {
    // senderFrame is read at once: it turns null when the frame navigates or goes away.
    const frame = event.senderFrame;
    if (!isTrustedSenderFrame(frame)) {
      options.onRefused?.({ url: frame?.url ?? null, isTopFrame: frame?.parent === null });
      return FORBIDDEN_REPLY;
    }
    if (typeof name !== 'string') {
      return { ok: false, error: { code: 'BAD_INPUT', message: 'the request name must be a string' } };
    }
    return dispatch(name, input);
  });

  const offEvents = events.onAny((name, payload) => {
    const target = eventTarget();
    // An event must not leak to a page that is not the app (the window only ever shows the app,
    // but this does not rely on the navigation guard).
    if (target === null || target.isDestroyed() || !isTrustedSenderUrl(target.getURL())) return;
    target.send(EVENT_CHANNEL, name, payload);
  });

  return () => {
    offEvents();
    ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}
