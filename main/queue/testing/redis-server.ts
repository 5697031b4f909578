/**
 * A real redis-server for tests: on a free loopback port, no persistence (`--save '' --appendonly
 * no`), stopped and started again on the same port to play a Redis restart (which, without
 * persistence, also loses every queued task: the worst case). `REDIS_SERVER` is null when the
 * binary is missing, for a test's `skip`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_SERVER: string | null = (() => {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
})();

export const NO_REDIS: string | false = REDIS_SERVER ? false : 'redis-server is not installed (.ci/setup installs it: apt-get install redis-server)';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    /** requirepass: clients must give it (in the URL: `redis://:PASSWORD@…`). */
    readonly password?: string,
  ) {}

  static async start(options: { password?: string } = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), options.password);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}/0`;
  }

  /** Starts it (again) on its port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child) await this.stop();
    const child = spawn(
      REDIS_SERVER!,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(this.password ? ['--requirepass', this.password] : [])],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${this.port}: ${seen}`)), 10_000);
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${seen}`));
      });
    });
    child.stdout!.resume();
  }

  /** SIGKILL at once, for a process's `exit` hook (nothing async runs there). */
  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  /** SIGTERM and wait for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** INFO memory's used_memory_peak (bytes). */
  peakMemory(): number {
    const info = spawnSync('redis-cli', ['-p', String(this.port), 'INFO', 'memory'], { encoding: 'utf8' }).stdout;
    return Number(/^used_memory_peak:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
  }
}
