/**
 * Runs vectorTiles worker tasks and writes what they stream back.
 *
 * A task posts batches of gzipped tiles over a MessagePort (transferred, not copied) while it
 * walks; this side queues each batch for the sink, strictly in order, and only once it is written
 * hands the worker a credit for another batch. So at most CREDITS batches per task are ever in
 * memory, however large the partition, and a slow disk slows the walk instead of filling the heap.
 * The task counts as done only when every batch it sent has been written.
 *
 * The queue is shared by the tasks running at once and writes whatever is waiting in one sink
 * call (one transaction), up to WRITE_TILES tiles: a commit costs an fsync, so fewer, larger
 * transactions keep the engine's thread free for the rest.
 */
import { MessageChannel } from 'node:worker_threads';
import { AbortError, isAbortError } from '../../../shared/errors.js';
import type { TaskPool } from '../../pool/task-pool.js';
import type { TileToWrite } from '../../tile-cache/tile-writer.js';
import type { TileBatchMessage, TileIssueOut, VectorTilesResult, VectorTilesTask } from '../../../workers/vector-tiles.js';

/**
 * Batches a task may have posted and not yet seen written (a batch is at most 1,024 tiles or 1 MiB).
 * While this thread commits (an fsync: about 7 ms on this machine's disk), the workers fill their
 * credits, and the next commit takes all of it: more credits, fewer and larger transactions.
 */
const CREDITS = 12;
/** Tiles per sink call at most. */
const WRITE_TILES = 16384;

export interface TileSink {
  /** Writes one batch durably (and records its issues); rejecting stops the task. */
  write(tiles: TileToWrite[], issues: TileIssueOut[]): Promise<void>;
}

interface Pending {
  tiles: TileToWrite[];
  issues: TileIssueOut[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Writes queued batches in order, coalescing what waits into one sink call. */
export class WriteQueue {
  private readonly pending: Pending[] = [];
  private running = false;

  /** `signal`: once it fires, what still waits is dropped (rejected with AbortError), not written. */
  constructor(
    private readonly sink: TileSink,
    private readonly signal?: AbortSignal,
  ) {}

  write(tiles: TileToWrite[], issues: TileIssueOut[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ tiles, issues, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length > 0) {
        if (this.signal?.aborted) {
          for (const p of this.pending.splice(0)) p.reject(new AbortError());
          break;
        }
        const take: Pending[] = [];
        let count = 0;
        while (this.pending.length > 0 && (take.length === 0 || count + this.pending[0]!.tiles.length <= WRITE_TILES)) {
          const p = this.pending.shift()!;
          take.push(p);
          count += p.tiles.length;
        }
        try {
          await this.sink.write(
            take.length === 1 ? take[0]!.tiles : take.flatMap((p) => p.tiles),
            take.length === 1 ? take[0]!.issues : take.flatMap((p) => p.issues),
          );
          for (const p of take) p.resolve();
        } catch (error) {
          for (const p of take) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

export type TileTaskInput = Omit<VectorTilesTask, 'port' | 'credits' | 'abort'>;

export function batchTiles(message: TileBatchMessage): TileToWrite[] {
  const { meta, data } = message;
  const tiles: TileToWrite[] = new Array(meta.length / 5);
  for (let i = 0, t = 0; i < meta.length; i += 5, t++) {
    tiles[t] = { z: meta[i]!, x: meta[i + 1]!, y: meta[i + 2]!, data: data.subarray(meta[i + 3]!, meta[i + 3]! + meta[i + 4]!) };
  }
  return tiles;
}

export async function streamTileTask(pool: TaskPool, task: TileTaskInput, queue: WriteQueue, signal: AbortSignal): Promise<VectorTilesResult> {
  // A task queue cuts the partition on a worker and hands its batches to the same write queue.
  if (pool.cutPartition) return pool.cutPartition(task, (tiles, issues) => queue.write(tiles, issues), { signal });
  const { port1, port2 } = new MessageChannel();
  const credits = new SharedArrayBuffer(4);
  const creditView = new Int32Array(credits);
  Atomics.store(creditView, 0, CREDITS);
  // The task stops when the job is cancelled, and also when a write fails (it would wait for credits forever).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });

  let received = 0;
  let writes: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  let wakeWhenReceived: (() => void) | null = null;
  let expected = Infinity;
  port1.on('message', (message: TileBatchMessage) => {
    received++;
    // Queued at once, so batches of the tasks running together share transactions; credited in order.
    const written = writeError === null && !stop.signal.aborted ? queue.write(batchTiles(message), message.issues) : Promise.resolve();
    written.catch(() => {}); // handled in order below; this only keeps an early rejection from going unhandled
    writes = writes
      .then(() => written)
      .then(
        () => {
          Atomics.add(creditView, 0, 1);
          Atomics.notify(creditView, 0);
        },
        (error: unknown) => {
          if (!isAbortError(error)) writeError ??= error;
          stop.abort();
        },
      );
    if (received >= expected) wakeWhenReceived?.();
  });

  try {
    let result: VectorTilesResult;
    try {
      result = await pool.run('vectorTiles', { ...task, port: port2, credits }, { signal: stop.signal, transferList: [port2] });
    } catch (error) {
      await writes;
      if (writeError !== null) throw writeError;
      if (signal.aborted || isAbortError(error)) throw new AbortError();
      throw error;
    }
    // Batches travel on their own port: the result can overtake the last of them.
    expected = result.batches;
    if (received < expected) await new Promise<void>((resolve) => (wakeWhenReceived = resolve));
    await writes;
    if (writeError !== null) throw writeError;
    if (signal.aborted) throw new AbortError();
    return result;
  } finally {
    signal.removeEventListener('abort', onAbort);
    port1.close();
  }
}
