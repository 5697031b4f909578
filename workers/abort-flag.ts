/**
 * Cancellation inside a worker thread. A worker's loop cannot receive messages while it runs, so
 * the pool hands each task a SharedArrayBuffer that the engine's AbortSignal flips; the loop reads
 * it between tiles (or feature batches) with `throwIfAborted()`. The pool terminates a worker that
 * does not stop within its grace period, so a loop stuck inside one native call cannot hold a cancel.
 */
import { AbortError } from '../shared/errors.js';

/** Allocates a flag for one task (the pool does this). */
export function createAbortFlag(): SharedArrayBuffer {
  return new SharedArrayBuffer(4);
}

/** Raises the flag: every loop that checks it stops at its next check. */
export function raiseAbortFlag(flag: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(flag), 0, 1);
}

/** The worker side: a cheap check for hot loops. */
export class AbortFlag {
  private readonly view: Int32Array;

  constructor(flag: SharedArrayBuffer | undefined) {
    this.view = new Int32Array(flag ?? new SharedArrayBuffer(4));
  }

  get aborted(): boolean {
    return Atomics.load(this.view, 0) !== 0;
  }

  throwIfAborted(): void {
    if (this.aborted) throw new AbortError('task cancelled');
  }
}
