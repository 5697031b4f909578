/**
 * Cancel latency as the benches measure it (engine-bench in process, scale-out-bench through the
 * task queue): a verify of `cache` cancelled after a random share of its work, timed from
 * `engine.cancel` to the job's end, which must be `cancelled`.
 */
import type { Engine } from '../main/engine/engine.js';

export async function cancelTrials(engine: Engine, cache: string, trials: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const job = await engine.start({ kind: 'verify', params: { cache } });
    // Somewhere in the middle of the run.
    const threshold = 200 + Math.floor(Math.random() * 2000);
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.progress', (p) => {
        if (p.jobId === job.id && p.done >= threshold) {
          off();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    engine.cancel([job.id]);
    const final = await engine.waitFor(job.id);
    latencies.push(performance.now() - t0);
    if (final.state !== 'cancelled') throw new Error(`trial ${trial}: job ended ${final.state}`);
  }
  return latencies;
}
