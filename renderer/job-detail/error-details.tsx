/**
 * An error's code and the tool's raw text, one click away from the operator's sentence: what to
 * quote in a bug report or search for, without putting GDAL's words in the way of the fix.
 */
import type { SerializedError } from '../../shared/errors.js';
import { rawTextOf } from './error-text.js';

/** A disclosure with the error's code and, when the tool said something, its own words. */
export function ErrorDetails({ error }: { error: SerializedError }) {
  const raw = rawTextOf(error.details);
  return (
    <details className="raw-error">
      <summary>{raw ? "Code and GDAL's own words" : 'Error code'}</summary>
      <code className="error">{error.code}</code>
      {raw && <pre>{raw}</pre>}
    </details>
  );
}
