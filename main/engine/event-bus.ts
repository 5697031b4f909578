/**
 * A typed event bus for the contract's events: hosts subscribe once and forward to their clients.
 * A throwing listener is isolated so one bad subscriber cannot break the engine's loop.
 */
import { EVENT_NAMES, type EventName, type Events } from '../../shared/contract.js';

type Listener<E extends EventName> = (payload: Events[E]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();
  private readonly onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Subscribes to every event (hosts forward them all). */
  onAny(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void {
    const offs = EVENT_NAMES.map((e) => this.on(e, (p) => listener(e, p)));
    return () => offs.forEach((off) => off());
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
