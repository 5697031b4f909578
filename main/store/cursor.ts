/**
 * Opaque keyset cursors. A cursor names the last row of a page, so a page never repeats or skips
 * rows when new ones are added in between; a cursor that does not decode is BAD_CURSOR, never page 1.
 */
import { TesseraError } from '../../shared/errors.js';

/** Encodes the key of the last row of a page, tagged with what it pages through. */
export function encodeCursor(scope: string, key: readonly (number | string)[]): string {
  return Buffer.from(JSON.stringify([scope, ...key]), 'utf8').toString('base64url');
}

/** Decodes a cursor of `scope` whose key has the given shape, or throws BAD_CURSOR. */
export function decodeCursor<K extends readonly ('number' | 'string')[]>(
  scope: string,
  cursor: string,
  shape: K,
): { [I in keyof K]: K[I] extends 'number' ? number : string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === shape.length + 1 &&
    parsed[0] === scope &&
    shape.every((type, i) => (type === 'number' ? Number.isSafeInteger(parsed[i + 1]) : typeof parsed[i + 1] === 'string'));
  if (!ok) throw new TesseraError('BAD_CURSOR', `cursor is not a valid ${scope} cursor: ${cursor.slice(0, 40)}`, { details: { field: 'cursor' } });
  return (parsed as unknown[]).slice(1) as never;
}
