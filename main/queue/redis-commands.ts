/**
 * Tessera's own keys beside BullMQ's (task results, worker heartbeats, cancel flags) on an ioredis
 * connection of their own. A command sent while Redis is away waits for one reconnection attempt
 * and then fails, instead of waiting without end as BullMQ's blocking connections must: the
 * callers decide (a worker retries a result for a while; the pool's check waits and shows it).
 */
import { Redis, type RedisOptions } from 'ioredis';

export class RedisCommands {
  private readonly redis: Redis;

  constructor(options: RedisOptions) {
    this.redis = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1 });
    // Connection errors reach the command that failed; ioredis would otherwise print each one.
    this.redis.on('error', () => {});
  }

  send(command: string, args: readonly (string | Buffer | number)[]): Promise<unknown> {
    return this.redis.call(command, ...args);
  }

  close(): void {
    this.redis.disconnect();
  }
}
