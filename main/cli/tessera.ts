/**
 * The `tessera` command: the same engine and data directory as the desktop app, from a terminal.
 *
 * Every command takes --data-dir and --json (one JSON document on stdout; progress and logs on
 * stderr). Exit codes: 0 succeeded, 1 failed, 2 bad usage or input, 3 partial, 130 cancelled.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CatalogDataset, JobState, JobSummary, ReportFormat, RequestResult } from '../../shared/contract.js';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { defaultDataDir, prepareDataDir } from '../engine/data-dir.js';
// The engine, the hosts and what they load (GDAL, sharp, the worker pool) are imported by the
// commands that run jobs or serve, never by the read-only ones (jobs list|show|report, catalog
// list|show), which answer from the store alone.
import type { Engine } from '../engine/engine.js';
import { formatBytes } from '../../shared/format.js';
import { createLogger } from '../logging/logger.js';
import { parseRequest } from '../engine/handlers.js';
import { isLoopbackHost } from '../hosts/http-security.js';
import { type ReadOnlyHandlers, openReadOnly } from '../engine/read-only-handlers.js';
import { allRows, request } from './request.js';
import { PreseedUsageError, formatEstimate, preseedInput } from './preseed-command.js';
import { CatalogUsageError, catalogCommand, ingestInput } from './catalog-command.js';
import { MIGRATE_USAGE, MigrateUsageError, migrateEsriInput } from './migrate-command.js';
import { CommandLineError, type OptionValues, parseCommandLine } from './command-line.js';
import { commandHelp, commandName, findCommand, foreignOption } from './command-specs.js';
import { formatJobSummary } from './job-summary.js';
import { ProgressBar } from './progress-bar.js';

const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv', 'html', 'pdf'];

export const EXIT = { succeeded: 0, failed: 1, usage: 2, partial: 3, cancelled: 130 } as const;

/** The overview (`tessera --help`); each command's own help comes from command-specs.ts. */
const USAGE = `Usage: tessera <command> [options]

Commands:
  serve [--port N] [--host ADDR] [--allowed-host NAME]   start the headless console; prints its URL
  verify <cache> [--min-zoom N] [--max-zoom N] [--max-tile-bytes N]
                                                       decode every tile of an MBTiles, PMTiles or tile directory
  preseed raster <dataset...> --zoom MIN-MAX -o OUT [--bbox W,S,E,N] [--coverage FILE] [--tile-size 256|512]
         [--format png|jpeg|webp] [--quality N] [--png-palette] [--resampling nearest|bilinear|cubic|lanczos|average]
         [--scale auto|MIN,MAX] [--mode resume|overwrite|refresh] [--older-than TIME] [--title T] [--dry-run]
  preseed vector <source...> --zoom MIN-MAX -o OUT [--layer NAME[:MINZ-MAXZ]]... [--attributes a,b]
         [--bbox W,S,E,N] [--coverage FILE] [--max-tile-bytes N] [--thin] [--mode ...] [--older-than TIME] [--dry-run]
                                                       make a tile cache; OUT.mbtiles, OUT.pmtiles or a tile directory
  ${MIGRATE_USAGE}
  ingest <file...> [--crs EPSG:N] [--target-crs CRS] [--quota BYTES]
                                                       files (GeoPackage, Shapefile, GeoJSON, GeoTIFF, ZIP…) into the catalogue
  catalog list [--kind vector|raster] [--text T] [--limit N] [--cursor C]
  catalog show <id>                                    a dataset: layers, CRS, extent, counts, size, source
  catalog delete <id>...                               delete datasets and their files
  jobs list [--state S]... [--kind K] [--text T] [--from ISO] [--to ISO] [--limit N] [--cursor C]
  jobs show <id>                                       a job, its items and its recent events
  jobs cancel <id>...                                  cancel queued or interrupted jobs
  jobs retry <id>...                                   re-run what did not succeed (alias: resume) and wait
  jobs report <id> [--format json|csv|html|pdf] [-o FILE]  export a job's report

Options for every command:
  --data-dir DIR   data directory (default: TESSERA_DATA_DIR or the per-user app data folder)
  --json           print one JSON document on stdout
  -h, --help       this help; tessera <command> --help (or tessera help <command>) for a command's
                   options, their defaults and examples
An option's value may start with "-" (--bbox -10,40,5,50, --scale -100,3000); "--" ends the options.

Exit codes: 0 succeeded, 1 failed, 2 bad usage or input, 3 partial, 130 cancelled.`;

class UsageError extends Error {}

