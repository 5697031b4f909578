/**
 * Which dropped files go on to be uploaded (or ingested by path), and which are refused at once
 * with a reason a person can act on: folders, empty files, and files that cannot fit the ingest
 * quota per job are refused before a byte is sent. The engine checks everything again. Pure.
 */
import { formatBytes } from '../storage/bytes.js';

export interface DroppedEntry {
  name: string;
  size: number;
  /** A folder dropped as such (DataTransferItem.webkitGetAsEntry says so). */
  directory: boolean;
}

export interface DropPlan {
  /** Indexes of the entries that go on. */
  accepted: number[];
  refused: { index: number; message: string }[];
}

/** Plans a drop against the per-job ingest quota (null: none). */
export function planDrop(entries: readonly DroppedEntry[], jobQuotaBytes: number | null): DropPlan {
  const plan: DropPlan = { accepted: [], refused: [] };
  let total = 0;
  entries.forEach((entry, index) => {
    if (entry.directory) {
      plan.refused.push({ index, message: `${entry.name} is a folder: drop the files in it (or a ZIP of it) instead` });
      return;
    }
    if (entry.size === 0) {
      plan.refused.push({ index, message: `${entry.name} is empty (0 bytes)` });
      return;
    }
    if (jobQuotaBytes !== null && entry.size > jobQuotaBytes) {
      plan.refused.push({
        index,
        message: `${entry.name} (${formatBytes(entry.size)}) is larger than the ingest quota per job (${formatBytes(jobQuotaBytes)}); nothing of it was sent`,
      });
      return;
    }
    if (jobQuotaBytes !== null && total + entry.size > jobQuotaBytes) {
      plan.refused.push({
        index,
        message: `${entry.name} (${formatBytes(entry.size)}) does not fit this drop's ingest quota: ${formatBytes(total)} of ${formatBytes(jobQuotaBytes)} is taken by the files before it; drop it on its own`,
      });
      return;
    }
    total += entry.size;
    plan.accepted.push(index);
  });
  return plan;
}
