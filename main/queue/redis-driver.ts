/**
 * Makes every BullMQ connection of this process a RespConnection (resp-connection.ts) behind
 * BullMQ's own Bun adapter: BullMQ 6 would otherwise `require('ioredis')`, which is not installed
 * (and cannot be required from ES modules anyway). Imported for its effect by queue-pool.ts and
 * queue-worker.ts before they make a Queue, QueueEvents or Worker.
 */
import { RedisConnection, createBunRedisClient } from 'bullmq';
import { RespConnection, type RespOptions } from './resp-connection.js';

RedisConnection.clientFactory = (opts) => createBunRedisClient(new RespConnection(opts as RespOptions));
