/**
 * Gives BullMQ its Redis driver: ioredis, BullMQ's own first-class driver (reconnecting with
 * backoff, replaying what was sent while disconnected, Lua scripts). BullMQ 6 keeps ioredis an
 * optional peer dependency and, left to itself, loads it with `require`, which an ES module
 * process does not have; so every connection BullMQ makes in this process is built here.
 * Imported for its effect by queue-pool.ts and queue-worker.ts before they make a Queue,
 * QueueEvents or Worker.
 */
import { RedisConnection, createIORedisClient } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** Set while withClients builds: the clients made meanwhile. */
let collecting: Redis[] | null = null;

RedisConnection.clientFactory = (opts) => {
  const { url, ...options } = opts as RedisOptions & { url?: string };
  const client = url === undefined ? new Redis(options) : new Redis(url, options);
  collecting?.push(client);
  return createIORedisClient(client);
};

/**
 * What `make` builds (a Queue, a QueueEvents) and the ioredis clients BullMQ made for it while it
 * was built (BullMQ makes them in its constructors): a close that outlives its bound disconnects
 * them, as BullMQ's own close may wait without end (a `quit` queued while Redis is away, a
 * connection that never becomes ready after WRONGPASS).
 */
export function withClients<T>(make: () => T): { value: T; clients: { disconnect(): void }[] } {
  const clients: Redis[] = [];
  collecting = clients;
  try {
    return { value: make(), clients };
  } finally {
    collecting = null;
  }
}

/** Whether `work` settled within `ms` (its outcome ignored): a close that must end in bounded time. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
