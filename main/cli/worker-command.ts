/**
 * `tessera worker --queue URL [--concurrency N] [--name NAME] [--lock-seconds N]` (or the URL in
 * TESSERA_TASK_QUEUE, out of `ps`; main/cli/tessera.ts reads it): takes tasks
 * from the queue (main/queue/queue-worker.ts) until SIGTERM or SIGINT, then finishes what it holds
 * and exits 0. Needs no data directory: it writes nothing but results into Redis.
 */
import { availableParallelism, hostname } from 'node:os';
import { defaultWorkerFile } from '../engine/engine-options.js';
import { createLogger } from '../logging/logger.js';
import { parseQueueUrl, redactQueueUrl } from '../queue/queue-url.js';
import type { OptionValues } from './command-line.js';
import { EXIT, type Out, QUEUE_ENV, UsageError, badInput, optionalInt } from './command-support.js';

export async function worker(values: OptionValues, out: Out): Promise<number> {
  if (!values.queue) throw new UsageError(`tessera worker needs --queue redis://HOST:PORT/DB, or the URL in ${QUEUE_ENV} (keeps its password out of ps)`);
  parseQueueUrl(values.queue);
  const concurrency = optionalInt(values.concurrency, '--concurrency') ?? availableParallelism();
  if (concurrency < 1 || concurrency > 256) throw badInput(`--concurrency must be between 1 and 256, not ${concurrency}`);
  const lockSeconds = optionalInt(values['lock-seconds'], '--lock-seconds') ?? 30;
  if (lockSeconds < 2) throw badInput(`--lock-seconds must be at least 2, not ${lockSeconds}`);
  const name = values.name ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.@-]{1,100}$/.test(name)) throw badInput(`--name may hold letters, digits, ".", "-", "_" and "@" (at most 100), not "${name}"`);
  // Listening before anything starts, and before the line below is printed: a SIGTERM sent as soon as
  // the line is read used to find no listener about 1 run in 8 on a loaded machine (the process was
  // preempted between writing the line and adding its listeners, so the signal's default action
  // ended it), and one sent while it connects must stop it cleanly too. Kept (`on`, not `once`)
  // until the process ends, so a second signal during the close is not fatal either.
  let stopping = false;
  const stop = new Promise<void>((resolveStop) => {
    const request = () => {
      stopping = true;
      resolveStop();
    };
    process.on('SIGINT', request);
    process.on('SIGTERM', request);
  });
  const logger = createLogger(process.env.TESSERA_LOG_LEVEL ? undefined : 'warn');
  const { startQueueWorker } = await import('../queue/queue-worker.js');
  const running = await startQueueWorker({ url: values.queue, name, concurrency, workerFile: defaultWorkerFile(), logger, lockMs: lockSeconds * 1000 });
  // One line once it takes tasks: scripts and tests wait for it. The URL is printed without its password.
  if (!stopping)
    out(`Tessera worker ${name} (pid ${process.pid}): ${concurrency} at once from ${redactQueueUrl(values.queue)}`, {
      name,
      pid: process.pid,
      concurrency,
      queue: redactQueueUrl(values.queue),
    });
  await stop;
  await running.close();
  return EXIT.succeeded;
}
