/**
 * The two Electron IPC channels of the contract, shared by the main process and the preload.
 *
 * No imports: the sandboxed preload bundle and the main process both inline these names, and one
 * request channel (instead of one per request) keeps the sender check in a single handler.
 */

/** Renderer → main: `invoke(INVOKE_CHANNEL, name, input)`, answered with a contract `Reply`. */
export const INVOKE_CHANNEL = 'tessera:invoke';

/** Main → renderer: `send(EVENT_CHANNEL, eventName, payload)` for every engine event. */
export const EVENT_CHANNEL = 'tessera:event';

/** Renderer → main: `invoke(DESKTOP_CHANNEL, 'pick' | 'reveal', input)`, the desktop-only requests (preload/desktop-api.ts). */
export const DESKTOP_CHANNEL = 'tessera:desktop';
