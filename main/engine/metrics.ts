/**
 * Prometheus metrics of one engine (its own registry, so two engines in one test never collide).
 * Served at /metrics by the headless host when metrics are enabled.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export class EngineMetrics {
  readonly registry = new Registry();
  readonly jobsFinished = new Counter({
    name: 'tessera_jobs_finished_total',
    help: 'Jobs that reached a final state, by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });
  readonly jobsStarted = new Counter({
    name: 'tessera_jobs_started_total',
    help: 'Job runs started (a retry is a new run)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly cancellations = new Counter({
    name: 'tessera_cancellations_total',
    help: 'Cancel requests that took effect',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'tessera_item_retries_total',
    help: 'Item attempts retried after a transient failure',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly tilesProcessed = new Counter({
    name: 'tessera_tiles_processed_total',
    help: 'Tiles read, checked or rendered',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly tilesWritten = new Counter({
    name: 'tessera_tiles_written_total',
    help: 'Tiles written to caches',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly bytesWritten = new Counter({
    name: 'tessera_bytes_written_total',
    help: 'Bytes written to caches and the catalogue',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly workerRestarts = new Counter({
    name: 'tessera_worker_restarts_total',
    help: 'Worker threads that died and were replaced',
    registers: [this.registry],
  });
  readonly queueDepth: Gauge;
  readonly runningJobs: Gauge;

  constructor(sample: () => { queued: number; running: number }) {
    this.queueDepth = new Gauge({
      name: 'tessera_queue_depth',
      help: 'Jobs waiting to start',
      registers: [this.registry],
      collect() {
        this.set(sample().queued);
      },
    });
    this.runningJobs = new Gauge({
      name: 'tessera_running_jobs',
      help: 'Jobs running now',
      registers: [this.registry],
      collect() {
        this.set(sample().running);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_process_' });
  }
}
