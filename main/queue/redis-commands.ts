/**
 * Tessera's own keys beside BullMQ's (task results, worker heartbeats, cancel flags) on an ioredis
 * connection of their own. A command sent while Redis is away waits for one reconnection attempt
 * and then fails, instead of waiting without end as BullMQ's blocking connections must: the
 * callers decide (a worker retries a result for a while; the pool's check waits and shows it).
 */
import { Redis, type RedisOptions } from 'ioredis';

const COMMAND_TIMEOUT_MS = 5000;

export class RedisCommands {
  private readonly redis: Redis;

  constructor(options: RedisOptions) {
    // commandTimeout bounds what a reconnection loop could otherwise hold for ever (seen: a DEL sent
    // after many failed attempts waited on); every caller handles a failed command.
    this.redis = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    // Connection errors reach the command that failed; ioredis would otherwise print each one.
    this.redis.on('error', () => {});
  }

  send(command: string, args: readonly (string | Buffer | number)[]): Promise<unknown> {
    return this.redis.call(command, ...args);
  }

  /** Connected now: a command sent would go out at once, not wait for a reconnection. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  close(): void {
    this.redis.disconnect();
  }
}
