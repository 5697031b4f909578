/** `tessera worker` and the `--queue` option of the commands that run jobs (scale-out, main/queue/). */
import type { CommandSpec, OptionSpec } from './command-specs.js';

export const QUEUE_OPTION: OptionSpec = {
  name: 'queue',
  value: 'URL',
  description:
    'send raster, vector and verify tasks to this BullMQ queue on Redis (redis://[:PASSWORD@]HOST:PORT/DB, rediss:// for TLS), where tessera worker processes take them',
  default: 'Settings › Task queue, else this machine’s own threads',
};

/** Where the engine this command opens puts a vector preseed's partition files: with --queue, workers read them by this path. */
export const SPILL_DIR_OPTION: OptionSpec = {
  name: 'spill-dir',
  value: 'DIR',
  description:
    'where vector preseeds put their partition files while they run; with --queue, tessera worker processes read them by this path, so it must be storage they mount at the same path (NFS…)',
  default: 'DATA_DIR/tmp',
};

export const WORKER_COMMANDS: readonly CommandSpec[] = [
  {
    path: ['worker'],
    summary: 'take raster, vector and verify tasks from a task queue (scale-out) until stopped',
    description:
      "Take raster blocks (read the source, warp, encode), vector partitions (read the engine's partition files, cut, encode) and verify batches (decode) from the queue and send the results back; the engine that queued them writes the tiles. Sources and partition files are read by the path the engine gave: shared storage mounted at the same path (the engine's --spill-dir for partition files), or GDAL virtual paths (/vsicurl/, /vsis3/). SIGTERM or Ctrl-C: takes nothing new, finishes what it holds, exits 0.",
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
