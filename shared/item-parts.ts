/**
 * An item that stands for a file whose parts are items of their own (an ingest stages
 * "coast.shp", then imports "coast.shp › coast"): what the file's row should say, and how the
 * job's items are counted. The staging item alone succeeds once the file is copied and read, so
 * showing its own state beside a failed layer ("coast.shp succeeded") tells the operator the file
 * went in when it did not.
 *
 * One rule for every place that shows items or counts them (the job page's header and rows, its
 * state filter, the job store's item counts that the CLI, the queue and the reports read): a
 * succeeded file is as good as its parts. Parts are told by their labels: the file's label, then
 * " › " (ingest-kind.ts names them so). Pure, so every consumer says the same.
 */
import type { ItemState, JobItem } from './contract.js';

/** The separator between a file's label and its parts' names. */
export const PART_SEPARATOR = ' › ';

/** What a row shows: an item's own state, or `partial` for a file some of whose parts failed. */
export type ShownState = ItemState | 'partial';

export interface ShownItemState {
  /** The item's own state, or the file's as its parts make it: a failed part makes a succeeded file partial or failed. */
  state: ShownState;
  /** Why it differs from the item's own state ("copied and read; 1 of 1 layer failed"); null when it does not. */
  note: string | null;
}

/** A job's items counted by the state their rows show; they add up to `total`. */
export interface ItemCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  /** Files staged whose parts partly failed (an ingest's file with one of two layers failed). */
  partial: number;
  failed: number;
  cancelled: number;
  interrupted: number;
}

type Labelled = Pick<JobItem, 'label' | 'state'>;

const UNCHANGED: ShownItemState = Object.freeze({ state: 'succeeded', note: null }) as ShownItemState;

/**
 * The state to show for `item` among `items` (the job's items loaded so far). Only a succeeded
 * item with failed parts changes: a file is as good as its layers.
 */
export function shownItemState(item: Labelled, items: readonly Labelled[]): ShownItemState {
  if (item.state !== 'succeeded') return { state: item.state, note: null };
  const prefix = item.label + PART_SEPARATOR;
  const tally: PartTally = { parts: 0, failed: 0, succeeded: 0 };
  for (const other of items) if (other.label.startsWith(prefix)) countPart(tally, other.state);
  return fileState(tally);
}

/**
 * Every item's shown state at once, in one pass over the parts (the item table holds up to
 * thousands of items; asking shownItemState for each would read them all once per row).
 */
export function shownItemStates<T extends Labelled>(items: readonly T[]): Map<T, ShownItemState> {
  // Parts by the file they belong to: the label up to the first separator (a part of a part,
  // "a.zip › x/b.shp › b", belongs to the file "a.zip").
  const partsOf = new Map<string, PartTally>();
  for (const item of items) {
    const cut = item.label.indexOf(PART_SEPARATOR);
    if (cut < 0) continue;
    const file = item.label.slice(0, cut);
    const tally = partsOf.get(file) ?? { parts: 0, failed: 0, succeeded: 0 };
    countPart(tally, item.state);
    partsOf.set(file, tally);
  }
  const shown = new Map<T, ShownItemState>();
  for (const item of items) {
    const tally = item.state === 'succeeded' ? partsOf.get(item.label) : undefined;
    shown.set(item, tally ? fileState(tally) : item.state === 'succeeded' ? UNCHANGED : { state: item.state, note: null });
  }
  return shown;
}

/** `items` counted by their shown states. */
export function shownItemCounts(items: readonly Labelled[]): ItemCounts {
  const counts: ItemCounts = { total: 0, queued: 0, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 };
  for (const shown of shownItemStates(items).values()) {
    counts[shown.state]++;
    counts.total++;
  }
  return counts;
}

/** Whether a job of this kind has items with parts, so its counts need the items' labels. */
export function hasItemParts(kind: string): boolean {
  return kind === 'ingest';
}

interface PartTally {
  parts: number;
  failed: number;
  succeeded: number;
}

function countPart(tally: PartTally, state: ItemState): void {
  tally.parts++;
  if (state === 'failed') tally.failed++;
  if (state === 'succeeded') tally.succeeded++;
}

/** A staged file with a failed part: partial if another part went in, else failed (a cancelled part is no success). */
function fileState({ parts, failed, succeeded }: PartTally): ShownItemState {
  if (failed === 0) return UNCHANGED;
  const note = `copied and read; ${failed} of ${parts} ${parts === 1 ? 'layer' : 'layers'} failed`;
  return { state: succeeded > 0 ? 'partial' : 'failed', note };
}
