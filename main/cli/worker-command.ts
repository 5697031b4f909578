/**
 * `tessera worker --queue URL [--concurrency N] [--name NAME] [--lock-seconds N]`: takes tasks
 * from the queue (main/queue/queue-worker.ts) until SIGTERM or SIGINT, then finishes what it holds
 * and exits 0. Needs no data directory: it writes nothing but results into Redis.
 */
import { availableParallelism, hostname } from 'node:os';
import { defaultWorkerFile } from '../engine/engine-options.js';
import { createLogger } from '../logging/logger.js';
import { parseQueueUrl, redactQueueUrl } from '../queue/queue-url.js';
import type { OptionValues } from './command-line.js';
import { EXIT, type Out, UsageError, badInput, optionalInt } from './command-support.js';

export async function worker(values: OptionValues, out: Out): Promise<number> {
  if (!values.queue) throw new UsageError('tessera worker needs --queue redis://HOST:PORT/DB');
  parseQueueUrl(values.queue);
  const concurrency = optionalInt(values.concurrency, '--concurrency') ?? availableParallelism();
  if (concurrency < 1 || concurrency > 256) throw badInput(`--concurrency must be between 1 and 256, not ${concurrency}`);
  const lockSeconds = optionalInt(values['lock-seconds'], '--lock-seconds') ?? 30;
  if (lockSeconds < 2) throw badInput(`--lock-seconds must be at least 2, not ${lockSeconds}`);
  const name = values.name ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.@-]{1,100}$/.test(name)) throw badInput(`--name may hold letters, digits, ".", "-", "_" and "@" (at most 100), not "${name}"`);
  const logger = createLogger(process.env.TESSERA_LOG_LEVEL ? undefined : 'warn');
  const { startQueueWorker } = await import('../queue/queue-worker.js');
  const running = await startQueueWorker({ url: values.queue, name, concurrency, workerFile: defaultWorkerFile(), logger, lockMs: lockSeconds * 1000 });
  // One line once it takes tasks: scripts and tests wait for it. The URL is printed without its password.
  out(`Tessera worker ${name} (pid ${process.pid}): ${concurrency} at once from ${redactQueueUrl(values.queue)}`, {
    name,
    pid: process.pid,
    concurrency,
    queue: redactQueueUrl(values.queue),
  });
  // Kept (`on`, not `once`) until the process ends: a library's exit hook (signal-exit) re-raises
  // a signal it finds no other listener for, which killed a worker that had begun to close.
  const stop = new Promise<void>((resolveStop) => {
    process.on('SIGINT', () => resolveStop());
    process.on('SIGTERM', () => resolveStop());
  });
  await stop;
  await running.close();
  return EXIT.succeeded;
}
