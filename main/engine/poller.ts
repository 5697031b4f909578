/**
 * Runs a task every `intervalMs`, never two at once: the next run is scheduled only after the
 * previous one settles. A slow run delays the next poll instead of overlapping it (the reviewed
 * server's watcher used a bare delay loop and could start a reconcile while one was still going).
 */
export interface Poller {
  /** Runs the task now unless a run is in flight, in which case the in-flight run is returned. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
  readonly inFlight: boolean;
}

export function startPoller(task: (signal: AbortSignal) => Promise<void>, intervalMs: number, onError: (error: unknown) => void): Poller {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;

  const schedule = () => {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => void runNow(), intervalMs);
    timer.unref();
  };

  const runNow = (): Promise<void> => {
    if (current !== null) return current;
    clearTimeout(timer);
    current = (async () => {
      try {
        await task(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) onError(error);
      } finally {
        current = null;
        schedule();
      }
    })();
    return current;
  };

  schedule();
  return {
    runNow,
    get inFlight() {
      return current !== null;
    },
    async stop() {
      controller.abort();
      clearTimeout(timer);
      await current;
    },
  };
}
