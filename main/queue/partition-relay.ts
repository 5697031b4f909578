/**
 * `tessera worker`'s side of a vector partition: it reads the partition's spill files (by the
 * path the engine wrote them at, on storage both reach), cuts and encodes them in its own pool
 * with the engine's very code (tile-stream.ts, workers/vector-tiles.ts), and appends the gzipped
 * tiles in batches to the task's list in Redis, which the engine pops as it writes them
 * (partition-stream.ts).
 *
 * - Bounded: a batch is appended only while the list holds fewer than PARTITION_BATCHES_HELD; the
 *   walk waits for room (its credits run out), so Redis holds a few MiB per running partition
 *   whatever its size.
 * - Each run of a task tags its batches with a run id of its own, and its result says how many it
 *   appended: the engine knows when it has every batch of the run whose result it took, and drops
 *   the tiles a re-delivered run sends again.
 * - An append is refused once the task is cancelled (its cancel key) or settled by another run
 *   (BullMQ's job is gone): the run stops there instead of filling a list no one reads.
 */
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AbortError, TesseraError } from '../../shared/errors.js';
import type { TileIssueOut, VectorTilesResult } from '../../workers/vector-tiles.js';
import type { PartitionTileTask, TaskPool } from '../pool/task-pool.js';
import { WriteQueue, streamTileTask } from '../preseed/vector/tile-stream.js';
import type { TileToWrite } from '../tile-cache/tile-writer.js';
import { PARTITION_BATCHES_HELD, RESULT_TTL_S, batchesKey, cancelKey, taskJobKey } from './queue-keys.js';
import type { RedisCommands } from './redis-commands.js';
import { encodeWire } from './task-wire.js';

/** One batch as it waits in the list. */
export interface WireBatch {
  run: string;
  tiles: TileToWrite[];
  issues: TileIssueOut[];
}

/** What a partition task hands back through its result key. */
export interface RelayedPartition {
  run: string;
  /** Batches this run appended: the engine has them all once it popped that many of this run. */
  batches: number;
  result: VectorTilesResult;
}

/** As the in-process stream's batches: at most this many tiles or bytes in one list entry. */
const ENTRY_TILES = 1024;
const ENTRY_BYTES = 1024 * 1024;
/** How often a run whose list is full looks again (the engine pops as it writes). */
const ROOM_POLL_MS = 20;
/** How long an append waits through a Redis outage before the task fails (IO_ERROR, retried by the item). */
const OUTAGE_MS = 10_000;

/**
 * Appends ARGV[1] to the list KEYS[1] (its TTL ARGV[2]) unless the task is cancelled (KEYS[2]) or
 * gone (KEYS[3]): -1; or the list already holds ARGV[3] entries: -2. Else the list's new length.
 * One script, so a cancel's DEL of the list can never be followed by an append.
 */
const APPEND = `
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local n = redis.call('LLEN', KEYS[1])
if n >= tonumber(ARGV[3]) then return -2 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n + 1`;

export interface RelayParts {
  id: string;
  keys: RedisCommands;
  pool: TaskPool;
  signal: AbortSignal;
  /** Tells the engine a batch waits in a list it found empty (BullMQ's progress event). */
  wake: () => Promise<void>;
}

export async function relayPartition(task: PartitionTileTask, parts: RelayParts): Promise<RelayedPartition> {
  await checkSpillFiles(task.files);
  const run = randomUUID().slice(0, 8);
  let batches = 0;
  const append = async (value: string) => {
    const since = Date.now();
    for (;;) {
      if (parts.signal.aborted) throw new AbortError();
      let answer: number;
      try {
        answer = Number(
          await parts.keys.send('EVAL', [
            APPEND,
            3,
            batchesKey(parts.id),
            cancelKey(parts.id),
            taskJobKey(parts.id),
            value,
            RESULT_TTL_S,
            PARTITION_BATCHES_HELD,
          ]),
        );
      } catch (error) {
        if (Date.now() - since > OUTAGE_MS) throw new TesseraError('IO_ERROR', `could not hand tiles back to the queue: ${(error as Error).message}`);
        await sleep(500);
        continue;
      }
      if (answer === -1) throw new AbortError('the partition was cancelled, or finished by another run of it');
      if (answer === -2) {
        await sleep(ROOM_POLL_MS);
        continue;
      }
      batches++;
      // The engine waits only on an empty list: only then does it need telling.
      if (answer === 1) await parts.wake().catch(() => {});
      return;
    }
  };
  const queue = new WriteQueue(
    {
      write: async (tiles, issues) => {
        for (const entry of entries(tiles, issues)) await append(encodeWire({ run, ...entry } satisfies WireBatch));
      },
    },
    parts.signal,
  );
  const result = await streamTileTask(parts.pool, task, queue, parts.signal);
  return { run, batches, result };
}

/**
 * Every spill file opened once before any work: one this machine cannot reach (storage not
 * shared, not mounted) fails the task with the OS's words, which the worker prefixes with its name.
 */
async function checkSpillFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    try {
      await (await open(file, 'r')).close();
    } catch (error) {
      throw new TesseraError(
        'DATASET_UNREADABLE',
        `cannot read the vector preseed's spill file ${file} (${(error as Error).message}): the engine's spill directory must be on storage every worker mounts at the same path (--spill-dir)`,
        { details: { file, errno: (error as NodeJS.ErrnoException).code ?? null } },
      );
    }
  }
}

/** The write queue's (coalesced) batch cut back into list entries of at most ENTRY_TILES tiles or ENTRY_BYTES. */
function* entries(tiles: TileToWrite[], issues: TileIssueOut[]): Generator<Omit<WireBatch, 'run'>> {
  let start = 0;
  let pendingIssues = issues;
  while (start < tiles.length || pendingIssues.length > 0) {
    let end = start;
    let bytes = 0;
    while (end < tiles.length && end - start < ENTRY_TILES && (end === start || bytes + tiles[end]!.data.byteLength <= ENTRY_BYTES)) {
      bytes += tiles[end]!.data.byteLength;
      end++;
    }
    yield { tiles: tiles.slice(start, end), issues: pendingIssues };
    pendingIssues = [];
    start = end;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
