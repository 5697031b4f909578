/**
 * The engine process's side of the channel: every request goes through the same dispatcher as at
 * any host (the name checked, the input parsed by its zod schema, every failure a reply with its
 * code), the host services through the engine's own (main/engine/hosted-engine.ts), and every event
 * of the engine's bus is posted to the host.
 */
import { type SerializedError, serializeError } from '../../shared/errors.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import type { EngineHostServices } from '../engine/hosted-engine.js';
import type { EventBus } from '../engine/event-bus.js';
import { type ChannelEnd, type FromEngine, HOST_SERVICE_NAMES, type HostServiceName, type HostServiceRequests, type ToEngine } from './channel-protocol.js';

export interface ServedEngine {
  handlers: ContractHandlers;
  events: Pick<EventBus, 'onAny'>;
  services: EngineHostServices;
  /** Told of a request that failed with INTERNAL (logged by the entry). */
  onInternalError?: (error: unknown, name: string) => void;
}

/** Serves `engine` on `end`; returns the function that stops (events are no longer posted). */
export function serveEngine(engine: ServedEngine, end: ChannelEnd<FromEngine, ToEngine>): () => void {
  const dispatch = createDispatcher(engine.handlers, engine.onInternalError);
  // Requests whose caller gave up: their reply is dropped. The work itself runs on: the contract's
  // handlers take no signal, and each one is bounded by its own limits (a dry run's 60 s).
  const cancelled = new Set<number>();
  const offEvents = engine.events.onAny((name, payload) => end.post({ type: 'event', name, payload }));
  const offMessages = end.onMessage((message) => {
    if (message.type === 'cancel') cancelled.add(message.id);
    if (message.type !== 'request') return;
    const { id, name, input } = message;
    const answer = isHostService(name) ? serveHostService(engine.services, name, input) : dispatch(name, input);
    void answer.then((reply) => {
      if (!cancelled.delete(id)) end.post({ type: 'reply', id, reply });
    });
  });
  return () => {
    offEvents();
    offMessages();
  };
}

function isHostService(name: string): name is HostServiceName {
  return (HOST_SERVICE_NAMES as readonly string[]).includes(name);
}

type ServiceReply = { ok: true; result: unknown } | { ok: false; error: SerializedError };

/** The host services' input comes from the host process (our own code), not from a page: typed, not parsed. */
async function serveHostService(services: EngineHostServices, name: HostServiceName, input: unknown): Promise<ServiceReply> {
  try {
    return { ok: true, result: await callService(services, name, input) };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

async function callService(services: EngineHostServices, name: HostServiceName, input: unknown): Promise<unknown> {
  switch (name) {
    case 'host.tile': {
      const { id, z, x, y } = input as HostServiceRequests['host.tile'][0];
      return services.tile(id, z, x, y);
    }
    case 'host.metrics':
      return services.metrics();
    case 'host.uploadInUse':
      return services.uploadInUse((input as HostServiceRequests['host.uploadInUse'][0]).id);
    case 'host.assertPaths':
      await services.assertPaths((input as HostServiceRequests['host.assertPaths'][0]).uses);
      return null;
  }
}
