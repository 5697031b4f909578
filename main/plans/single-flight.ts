/**
 * Runs a task at most once at a time, and never loses a request (the reviewed server's watcher
 * let a slow reconcile overlap the next, finding 6; its STAC sync dropped changes that arrived
 * mid-run, follow-up 4). A request while the task runs is answered by one more run after it: any
 * number of requests during a run cause exactly one more run, which sees all of their changes.
 */
export class SingleFlight<T> {
  private running: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly task: () => Promise<T>) {}

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs the task now, or once more after the current run; resolves with the run that covers this request. */
  run(): Promise<T> {
    // One run is already queued (even if the current one has just ended and it has not started
    // yet): it starts after this request, so it covers it too.
    if (this.next !== null) return this.next;
    if (this.running === null) return this.start();
    this.next = this.running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  /** Resolves once nothing runs or waits to run (failures included: they are the callers' to see). */
  async settled(): Promise<void> {
    while (this.running !== null || this.next !== null) await (this.next ?? this.running)!.catch(() => undefined);
  }

  private start(): Promise<T> {
    const run = this.task();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = null;
    };
    run.then(clear, clear);
    return run;
  }
}
