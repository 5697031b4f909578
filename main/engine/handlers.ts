/**
 * The one place where a request from either host meets the engine: the name is checked against the
 * contract, the input is parsed with the request's zod schema (a bad field is BAD_INPUT naming the
 * field, and never reaches the engine), and every outcome becomes a wire reply.
 */
import type { z } from 'zod';
import { type ContractHandlers, type Reply, type RequestName, type RequestParsed, requests } from '../../shared/contract.js';
import { TesseraError, serializeError } from '../../shared/errors.js';

export type { ContractHandlers };

export type Dispatcher = (name: string, input: unknown) => Promise<Reply<unknown>>;

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requests, name);
}

/** Validates `input` for request `name`; throws UNKNOWN_REQUEST or BAD_INPUT. */
export function parseRequest<N extends RequestName>(name: N, input: unknown): RequestParsed<N> {
  const schema = requests[name].input as z.ZodType;
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(input)', message: i.message }));
    const text = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new TesseraError('BAD_INPUT', `${name}: ${text}`, { details: { request: name, issues } });
  }
  return parsed.data as RequestParsed<N>;
}

/** A dispatcher that never throws: every failure is an `{ ok: false, error }` reply with a code. */
export function createDispatcher(handlers: ContractHandlers, onInternalError?: (error: unknown, name: string) => void): Dispatcher {
  return async (name, input) => {
    try {
      if (!isRequestName(name))
        throw new TesseraError('UNKNOWN_REQUEST', `no such request: ${name.slice(0, 100)}`, { details: { request: name.slice(0, 100) } });
      const parsed = parseRequest(name, input);
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, result: await handler(parsed) };
    } catch (error) {
      const wire = serializeError(error);
      if (wire.code === 'INTERNAL') onInternalError?.(error, name);
      return { ok: false, error: wire };
    }
  };
}
