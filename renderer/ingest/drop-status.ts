/**
 * What the ingest dock says of a drop's files, as pure functions: the counts of its summary line
 * and each file's status. A file's status follows it to the end: sent, then what its job's items
 * made of it, and a failed job never leaves a row saying "sent".
 */
import type { JobItem } from '../../shared/contract.js';
import { PART_SEPARATOR } from '../../shared/item-parts.js';
import type { DropRow } from './ingest-store.js';

export interface DropCounts {
  /** Files that go (not refused before sending). */
  files: number;
  /** Of those, the ones whose bytes all arrived. */
  sentFiles: number;
  /** Bytes of the files that go, and how many of them were sent. */
  bytes: number;
  sentBytes: number;
  /** Files refused before a byte was sent, or whose upload failed. */
  refused: number;
}

/** The summary's counts over `rows` (every drop in the dock). */
export function dropCounts(rows: readonly DropRow[]): DropCounts {
  const counts: DropCounts = { files: 0, sentFiles: 0, bytes: 0, sentBytes: 0, refused: 0 };
  for (const row of rows) {
    if (row.state === 'refused' || row.state === 'failed') {
      counts.refused++;
      continue;
    }
    counts.files++;
    counts.bytes += row.size;
    counts.sentBytes += Math.min(row.sent, row.size);
    if (row.state === 'sent') counts.sentFiles++;
  }
  return counts;
}

/** A count with its unit: "1 file", "4 layers". */
const counted = (n: number, unit: string) => `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`;

/**
 * The drop's job line, in files and layers without mixing them: "3 files · 4 layers: 2 imported,
 * 1 failed, 1 to go". An ingest stages each file (an item labelled with the file's name) and
 * imports each of its layers (an item "file › layer", `shared/item-parts.ts`); the job's own
 * item counts add the two together, so three files with four layers read "2 of 4 items". A file
 * that failed before any layer was found in it is counted apart ("1 file unreadable").
 */
export function dropJobLine(items: readonly Pick<JobItem, 'label' | 'state'>[]): string {
  const files = items.filter((i) => !i.label.includes(PART_SEPARATOR));
  const layers = items.filter((i) => i.label.includes(PART_SEPARATOR));
  const withLayers = new Set(layers.map((l) => l.label.slice(0, l.label.indexOf(PART_SEPARATOR))));
  const unreadable = files.filter((f) => f.state === 'failed' && !withLayers.has(f.label)).length;
  const by = (state: JobItem['state']) => layers.filter((l) => l.state === state).length;
  const open = by('queued') + by('running');
  const parts = [`${by('succeeded').toLocaleString('en')} imported`];
  if (by('failed') > 0) parts.push(`${by('failed').toLocaleString('en')} failed`);
  if (open > 0) parts.push(`${open.toLocaleString('en')} to go`);
  if (by('cancelled') > 0) parts.push(`${by('cancelled').toLocaleString('en')} cancelled`);
  if (by('interrupted') > 0) parts.push(`${by('interrupted').toLocaleString('en')} interrupted`);
  const layerPart = layers.length > 0 ? ` · ${counted(layers.length, 'layer')}: ${parts.join(', ')}` : ' · no layer found yet';
  return `${counted(files.length, 'file')}${layerPart}${unreadable > 0 ? ` · ${counted(unreadable, 'file')} unreadable` : ''}`;
}

export interface RowStatus {
  /** A stable word for tests and styles: waiting, sending, sent, importing, ingested, partial, failed, refused, cancelled. */
  word: string;
  /** What the row says. */
  text: string;
  tone: 'ok' | 'bad' | 'neutral';
}

/**
 * The status of one file: `fileItems` are its job's items for it (its staging item and its layers), `job` the
 * job once it has finished (null before).
 */
export function rowStatus(row: DropRow, fileItems: readonly JobItem[], job: { state: string } | null): RowStatus {
  if (row.state === 'refused') return { word: 'refused', text: 'refused', tone: 'bad' };
  if (row.state === 'failed') return { word: 'failed', text: 'not sent', tone: 'bad' };
  // A file's layers are what it imports: its staging item (the file copied and read) is not one,
  // so "1 of 2 imported" is never said of a Shapefile with one layer. A file with no layer item
  // (nothing found in it) is judged by its staging item alone.
  const parts = fileItems.filter((i) => i.label.startsWith(row.name + PART_SEPARATOR));
  const items = parts.length > 0 ? parts : fileItems;
  if (items.length > 0) {
    const done = items.filter((i) => i.state === 'succeeded').length;
    const failed = items.filter((i) => i.state === 'failed').length;
    const open = items.some((i) => i.state === 'queued' || i.state === 'running');
    // Counted in layers when the file has them, else the file itself: the unit is always said.
    const of = `${done} of ${counted(items.length, parts.length > 0 ? 'layer' : 'file')} imported`;
    if (failed > 0) return { word: done > 0 ? 'partial' : 'failed', text: `${of}, ${failed} failed`, tone: 'bad' };
    if (open) return { word: 'importing', text: of, tone: 'neutral' };
    if (done === items.length) return { word: 'ingested', text: of, tone: 'ok' };
    return { word: job?.state ?? 'importing', text: `${of}, ${items.length - done} ${job?.state ?? 'waiting'}`, tone: 'neutral' };
  }
  if (job !== null && row.state === 'sent') {
    // No item of its own: a Shapefile's side file (its .shp's item covers it), or a job that failed before it planned.
    if (job.state === 'succeeded') return { word: 'ingested', text: 'ingested', tone: 'ok' };
    if (job.state === 'cancelled') return { word: 'cancelled', text: 'cancelled', tone: 'neutral' };
    return { word: 'failed', text: 'not ingested', tone: 'bad' };
  }
  switch (row.state) {
    case 'sending':
      return { word: 'sending', text: 'sending', tone: 'neutral' };
    case 'sent':
      return { word: 'sent', text: 'sent', tone: 'neutral' };
    default:
      return { word: 'waiting', text: 'waiting', tone: 'neutral' };
  }
}
