/**
 * What every `tessera` command shares: the exit codes, the usage error, the output callback, the
 * option checks, and the two ways to reach a data directory (a whole engine, opened lazily, or the
 * read-only handlers, which load no GDAL, sharp or worker pool).
 */
import { parseQueueUrl } from '../queue/queue-url.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../../shared/errors.js';
import { prepareDataDir } from '../engine/data-dir.js';
// The engine and what it loads (GDAL, sharp, the worker pool) are imported by the commands that
// run jobs or serve, never by the read-only ones (jobs list|show|report, catalog list|show), which
// answer from the store alone. The store, the logger (pino) and the console's client are imported
// when a command reaches for them too: `tessera --help` needs none of them.
import type { Engine, EngineOptions } from '../engine/engine.js';
import { readConnection } from '../hosts/connection-file.js';
import type { OpenReadOnlyOptions, ReadOnlyStoreHandlers } from '../engine/read-only-handlers.js';
import { UsageError } from './usage-error.js';

export { UsageError };

export const EXIT = { succeeded: 0, failed: 1, usage: 2, partial: 3, cancelled: 130 } as const;

/** Errors that mean the command asked for something that cannot be (exit 2), not that work failed. */
export const USAGE_CODES: ReadonlySet<string> = new Set(['BAD_INPUT', 'NOT_FOUND', 'BAD_CURSOR', 'CACHE_UNREADABLE', 'ILLEGAL_TRANSITION']);

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Prints a result: the human text, or with --json the document. */
export type Out = (human: string, doc: unknown) => void;

/** A refusal that is not about the command line's syntax: one line, no pointer to --help. */
export function badInput(message: string): TesseraError {
  return new TesseraError('BAD_INPUT', message);
}

export function optionalInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^-\d+$/.test(value)) throw new UsageError(`${flag} must not be negative, not ${value}`);
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

export function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The paging line under a table: how to ask for the next page, if there is one. */
export function morePages(nextCursor: string | null): string {
  return nextCursor ? `\nmore: --cursor ${nextCursor}` : '';
}

export async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The task queue's URL when a command is given no `--queue`: the environment keeps Redis's
 * password out of argv (`ps`, shell history). Also how `tessera serve` hands it to its engine.
 */
export const QUEUE_ENV = 'TESSERA_TASK_QUEUE';

/** `--queue` as typed, else QUEUE_ENV's URL for a command that takes `--queue` (an empty variable is none). */
export function queueOption(value: string | undefined, takesQueue: boolean): string | undefined {
  return value ?? (takesQueue && process.env[QUEUE_ENV] ? process.env[QUEUE_ENV] : undefined);
}

/** `--queue` of this command line, checked (BAD_INPUT, exit 2): the engines this process opens send tasks there. */
let commandQueue: string | undefined;
export function setCommandQueue(url: string | undefined): void {
  if (url !== undefined) parseQueueUrl(url);
  commandQueue = url;
}

/** `--spill-dir` of this command line, absolute: where the engines this process opens put partition files. */
let commandSpillDir: string | undefined;
export function setCommandSpillDir(dir: string | undefined): void {
  commandSpillDir = dir === undefined ? undefined : resolve(dir);
}

/** Opens the engine on `dataDir` (taking its lock), importing it only now. */
export async function openEngine(
  dataDir: string,
  holder: string,
  extra: Pick<EngineOptions, 'exposed' | 'stacPublish'> & { planSources?: string[] } = {},
): Promise<Engine> {
  const [{ Engine }, { createLogger }] = await Promise.all([import('../engine/engine.js'), import('../logging/logger.js')]);
  return Engine.open({
    ...extra,
    ...(commandQueue ? { queue: commandQueue } : {}),
    ...(commandSpillDir ? { spillDir: commandSpillDir } : {}),
    dataDir,
    host: 'headless',
    holder,
    version: await packageVersion(),
    logger: createLogger(process.env.TESSERA_LOG_LEVEL ? undefined : 'warn'),
  });
}

/**
 * Answers through the read-only handlers, without an engine (no GDAL, sharp or pool), and closes
 * them after. WAL would let such a reader run beside an engine that owns the data directory, but
 * while a console offers its connection the answer is asked of it (client mode), as the other
 * commands' are. Null: no store there yet.
 */
export async function withReadOnly<T>(
  dataDir: string,
  options: OpenReadOnlyOptions,
  read: (handlers: ReadOnlyStoreHandlers | null) => T | Promise<T>,
): Promise<T> {
  const connection = readConnection(dataDir);
  if (connection) return read((await import('./engine-client.js')).remoteHandlers(connection));
  const opened = (await import('../engine/read-only-handlers.js')).openReadOnly(dataDir, options);
  try {
    return await read(opened?.handlers ?? null);
  } finally {
    opened?.close();
  }
}

/**
 * A data directory named with --data-dir for reading jobs or the catalogue must hold a job store:
 * a typo or a wrong folder answered with "no jobs" (exit 0) would read as an empty history. (The
 * default directory of a fresh install is simply empty.)
 */
export function assertHasStore(dataDir: string): void {
  if (!prepareDataDir(dataDir, { create: false })) throw badInput(`data directory ${dataDir} does not exist; check --data-dir`);
  if (!existsSync(join(dataDir, 'jobs.sqlite')))
    throw badInput(`data directory ${dataDir} holds no Tessera job store (no jobs.sqlite: nothing has run there); check --data-dir`);
}