/** Errors that mean the command asked for something that cannot be (exit 2), not that work failed. */
const USAGE_CODES: ReadonlySet<string> = new Set(['BAD_INPUT', 'NOT_FOUND', 'BAD_CURSOR', 'CACHE_UNREADABLE', 'ILLEGAL_TRANSITION']);

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = false;
  // Where a usage error points: the command's own help once the command is known.
  let helpHint = 'tessera --help';
  try {
    const guessed = findCommand(argv.filter((a) => !a.startsWith('-')));
    if (guessed) helpHint = `${commandName(guessed)} --help`;
    const { values, positionals } = parseCommandLine(argv);
    json = values.json ?? false;
    const [command, ...rest] = positionals;
    if (values.help || !command || command === 'help') {
      const path = command === 'help' ? rest : positionals;
      if (path.length === 0) {
        io.stdout.write(`${USAGE}\n`);
        return command || values.help ? EXIT.succeeded : EXIT.usage;
      }
      const spec = findCommand(path);
      if (!spec) throw new UsageError(`unknown command: ${path.join(' ')}`);
      io.stdout.write(commandHelp(spec));
      return EXIT.succeeded;
    }
    const spec = findCommand(positionals);
    if (spec) {
      helpHint = `${commandName(spec)} --help`;
      const foreign = foreignOption(spec, values);
      if (foreign) throw new UsageError(foreign);
    }
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    const out = (human: string, doc: unknown) => io.stdout.write(json ? `${JSON.stringify(doc, null, command === 'serve' ? undefined : 2)}\n` : `${human}\n`);

    switch (command) {
      case 'serve':
        return await serve(dataDir, values, out);
      case 'verify': {
        if (rest.length !== 1) throw new UsageError('verify takes exactly one cache: tessera verify <cache>');
        const params = {
          cache: resolve(rest[0]!),
          minZoom: optionalInt(values['min-zoom'], '--min-zoom'),
          maxZoom: optionalInt(values['max-zoom'], '--max-zoom'),
          maxTileBytes: optionalInt(values['max-tile-bytes'], '--max-tile-bytes'),
        };
        return await runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', { kind: 'verify', params: stripUndefined(params) }));
      }
      case 'preseed': {
        const [kind, ...inputs] = rest;
        const input = preseedInput(kind, inputs, values);
        if (values['dry-run']) {
          const engine = await openEngine(dataDir, 'tessera (cli)');
          try {
            const estimate = await request(engine.handlers, 'jobs.estimate', input);
            out(formatEstimate(estimate), estimate);
            return estimate.storage.problem ? EXIT.failed : EXIT.succeeded;
          } finally {
            await engine.close();
          }
        }
        return await runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', input));
      }
      case 'migrate':
        return await runJob(dataDir, io, json, async (engine) =>
          request(engine.handlers, 'jobs.start', await migrateEsriInput(rest, values, engine.credentials)),
        );
      case 'ingest': {
        const input = ingestInput(rest, values);
        return await runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', input));
      }
      case 'catalog':
        if (values['data-dir'] !== undefined) assertHasStore(dataDir);
        return await catalogCommand(dataDir, rest, values, out, (line) => io.stderr.write(`${line}\n`));
      case 'jobs':
        if (values['data-dir'] !== undefined) assertHasStore(dataDir);
        return await jobs(dataDir, rest, values, io, json, out);
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    return reportError(error, io, json, helpHint);
  }
}

