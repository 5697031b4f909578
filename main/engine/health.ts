/**
 * The engine's health checks (app.health) and the services that keep them: crash recovery at
 * start, retention, the disk check against the free-space floor, the metrics switch. A failing
 * service is reported here; it never stops the engine.
 */
import { statfs } from 'node:fs/promises';
import type { HealthCheck, Settings } from '../../shared/contract.js';
import { toTesseraError } from '../../shared/errors.js';
import { formatBytes } from '../../shared/format.js';
import type { Logger } from '../logging/logger.js';
import type { JobStore } from '../store/job-store.js';

export interface HealthDeps {
  store: JobStore;
  dataDir: string;
  logger: Logger;
  settings(): Settings;
  /** Emits event-log lines the services wrote (recovery marks jobs interrupted). */
  flushEvents(): void;
}

export class EngineHealth {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly deps: HealthDeps;

  constructor(deps: HealthDeps) {
    this.deps = deps;
  }

  /** Every check, in the order they were first set. */
  list(): HealthCheck[] {
    return [...this.checks.values()];
  }

  /** The metrics check follows the setting. */
  setMetrics(enabled: boolean): void {
    this.set('metrics', enabled ? 'ok' : 'disabled', enabled ? 'served at /metrics by the headless host' : 'switched off in settings');
  }

  /**
   * Crash recovery (jobs a dead process left running become interrupted), retention, the metrics
   * switch. Returns the jobs recovery found running (not those being cancelled): what a restart
   * after a crash of the engine process resumes.
   */
  runStartupServices(): number[] {
    let resumable: number[] = [];
    try {
      const found = this.deps.store.recoverInterrupted();
      const ids = found.map((r) => r.id);
      resumable = found.filter((r) => r.was === 'running').map((r) => r.id);
      this.set('recovery', 'ok', ids.length ? `marked ${ids.length} job(s) interrupted: ${ids.join(', ')}` : 'no job was left running');
      if (ids.length) this.deps.logger.warn(`found ${ids.length} job(s) left running by a previous process; marked interrupted`, { ids });
    } catch (error) {
      this.set('recovery', 'failed', toTesseraError(error).message);
      this.deps.logger.error('crash recovery failed', { error: String(error) });
    }
    this.applyRetention();
    this.setMetrics(this.deps.settings().metricsEnabled);
    this.deps.flushEvents();
    return resumable;
  }

  /** Purges finished jobs older than the retention setting; off (null) keeps history forever, quietly. */
  applyRetention(): void {
    const days = this.deps.settings().retentionDays;
    if (days === null) {
      // Switched off: say so at debug only, so a disabled feature stays quiet.
      this.deps.logger.debug('retention is off: job history is kept forever');
      this.set('retention', 'disabled', 'off: history is kept forever');
      return;
    }
    try {
      const purged = this.deps.store.purgeFinishedBefore(new Date(Date.now() - days * 86_400_000));
      this.set('retention', 'ok', `keeps ${days} day(s); purged ${purged} job(s)`);
      if (purged) this.deps.logger.info(`retention purged ${purged} finished job(s) older than ${days} day(s)`);
    } catch (error) {
      this.set('retention', 'failed', toTesseraError(error).message);
    }
  }

  /** The data directory's free space against the floor. */
  async checkDisk(): Promise<void> {
    try {
      const fs = await statfs(this.deps.dataDir);
      const free = fs.bavail * fs.bsize;
      const floor = this.deps.settings().freeSpaceFloorBytes;
      if (free < floor) this.set('disk', 'failed', `only ${formatBytes(free)} free in ${this.deps.dataDir} (floor ${formatBytes(floor)})`);
      else this.set('disk', 'ok', `${formatBytes(free)} free in ${this.deps.dataDir}`);
    } catch (error) {
      this.set('disk', 'failed', `cannot read free space of ${this.deps.dataDir}: ${(error as Error).message}`);
    }
  }

  set(name: string, state: HealthCheck['state'], message: string): void {
    this.checks.set(name, { name, state, message, checkedAt: new Date().toISOString() });
  }
}
