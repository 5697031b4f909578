/** Waiting for a job to reach a state it does not leave by itself (Engine.waitFor). */
import { FINISHED_JOB_STATES, type JobSummary } from '../../shared/contract.js';
import type { JobStore } from '../store/job-store.js';
import type { EventBus } from './event-bus.js';
import type { ActiveJob } from './job-runner.js';

export async function waitForJob(parts: { store: JobStore; active: ReadonlyMap<number, ActiveJob>; events: EventBus }, id: number): Promise<JobSummary> {
  for (;;) {
    const job = parts.store.getJob(id);
    if (FINISHED_JOB_STATES.includes(job.state) && !parts.active.has(id)) return job;
    const running = parts.active.get(id);
    if (running) await running.done;
    // Running in the store but run by nobody: its end could not be recorded (see JobRunner.run). It
    // stays so until start-up recovery; waiting for it would never end.
    else if (job.state === 'running' || job.state === 'cancelling') return job;
    else
      await new Promise<void>((resolve) => {
        const off = parts.events.on('job.changed', (j) => {
          if (j.id === id) {
            off();
            resolve();
          }
        });
      });
  }
}
