/**
 * One connection to Redis speaking RESP2 over node:net (node:tls for rediss://), shaped like Bun's
 * built-in RedisClient (`send`, `connected`, `onconnect`/`onclose`, `duplicate`) so that BullMQ's
 * own Bun adapter (createBunRedisClient) drives it: BullMQ 6 ships no Redis driver (ioredis is an
 * optional peer dependency the project does not install), and its adapter already does the rest:
 * Lua scripts, transactions, reply shapes, reconnecting with backoff onto a fresh duplicate.
 *
 * What this class owns: the socket, AUTH and SELECT before anything else is sent, commands sent
 * while connecting (held until then), replies matched to commands in order (Redis answers in
 * order, blocking commands included), and rejecting everything pending when the socket closes,
 * with Bun's "Connection closed" wording, which the adapter reads to reconnect.
 */
import { type Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface RespOptions {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  tls?: object;
}

type Reply = string | number | null | Error | Reply[];

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class RespConnection {
  connected = false;
  onconnect: () => void = () => {};
  onclose: (error?: Error) => void = () => {};
  onerror: (error: Error) => void = () => {};
  private socket: Socket | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  /** Commands asked for before the connection was up: written once it is. */
  private readonly held: { frame: Buffer; pending: Pending }[] = [];

  constructor(private readonly options: RespOptions) {}

  /** Where it connects (no credentials): for messages only. */
  get url(): string {
    return `redis://${this.options.host ?? '127.0.0.1'}:${this.options.port ?? 6379}/${this.options.db ?? 0}`;
  }

  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async duplicate(): Promise<this> {
    return new RespConnection(this.options) as this;
  }

  // The three commands Bun's client has by name and BullMQ's adapter calls so.
  get(key: string): Promise<string | null> {
    return this.send('GET', [key]) as Promise<string | null>;
  }

  smembers(key: string): Promise<unknown[]> {
    return this.send('SMEMBERS', [key]) as Promise<unknown[]>;
  }

  incr(key: string): Promise<number> {
    return this.send('INCR', [key]) as Promise<number>;
  }

  // biome-ignore lint/suspicious/noExplicitAny: Bun's client shape (the adapter's) returns `Promise<any>`
  send<T = any>(command: string, args: readonly (string | Buffer | number)[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('Connection closed'));
    const frame = encodeCommand(command, args);
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { resolve: (value) => resolve(value as T), reject };
      if (this.connected && this.socket) {
        this.pending.push(pending);
        this.socket.write(frame);
      } else {
        this.held.push({ frame, pending });
        void this.connect().catch(() => {});
      }
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.failAll(new Error('Connection closed'));
  }

  private async open(): Promise<void> {
    const { host = '127.0.0.1', port = 6379 } = this.options;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = this.options.tls ? connectTls({ host, port, servername: host, ...this.options.tls }) : connectTcp({ host, port });
      const ready = this.options.tls ? 'secureConnect' : 'connect';
      s.once(ready, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    }).catch((error: Error) => {
      this.closed = true;
      this.failAll(new Error(`Connection closed: ${error.message}`));
      this.onclose(error);
      throw error;
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.onerror(error));
    socket.on('close', () => {
      const wasOpen = this.connected;
      this.connected = false;
      this.closed = true;
      this.failAll(new Error('Connection closed'));
      if (wasOpen) this.onclose(new Error('Connection closed'));
    });
    // Credentials and database first, straight on the socket: nothing else may run before them.
    const hello: Promise<unknown>[] = [];
    const direct = (command: string, args: string[]) =>
      new Promise<unknown>((resolve, reject) => {
        this.pending.push({ resolve, reject });
        socket.write(encodeCommand(command, args));
      });
    if (this.options.password) hello.push(direct('AUTH', this.options.username ? [this.options.username, this.options.password] : [this.options.password]));
    if (this.options.db) hello.push(direct('SELECT', [String(this.options.db)]));
    try {
      await Promise.all(hello);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    this.connected = true;
    for (const { frame, pending } of this.held.splice(0)) {
      this.pending.push(pending);
      socket.write(frame);
    }
    this.onconnect();
  }

  private failAll(error: Error): void {
    for (const p of this.pending.splice(0)) p.reject(error);
    for (const h of this.held.splice(0)) h.pending.reject(error);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const pending = this.pending.shift();
      if (!pending) continue; // nothing asked for it (cannot happen outside pub/sub, which is not used)
      if (parsed.value instanceof Error) pending.reject(parsed.value);
      else pending.resolve(parsed.value);
    }
  }
}

function encodeCommand(command: string, args: readonly (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');

/** One RESP2 reply from `offset`, or null when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, offset: number): { value: Reply; end: number } | null {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd < 0) return null;
  const type = buffer[offset];
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 0x2b: // +simple string
      return { value: line, end: next };
    case 0x2d: // -error
      return { value: new Error(line), end: next };
    case 0x3a: // :integer
      return { value: Number(line), end: next };
    case 0x24: {
      // $bulk string
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return null;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case 0x2a: {
      // *array
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return null;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`Redis sent a reply of unknown type ${String.fromCharCode(type ?? 0)}`);
  }
}

/**
 * Tessera's own keys (results, heartbeats, cancels) on a connection of their own, made again
 * whenever the last one closed: a command during a Redis outage fails (the callers retry or wait),
 * the next one after it connects afresh.
 */
export class RedisCommands {
  private connection: RespConnection | null = null;

  constructor(private readonly options: RespOptions) {}

  send(command: string, args: readonly (string | Buffer | number)[]): Promise<unknown> {
    if (!this.connection || this.connection.isClosed) {
      const fresh = new RespConnection(this.options);
      fresh.onerror = () => {}; // the failed command says why
      this.connection = fresh;
    }
    return this.connection.send(command, args);
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }
}
