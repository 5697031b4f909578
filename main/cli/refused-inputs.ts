/**
 * The input each refused request was given, kept beside its error for describeIssues
 * (input-words.ts), which reads the values typed from it. Apart from input-words so that
 * remembering an input (request.ts, on every refusal) loads no zod.
 */
import type { RequestName } from '../../shared/contract.js';
import type { TesseraError } from '../../shared/errors.js';

export interface Refused {
  name: RequestName;
  input: unknown;
}

const refused = new WeakMap<object, Refused>();

/** Keeps the input a refused request was given, for describeIssues. */
export function rememberInput(error: TesseraError, name: RequestName, input: unknown): void {
  refused.set(error, { name, input });
}

/** What rememberInput kept for `error`. */
export function refusedInput(error: TesseraError): Refused | undefined {
  return refused.get(error);
}
