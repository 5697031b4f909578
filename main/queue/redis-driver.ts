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

RedisConnection.clientFactory = (opts) => {
  const { url, ...options } = opts as RedisOptions & { url?: string };
  return createIORedisClient(url === undefined ? new Redis(options) : new Redis(url, options));
};
