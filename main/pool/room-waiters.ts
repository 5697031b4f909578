/**
 * Callers waiting for room in a pool (the in-process pool's queue, the task queue's window of tasks
 * in flight). A task that ends wakes them all and each checks again, so no wake-up is lost to a
 * caller that left; a caller's own abort wakes it alone.
 */
export class RoomWaiters {
  private readonly waiting = new Set<() => void>();

  /** Resolves at the next `wakeAll()` or when `signal` aborts; the caller checks which. */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiting.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }
}
