/**
 * Errors and event-log entries as the operator reads them: the file and layer named once (an
 * ingest's message already starts with the item's label, which the row or entry also shows), and
 * the error's code and the tool's raw text kept for a disclosure, not the sentence.
 */
import type { JobEvent } from '../../shared/contract.js';
import type { SerializedError } from '../../shared/errors.js';
import { formatDuration } from '../../shared/format.js';

/** The message without the item's label in front ("a.shp › a: it has no CRS" under "a.shp › a" is "it has no CRS"). */
export function withoutLabel(message: string, label: string): string {
  const prefix = `${label}: `;
  return label !== '' && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** The raw text behind an operator's message (ingest keeps GDAL's in `details.gdal`), if any. */
export function rawTextOf(details: unknown): string | null {
  const raw = (details as { gdal?: unknown } | null | undefined)?.gdal;
  return typeof raw === 'string' && raw.trim() !== '' ? raw : null;
}

function errorOf(data: JobEvent['data']): SerializedError | null {
  const e = data?.error as Partial<SerializedError> | undefined;
  return e && typeof e.code === 'string' && typeof e.message === 'string' ? (e as SerializedError) : null;
}

/** An event-log entry's sentence and, for an item's failure, its error (code and raw text go in a disclosure). */
export function eventView(event: JobEvent): { text: string; error: SerializedError | null } {
  const error = errorOf(event.data);
  const label = typeof event.data?.label === 'string' ? event.data.label : '';
  if (error === null || label === '') return { text: event.message, error };
  const why = withoutLabel(error.message, label);
  if (event.type === 'item.failed') return { text: `${label} failed: ${why}`, error };
  if (event.type === 'item.retry') {
    const attempt = typeof event.data?.attempt === 'number' ? ` ${event.data.attempt}` : '';
    const delay = typeof event.data?.retryInMs === 'number' ? `; trying again in ${formatDuration(event.data.retryInMs)}` : '';
    return { text: `${label}: attempt${attempt} failed: ${why}${delay}`, error };
  }
  return { text: event.message, error };
}
