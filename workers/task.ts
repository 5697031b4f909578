/**
 * Wraps a worker task so that its errors keep their code across the thread boundary.
 * Structured cloning keeps an Error's message but drops its own properties (`code`, `details`),
 * so a failure is thrown across as its plain wire form and rebuilt by the pool.
 */
import { TesseraError, toTesseraError } from '../shared/errors.js';

export function defineTask<T, R>(fn: (task: T) => Promise<R>): (task: T) => Promise<R> {
  return async (task: T) => {
    try {
      return await fn(task);
    } catch (error) {
      const e = error instanceof TesseraError ? error : toTesseraError(error);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a plain object survives structured cloning intact
      throw { code: e.code, message: e.message, details: e.details, transient: e.transient };
    }
  };
}