async function jobs(
  dataDir: string,
  args: string[],
  values: Record<string, unknown>,
  io: Io,
  json: boolean,
  out: (human: string, doc: unknown) => void,
): Promise<number> {
  const [sub, ...ids] = args;
  switch (sub) {
    case 'list': {
      const input = parseRequest('jobs.list', {
        filter: stripUndefined({
          states: values.state as string[] | undefined,
          kinds: values.kind as string[] | undefined,
          text: values.text,
          createdFrom: values.from,
          createdTo: values.to,
        }),
        cursor: values.cursor,
        limit: optionalInt(values.limit as string | undefined, '--limit') ?? 50,
      });
      const page = await withReadOnly(dataDir, (handlers) => (handlers ? request(handlers, 'jobs.list', input) : { rows: [], nextCursor: null }));
      out(formatJobTable(page.rows) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''), page);
      return EXIT.succeeded;
    }
    case 'show': {
      const id = jobId(ids, 'show');
      const shown = await withReadOnly(dataDir, async (handlers) => {
        if (!handlers) throw new TesseraError('NOT_FOUND', `job ${id} does not exist (no job store in ${dataDir} yet)`, { details: { id } });
        return {
          job: await request(handlers, 'jobs.get', { id }),
          items: (await request(handlers, 'jobs.items', { id, limit: 1000 })).rows,
          events: await request(handlers, 'jobs.events', { id, limit: 1000 }),
        };
      });
      out(formatJobDetail(shown), shown);
      return EXIT.succeeded;
    }
    case 'report': {
      const id = jobId(ids, 'report');
      const format = (values.format ?? 'json') as ReportFormat;
      if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not ${format}`);
      const report = await withReadOnly(dataDir, (handlers) => {
        if (!handlers) throw new TesseraError('NOT_FOUND', `job ${id} does not exist (no job store in ${dataDir} yet)`, { details: { id } });
        return request(handlers, 'jobs.report', { id, format });
      });
      const bytes = Buffer.from(report.content, report.encoding);
      if (values.output) {
        await writeFile(values.output as string, bytes);
        out(`wrote ${values.output}`, {
          file: resolve(values.output as string),
          fileName: report.fileName,
          mimeType: report.mimeType,
          bytes: bytes.byteLength,
        });
      } else if (report.encoding === 'base64' && io.stdout.isTTY) {
        throw new UsageError(`a ${format} report is binary: write it to a file with -o ${report.fileName}`);
      } else io.stdout.write(report.encoding === 'utf8' && !report.content.endsWith('\n') ? `${report.content}\n` : bytes);
      return EXIT.succeeded;
    }
    case 'cancel': {
      const list = jobIds(ids, 'cancel');
      const engine = await openEngine(dataDir, 'tessera jobs cancel');
      try {
        const result = await request(engine.handlers, 'jobs.cancel', { ids: list });
        // What was cancelled on stdout; each refusal on stderr, and a refusal of what the command
        // asked (no such job, a finished one) is bad input: exit 2.
        if (json) out('', result);
        else if (result.ok.length > 0) out(result.ok.map((id) => `job ${id}: cancelled`).join('\n'), result);
        for (const f of result.failed) if (!json) io.stderr.write(`job ${f.id}: ${f.error.code}: ${f.error.message}\n`);
        if (result.failed.length === 0) return EXIT.succeeded;
        return result.failed.every((f) => USAGE_CODES.has(f.error.code)) ? EXIT.usage : EXIT.failed;
      } finally {
        await engine.close();
      }
    }
    case 'retry':
    case 'resume': {
      const list = jobIds(ids, sub);
      let code: number = EXIT.succeeded;
      for (const id of list) {
        const c = await runJob(dataDir, io, json, async (engine) => {
          const result = await request(engine.handlers, 'jobs.retry', { ids: [id] });
          const failure = result.failed[0] && toTesseraError(result.failed[0].error);
          if (failure?.code === 'ILLEGAL_TRANSITION') {
            const from = (failure.details as { from?: string } | undefined)?.from ?? (await request(engine.handlers, 'jobs.get', { id })).state;
            throw new TesseraError('ILLEGAL_TRANSITION', `job ${id} is ${from}; only failed, partial, cancelled or interrupted jobs can be resumed`, {
              details: failure.details,
            });
          }
          if (failure) throw failure;
          return request(engine.handlers, 'jobs.get', { id });
        });
        code = Math.max(code, c);
      }
      return code;
    }
    default:
      throw new UsageError(`unknown jobs command: ${sub ?? '(none)'}; expected list, show, cancel, retry or report`);
  }
}

/** Runs one job in this process to its end, with a progress bar and Ctrl-C as cancel. */
async function runJob(dataDir: string, io: Io, json: boolean, submit: (engine: Engine) => Promise<JobSummary> | JobSummary): Promise<number> {
  const engine = await openEngine(dataDir, 'tessera (cli)');
  const bar = new ProgressBar(io.stderr);
  let interrupts = 0;
  let jobIdValue = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    io.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    if (jobIdValue) request(engine.handlers, 'jobs.cancel', { ids: [jobIdValue] }).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  const off = engine.events.on('job.progress', (p) => {
    if (p.jobId === jobIdValue) bar.update(p);
  });
  try {
    const job = await submit(engine);
    jobIdValue = job.id;
    if (!json) io.stderr.write(`job ${job.id}: ${job.name}\n`);
    const final = await engine.waitFor(job.id);
    // Datasets the job added to the catalogue leave analysed (counts, thumbnails, previews)
    // (closing the engine would leave them for its next start).
    await engine.catalog.analysesDone();
    bar.done();
    const items = (await request(engine.handlers, 'jobs.items', { id: job.id, limit: 1000 })).rows;
    const issues = await allRows(engine.handlers, 'jobs.tileIssues', { id: job.id, limit: 5000 });
    if (json) io.stdout.write(`${JSON.stringify({ job: final, items, tileIssues: issues }, null, 2)}\n`);
    else io.stdout.write(`${formatJobSummary({ job: final, items, datasets: await datasetsMadeBy(engine, job.id), dataDir })}\n${formatIssues(issues)}`);
    return exitCodeFor(final.state);
  } finally {
    off();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

async function serve(dataDir: string, values: OptionValues, out: (human: string, doc: unknown) => void): Promise<number> {
  // Checked before the engine opens: a bad address or port is the command line's fault (exit 2).
  const port = optionalInt(values.port, '--port') ?? 7340;
  if (port > 65_535) throw badInput(`--port must be between 0 and 65535, not ${port}`);
  const bindHost = values.host ?? '127.0.0.1';
  if (isIP(bindHost) === 0) {
    try {
      await lookup(bindHost);
    } catch {
      throw badInput(`--host ${bindHost} is neither an IP address nor a host name that resolves`);
    }
  }
  const logger = createLogger();
  // Beyond loopback every path a request names must lie in a data root (engine/path-policy.ts).
  const engine = await openEngine(dataDir, 'tessera serve', { exposed: !isLoopbackHost(bindHost) });
  const version = await packageVersion();
  let host;
  try {
    const { startHeadless } = await import('../hosts/start-headless.js');
    host = await startHeadless(engine, { host: bindHost, port, allowedHosts: values['allowed-host'] ?? [], logger });
  } catch (error) {
    await engine.close();
    throw listenError(error, bindHost, port);
  }
  // One line, printed once the host listens: scripts (and the end-to-end tests) read the URL from it.
  out(`Tessera ${version} console: ${host.url}\n(data directory ${dataDir}; Ctrl-C to stop)`, { url: host.url, dataDir, port: host.port });
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await engine.close();
  return EXIT.succeeded;
}

async function openEngine(dataDir: string, holder: string, extra: { exposed?: boolean } = {}): Promise<Engine> {
  const { Engine } = await import('../engine/engine.js');
  return Engine.open({
    ...extra,
    dataDir,
    host: 'headless',
    holder,
    version: await packageVersion(),
    logger: createLogger(process.env.TESSERA_LOG_LEVEL ? undefined : 'warn'),
  });
}

/**
 * A data directory named with --data-dir for reading jobs or the catalogue must hold a job store:
 * a typo or a wrong folder answered with "no jobs" (exit 0) would read as an empty history. (The
 * default directory of a fresh install is simply empty.)
 */
function assertHasStore(dataDir: string): void {
  if (!prepareDataDir(dataDir, { create: false })) throw badInput(`data directory ${dataDir} does not exist; check --data-dir`);
  if (!existsSync(join(dataDir, 'jobs.sqlite')))
    throw badInput(`data directory ${dataDir} holds no Tessera job store (no jobs.sqlite: nothing has run there); check --data-dir`);
}

/**
 * Answers list/show/report through the read-only handlers, without an engine (no GDAL, sharp or
 * pool). When no engine owns the data directory, this is also a start-up: jobs left running by a
 * process that died are marked interrupted first, so they show as what they are. When an engine
 * owns it, this only reads (WAL lets a reader run beside it). Null: no job store there yet.
 */
async function withReadOnly<T>(dataDir: string, read: (handlers: ReadOnlyHandlers | null) => T | Promise<T>): Promise<T> {
  const opened = openReadOnly(dataDir, { holder: 'tessera (read)' });
  try {
    return await read(opened?.handlers ?? null);
  } finally {
    opened?.close();
  }
}

/**
 * The datasets a job added to the catalogue (or last refreshed), oldest first, for its summary. The
 * contract has no filter by job on catalog.list: the catalogue is read page by page and filtered here.
 */
async function datasetsMadeBy(engine: Engine, jobId: number): Promise<CatalogDataset[]> {
  const all = await allRows(engine.handlers, 'catalog.list', { limit: 1000 });
  return all.filter((d) => d.jobId === jobId).sort((a, b) => a.id - b.id);
}

export function exitCodeFor(state: JobState): number {
  switch (state) {
    case 'succeeded':
      return EXIT.succeeded;
    case 'partial':
      return EXIT.partial;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}

function reportError(error: unknown, io: Io, json: boolean, helpHint = 'tessera --help'): number {
  const usage =
    error instanceof UsageError ||
    error instanceof PreseedUsageError ||
    error instanceof CatalogUsageError ||
    error instanceof MigrateUsageError ||
    error instanceof CommandLineError;
  const e = usage ? new TesseraError('BAD_INPUT', (error as Error).message) : toTesseraError(error);
  const code = usage || USAGE_CODES.has(e.code) ? EXIT.usage : EXIT.failed;
  if (json) io.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
  // One line: the refusal, and for a usage error where the command's options are described.
  io.stderr.write(`tessera: ${e.code}: ${e.message}${usage ? ` (see ${helpHint})` : ''}\n`);
  return code;
}

/** A refusal that is not about the command line's syntax: one line, no pointer to --help. */
function badInput(message: string): TesseraError {
  return new TesseraError('BAD_INPUT', message);
}

/** Why the host could not listen, as the user can act on it (exit 2); other errors pass through. */
function listenError(error: unknown, host: string, port: number): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return badInput(`port ${port} on ${host} is in use by another program; choose another with --port (0 picks a free one)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return badInput(`--host ${host} is not an address of this machine`);
    case 'EACCES':
      return badInput(`port ${port} on ${host} needs privileges this process lacks; use a port above 1023`);
    case 'ERR_SOCKET_BAD_PORT':
      return badInput(`--port must be between 0 and 65535, not ${port}`);
    default:
      return error;
  }
}

function optionalInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^-\d+$/.test(value)) throw new UsageError(`${flag} must not be negative, not ${value}`);
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

function jobId(args: string[], sub: string): number {
  const list = jobIds(args, sub);
  if (list.length !== 1) throw new UsageError(`jobs ${sub} takes exactly one job id`);
  return list[0]!;
}

function jobIds(args: string[], sub: string): number[] {
  if (args.length === 0) throw new UsageError(`jobs ${sub} needs at least one job id`);
  return args.map((a) => {
    if (!/^[1-9]\d*$/.test(a)) throw new UsageError(`not a job id: "${a}"`);
    return Number(a);
  });
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function formatJobTable(rows: JobSummary[]): string {
  if (rows.length === 0) return 'no jobs';
  const lines = rows.map((j) =>
    [
      String(j.id).padStart(6),
      j.state.padEnd(11),
      j.kind.padEnd(8),
      `${j.progress.done}/${j.progress.total}`.padStart(15),
      j.createdAt.slice(0, 19).replace('T', ' '),
      j.name,
    ].join('  '),
  );
  return [`${'id'.padStart(6)}  ${'state'.padEnd(11)}  ${'kind'.padEnd(8)}  ${'done/total'.padStart(15)}  ${'created (UTC)'.padEnd(19)}  name`, ...lines].join(
    '\n',
  );
}

function formatJobDetail(d: { job: JobSummary; items: RequestResult<'jobs.items'>['rows']; events: RequestResult<'jobs.events'> }): string {
  const j = d.job;
  const lines = [
    `job ${j.id} (${j.kind}) ${j.name}: ${j.state}`,
    `  created ${j.createdAt}${j.startedAt ? `, started ${j.startedAt}` : ''}${j.finishedAt ? `, finished ${j.finishedAt}` : ''}`,
    `  progress ${j.progress.done}/${j.progress.total}, ${j.progress.failed} bad, ${formatBytes(j.progress.bytes)}`,
    ...(j.error ? [`  error ${j.error.code}: ${j.error.message}`] : []),
    `  items (${j.items.total}: ${j.items.succeeded} succeeded, ${j.items.failed} failed, ${j.items.cancelled} cancelled, ${j.items.queued} queued):`,
    ...d.items.map(
      (i) =>
        `    ${i.label.padEnd(12)} ${i.state.padEnd(9)} ${`${i.done}/${i.total}`.padStart(13)} attempts ${i.attempts}${i.result ? ` ${JSON.stringify(i.result)}` : ''}${i.error ? `  ${i.error.code}: ${i.error.message}` : ''}`,
    ),
  ];
  if (d.events.length) lines.push('  events:', ...d.events.map((e) => `    ${e.at}  ${e.type.padEnd(16)} ${e.message}`));
  return lines.join('\n');
}

function formatIssues(issues: RequestResult<'jobs.tileIssues'>['rows']): string {
  if (issues.length === 0) return '';
  const shown = issues.slice(0, 50).map((t) => `  ${t.issue.padEnd(9)} ${t.z}/${t.x}/${t.y}  ${t.detail}`);
  const more = issues.length > shown.length ? [`  … and ${issues.length - shown.length} more (tessera jobs report <id>)`] : [];
  return `tile issues (z/x/y, XYZ):\n${[...shown, ...more].join('\n')}\n`;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}
