/** `tessera worker` and the `--queue` option of the commands that run jobs (scale-out, main/queue/). */
import type { CommandSpec, OptionSpec } from './command-specs.js';

export const QUEUE_OPTION: OptionSpec = {
  name: 'queue',
  value: 'URL',
  description:
    'send raster and verify tasks to this BullMQ queue on Redis (redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS), where tessera worker processes take them',
  default: 'Settings › Task queue, else this machine’s own threads',
};

export const WORKER_COMMANDS: readonly CommandSpec[] = [
  {
    path: ['worker'],
    summary: 'take raster and verify tasks from a task queue (scale-out) until stopped',
    description:
      'Take raster blocks (read the source, warp, encode) and verify batches (decode) from the queue and send the results back; the engine that queued them writes the tiles. Sources are read by the path the engine gave: shared storage mounted at the same path, or GDAL virtual paths (/vsicurl/, /vsis3/). SIGTERM or Ctrl-C: takes nothing new, finishes what it holds, exits 0.',
    options: [
      { ...QUEUE_OPTION, description: 'the BullMQ queue on Redis: redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS', default: undefined, required: true },
      {
        name: 'concurrency',
        value: 'N',
        description: 'worker threads; it holds twice as many tasks, so the next is fetched while one is encoded',
        default: 'the cores',
      },
      { name: 'name', value: 'NAME', description: 'the name shown in the Workers view and in the errors of tasks it fails', default: 'HOST-PID' },
      {
        name: 'lock-seconds',
        value: 'N',
        description: 'how long a task stays with this worker without a lock renewal before the queue gives it to another (a killed worker)',
        default: '30',
      },
    ],
    examples: [
      'tessera worker --queue redis://queue.example:6379/0',
      'tessera worker --queue rediss://:s3cret@queue.example:6380/2 --concurrency 8 --name render-07',
    ],
  },
];
