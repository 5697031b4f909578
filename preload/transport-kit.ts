/**
 * What both bridges' transports share: the per-event listener fan-out and the check of a wire reply.
 * (The Electron preload and the browser bridge differ only in how bytes travel.)
 */
import type { Reply } from '../shared/contract.js';

type Listener = (payload: unknown) => void;

/** Listeners by event name; one that throws is reported and the others still run. */
export class ListenerSet {
  private readonly byEvent = new Map<string, Set<Listener>>();
  private count = 0;
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = reportListenerError) {
    this.onError = onError;
  }

  /** Listeners registered now, across all events. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a listener and returns its remover (which works once). A wrapper per call, so the same
   * function subscribed twice needs two unsubscribes.
   */
  add(event: string, listener: Listener): () => void {
    const entry: Listener = (payload) => listener(payload);
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(entry);
    this.count += 1;
    let added = true;
    return () => {
      if (!added) return;
      added = false;
      set.delete(entry);
      this.count -= 1;
    };
  }

  emit(event: string, payload: unknown): void {
    // A copy, so a listener that unsubscribes while being called does not make another one skip.
    for (const listener of [...(this.byEvent.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/** Whether `value` has the shape of a host's reply (`{ ok: true, result }` or `{ ok: false, error }`). */
export function isReply(value: unknown): value is Reply<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; error?: unknown };
  if (v.ok === true) return true;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

function reportListenerError(error: unknown): void {
  console.error('tessera: an event listener threw', error);
}
