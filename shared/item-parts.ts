/**
 * An item that stands for a file whose parts are items of their own (an ingest stages
 * "coast.shp", then imports "coast.shp › coast"): what the file's row should say. The staging
 * item alone succeeds once the file is copied and read, so showing its own state beside a failed
 * layer ("coast.shp succeeded") tells the operator the file went in when it did not.
 *
 * Parts are told by their labels: the file's label, then " › " (ingest-kind.ts names them so).
 * Pure, so the item table, the reports and the CLI say the same.
 */
import type { ItemState, JobItem } from './contract.js';

/** The separator between a file's label and its parts' names. */
export const PART_SEPARATOR = ' › ';

export interface ShownItemState {
  /** The item's own state, or the file's as its parts make it: a failed part makes a succeeded file partial or failed. */
  state: ItemState | 'partial';
  /** Why it differs from the item's own state ("copied and read; 1 of 1 layer failed"); null when it does not. */
  note: string | null;
}

/**
 * The state to show for `item` among `items` (the job's items loaded so far). Only a succeeded
 * item with failed parts changes: a file is as good as its layers.
 */
export function shownItemState(item: Pick<JobItem, 'label' | 'state'>, items: readonly Pick<JobItem, 'label' | 'state'>[]): ShownItemState {
  if (item.state !== 'succeeded') return { state: item.state, note: null };
  const prefix = item.label + PART_SEPARATOR;
  let parts = 0;
  let failed = 0;
  for (const other of items) {
    if (!other.label.startsWith(prefix)) continue;
    parts++;
    if (other.state === 'failed') failed++;
  }
  if (failed === 0) return { state: item.state, note: null };
  const note = `copied and read; ${failed} of ${parts} ${parts === 1 ? 'layer' : 'layers'} failed`;
  return { state: failed === parts ? 'failed' : 'partial', note };
}
