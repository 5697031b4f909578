/**
 * The desktop app's way in for the `tessera` commands (the CLI's client mode): while the app holds
 * the data directory, the same headless host `tessera serve` runs listens on a free loopback port
 * (its per-launch token, Host/Origin checks and no CORS unchanged), and the connection file tells
 * this user's commands where it is (0600, removed at close). Without it a command run beside the
 * app would meet DATA_DIR_LOCKED.
 */
import { writeConnectionFile } from './connection-file.js';
import type { HostLogger } from './headless-host.js';
import { type HostedEngine, startHeadless } from './start-headless.js';

export interface ClientChannel {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Removes the connection file, then stops the host. */
  close(): Promise<void>;
}

/** Starts the loopback host on `engine` and leaves its connection file in the engine's data directory. */
export async function offerClientChannel(
  engine: HostedEngine,
  options: { logger?: HostLogger & { error(message: string, data?: object): void }; rendererDir?: string } = {},
): Promise<ClientChannel> {
  const host = await startHeadless(engine, { ...options, host: '127.0.0.1', port: 0 });
  let remove: () => void;
  try {
    remove = writeConnectionFile(engine.dataDir, host.origin, host.token);
  } catch (error) {
    await host.close();
    throw error;
  }
  return {
    origin: host.origin,
    async close() {
      remove();
      await host.close();
    },
  };
}
