/**
 * The engine's side of a vector partition cut on a `tessera worker` (partition-relay.ts): pops
 * the batches the worker appends to the task's list, a few at a time, and hands them to the
 * item's write queue; the worker's walk waits while the list is full, so a slow disk slows the
 * cut, as the in-process credits do. The partition is done once the result of the run that settled
 * the task came back and every batch of that run was popped and written.
 *
 * At-least-once, made harmless: a re-delivered task (a stalled or killed worker, a Redis restart)
 * cuts the partition again, possibly while the first run still appends; each tile (and tile issue)
 * is passed on once, whichever run sent it, so nothing is written or counted twice.
 */
import { AbortError, TesseraError, isAbortError } from '../../shared/errors.js';
import type { VectorTilesResult } from '../../workers/vector-tiles.js';
import type { PartitionTileWriter } from '../pool/task-pool.js';
import type { TileToWrite } from '../tile-cache/tile-writer.js';
import type { TileIssueOut } from '../../workers/vector-tiles.js';
import type { RelayedPartition, WireBatch } from './partition-relay.js';
import { PARTITION_BATCHES_HELD, batchesKey } from './queue-keys.js';
import type { RedisCommands } from './redis-commands.js';
import { decodeWire } from './task-wire.js';

/**
 * How long an empty list is waited on before it is read again, should a progress event be missed
 * (a reconnection). Long: a partition still waiting in the queue would otherwise poll for nothing
 * (the vector kind keeps dozens queued), and its first batch wakes it through the event anyway.
 */
const IDLE_POLL_MS = 1000;
/** How long to wait before reading again after Redis failed a read (the pool's sweep re-queues a lost task). */
const OUTAGE_POLL_MS = 500;

export interface PartitionStreamParts {
  id: string;
  keys: RedisCommands;
  /**
   * The task sent (QueuePool.send): resolves with the run's RelayedPartition, rejects with its
   * failure or at once on a cancel (the pool listens to the job's signal, so this stream need not).
   */
  sent: Promise<unknown>;
  write: PartitionTileWriter;
  signal?: AbortSignal;
  /** Takes the task back (QueuePool's cancel: removed if it waits, a running one told to stop); a no-op once it settled. */
  cancel: () => Promise<void>;
  /** Where the pool's progress events find this stream to wake it (a batch waits in a list that was empty). */
  wakers: Map<string, () => void>;
}

export async function receivePartition(parts: PartitionStreamParts): Promise<VectorTilesResult> {
  const { id, keys, signal } = parts;
  const key = batchesKey(id);
  // Set by the task's settlement, read by the loop (an object: assignments in callbacks stay visible to the type checker).
  const outcome: { relayed: RelayedPartition | null; failure: unknown } = { relayed: null, failure: null };
  let woken = false;
  let wakeUp: (() => void) | null = null;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  parts.wakers.set(id, wake);
  parts.sent.then(
    (value) => {
      outcome.relayed = value as RelayedPartition;
      wake();
    },
    (error: unknown) => {
      outcome.failure = error;
      wake();
    },
  );
  const pause = async (ms: number) => {
    if (!woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    wakeUp = null;
    woken = false;
  };

  const popped = new Map<string, number>();
  const seenTiles = new Set<string>();
  const seenIssues = new Set<string>();
  let finished = false;
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortError();
      if (outcome.failure !== null) throw outcome.failure;
      const settled = outcome.relayed;
      if (settled !== null && (typeof settled.run !== 'string' || typeof settled.batches !== 'number')) {
        // A worker from before partitions travelled runs the task without a stream: its tiles would never come.
        throw new TesseraError('INTERNAL', 'a tessera worker of an older version took a vector partition and sent no tiles back: update the workers');
      }
      if (settled !== null && (popped.get(settled.run) ?? 0) >= settled.batches) {
        finished = true;
        return settled.result;
      }
      let texts: string[] | null;
      try {
        texts = (await keys.send('LPOP', [key, PARTITION_BATCHES_HELD])) as string[] | null;
      } catch {
        await pause(OUTAGE_POLL_MS);
        continue;
      }
      if (!texts || texts.length === 0) {
        await pause(IDLE_POLL_MS);
        continue;
      }
      const tiles: TileToWrite[] = [];
      const issues: TileIssueOut[] = [];
      for (const text of texts) {
        const batch = decodeWire<WireBatch>(text);
        popped.set(batch.run, (popped.get(batch.run) ?? 0) + 1);
        for (const t of batch.tiles) {
          const at = `${t.z}/${t.x}/${t.y}`;
          if (seenTiles.has(at)) continue;
          seenTiles.add(at);
          tiles.push(t);
        }
        for (const i of batch.issues) {
          const at = `${i.z}/${i.x}/${i.y}/${i.issue}`;
          if (seenIssues.has(at)) continue;
          seenIssues.add(at);
          issues.push(i);
        }
      }
      if (tiles.length > 0 || issues.length > 0) await parts.write(tiles, issues);
    }
  } catch (error) {
    if (signal?.aborted || isAbortError(error)) throw new AbortError();
    throw error;
  } finally {
    parts.wakers.delete(id);
    // Cancelled, or a write failed: a run still cutting is told to stop (its appends are refused
    // from then on, see partition-relay.ts) before what it left is removed. A task that failed on
    // its worker is gone from the queue already: no cancel mark to leave behind.
    const taskFailed = outcome.failure !== null && !isAbortError(outcome.failure);
    if (!finished && !taskFailed) await parts.cancel().catch(() => {});
    await keys.send('DEL', [key]).catch(() => {});
  }
}
