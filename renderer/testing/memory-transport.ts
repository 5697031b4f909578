/**
 * A contract transport in memory, for component tests: every call is validated with the
 * contract's own zod schemas (as main/engine/handlers.ts does, BAD_INPUT naming each field) before
 * a handler answers it, and errors travel in their wire form. So a call a screen makes with bad
 * input fails here as it would against the engine.
 *
 * main/engine/handlers.ts itself is not used: main/layering.test.ts keeps renderer/ from importing main/.
 */
import type { z } from 'zod';
import type { BridgeTransport, EventName, Events, RequestName, RequestParsed, RequestResult } from '../../shared/contract.js';
import { requests } from '../../shared/contract.js';
import { TesseraError, fromSerialized, serializeError } from '../../shared/errors.js';

/** What the test's "engine" answers: a function per request it serves, taking parsed input. */
export type Handlers = { [N in RequestName]?: (input: RequestParsed<N>) => RequestResult<N> | Promise<RequestResult<N>> };

export interface MemoryTransport {
  transport: BridgeTransport;
  /** Every call that passed validation, with its parsed input. */
  calls: { name: RequestName; input: unknown }[];
  /** The parsed inputs of the calls to `name`, in order. */
  callsTo<N extends RequestName>(name: N): RequestParsed<N>[];
  /** Pushes an engine event to the subscribed listeners, as the host's WebSocket would. */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

/** The transport over `handlers`: contract validation first, then the handler, errors in wire form. */
export function memoryTransport(handlers: Handlers): MemoryTransport {
  const calls: MemoryTransport['calls'] = [];
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const transport: BridgeTransport = {
    async invoke(name, input) {
      if (!Object.hasOwn(requests, name)) throw new TesseraError('UNKNOWN_REQUEST', `no such request: ${name}`);
      const parsed = (requests[name].input as z.ZodType).safeParse(input ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(input)', message: i.message }));
        throw new TesseraError('BAD_INPUT', `${name}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { details: { request: name, issues } });
      }
      calls.push({ name, input: parsed.data });
      const handler = handlers[name] as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new TesseraError('NOT_FOUND', `${name} is not served in this test`);
      try {
        // A copy, as the wire makes one: the console must not share objects with the "engine".
        return structuredClone(await handler(parsed.data));
      } catch (error) {
        throw fromSerialized(serializeError(error));
      }
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
  const callsTo = <N extends RequestName>(name: N) => calls.filter((c) => c.name === name).map((c) => c.input as RequestParsed<N>);
  const emit = <E extends EventName>(event: E, payload: Events[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  return { transport, calls, callsTo, emit };
}
