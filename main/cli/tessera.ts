/**
 * The `tessera` command: the same engine and data directory as the desktop app, from a terminal.
 *
 * Every command takes --data-dir and --json (one JSON document on stdout; progress and logs on
 * stderr). Exit codes: 0 succeeded, 1 failed, 2 bad usage or input, 3 partial, 130 cancelled.
 *
 * This module reads the command line and hands each command to its module (serve-command.ts,
 * jobs-command.ts, preseed-command.ts, catalog-command.ts, migrate-command.ts; run-job.ts runs a job
 * to its end); what they share is in command-support.ts.
 */
import type { TruncateParams } from '../../shared/contract.js';
import { resolve } from 'node:path';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { defaultDataDir } from '../engine/data-dir.js';
import { CommandLineError, parseCommandLine } from './command-line.js';
import { type CommandSpec, commandHelp, commandName, findCommand, foreignOption } from './command-specs.js';
import {
  EXIT,
  type Io,
  type Out,
  USAGE_CODES,
  UsageError,
  assertHasStore,
  optionalInt,
  packageVersion,
  setCommandQueue,
  setCommandSpillDir,
  stripUndefined,
  queueOption,
} from './command-support.js';
import { MIGRATE_USAGE } from './migrate-command.js';

// Each command's module is imported when that command runs: `tessera jobs list` over a big store
// must not first load the job runner, the engine's client, the zod schemas of every kind or the
// console host (issue 14). Only what every command needs (the command line, its specs, the exit
// codes) is imported above.
const engineFor = () => import('./job-engine.js');
const jobRunner = () => import('./run-job.js');
const requests = () => import('./request.js');

export { EXIT } from './command-support.js';

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
  ingest <file...> [--crs EPSG:N] [--target-crs CRS] [--quota BYTES] [--wait-analysis]
                                                       files (GeoPackage, Shapefile, GeoJSON, GeoTIFF, ZIP…) into the catalogue
  catalog list [--kind vector|raster] [--text T] [--limit N] [--cursor C]
  catalog show <id>                                    a dataset: layers, CRS, extent, counts, size, source
  catalog delete <id>...                               delete datasets and their files
  jobs list [--state S]... [--kind K] [--text T] [--from ISO] [--to ISO] [--limit N] [--cursor C]
  jobs show <id>                                       a job, its items and its recent events
  jobs cancel <id>...                                  cancel queued or interrupted jobs
  jobs retry <id>...                                   re-run what did not succeed (alias: resume) and wait
  jobs report <id> [--format json|csv|html|pdf] [-o FILE]  export a job's report
  plans diff --source DIR                              what a reconcile of a folder of plan files would do
  plans list --source DIR                              each plan's state: new, changed, synced, removed
  plans apply --source DIR                             start the jobs of new and changed plans and wait
  plans from-job <id> [-o FILE]                        a job as a plan file that starts it again
  caches list                                          the tile caches jobs made or checked: zooms, tiles, size, last job
  truncate <cache> --min-zoom N --max-zoom N [--bbox W,S,E,N] [--dry-run]
                                                       delete a cache's tiles in a zoom range (and bbox)
  stac export <folder>                                 a static STAC catalogue of the datasets and tile caches
  stac publish <url> [--token-env VAR]                 bring a STAC API (Transactions) up to date, once
  worker --queue redis://HOST:PORT/DB [--concurrency N] [--name NAME]
                                                       take raster, vector and verify tasks from a task queue (scale-out)

Options for every command:
  --data-dir DIR   data directory (default: TESSERA_DATA_DIR or the per-user app data folder)
  --json           print one JSON document on stdout
  -h, --help       this help; tessera <command> --help (or tessera help <command>) for a command's
                   options, their defaults and examples
  -V, --version    print tessera's version
An option's value may start with "-" (--bbox -10,40,5,50, --scale -100,3000); "--" ends the options.

While a console (tessera serve on loopback, or the desktop app) holds the data directory, every
command asks it: jobs run in the console, progress and the summary show here, and Ctrl-C cancels
the job as it would here.

Exit codes: 0 succeeded, 1 failed, 2 bad usage or input, 3 partial, 130 cancelled.`;

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = false;
  // Where a usage error points: the command's own help once the command is known.
  let helpHint = 'tessera --help';
  // The command, once known: a refused input names its options.
  let spec: CommandSpec | undefined;
  try {
    const guessed = findCommand(argv.filter((a) => !a.startsWith('-')));
    if (guessed) helpHint = `${commandName(guessed)} --help`;
    const { values, positionals } = parseCommandLine(argv);
    json = values.json ?? false;
    const [command, ...rest] = positionals;
    if (values.version && !values.help) {
      const version = await packageVersion();
      io.stdout.write(json ? `${JSON.stringify({ version }, null, 2)}\n` : `${version}\n`);
      return EXIT.succeeded;
    }
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
    spec = findCommand(positionals);
    if (spec) {
      // The words as typed: `jobs resume abc` points at `tessera jobs resume --help`, not the
      // command's canonical name (retry), which the operator never typed.
      helpHint = `${['tessera', ...positionals.slice(0, spec.path.length)].join(' ')} --help`;
      const foreign = foreignOption(spec, values);
      if (foreign) throw new UsageError(foreign);
    }
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    const out: Out = (human, doc) => io.stdout.write(json ? `${JSON.stringify(doc, null, command === 'serve' ? undefined : 2)}\n` : `${human}\n`);

    values.queue = queueOption(values.queue, spec?.options.some((o) => o.name === 'queue') ?? false);
    if (command !== 'worker') setCommandQueue(values.queue);
    setCommandSpillDir(values['spill-dir']);
    switch (command) {
      case 'worker':
        return await (await import('./worker-command.js')).worker(values, out);
      case 'serve':
        return await (await import('./serve-command.js')).serve(dataDir, values, out);
      case 'verify': {
        if (rest.length !== 1) throw new UsageError('verify takes exactly one cache: tessera verify <cache>');
        const params = {
          cache: resolve(rest[0]!),
          minZoom: optionalInt(values['min-zoom'], '--min-zoom'),
          maxZoom: optionalInt(values['max-zoom'], '--max-zoom'),
          maxTileBytes: optionalInt(values['max-tile-bytes'], '--max-tile-bytes'),
        };
        const [{ runJob }, { request }] = await Promise.all([jobRunner(), requests()]);
        return await runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', { kind: 'verify', params: stripUndefined(params) }));
      }
      case 'preseed': {
        const [kind, ...inputs] = rest;
        const { preseedInput, formatEstimate, estimateUnusable } = await import('./preseed-command.js');
        const input = preseedInput(kind, inputs, values);
        const { request } = await requests();
        if (values['dry-run']) {
          const engine = await (await engineFor()).openJobEngine(dataDir, 'tessera (cli)');
          try {
            const estimate = await request(engine.handlers, 'jobs.estimate', input);
            out(formatEstimate(estimate), estimate);
            if (estimateUnusable(estimate)) return EXIT.usage;
            return estimate.storage.problem ? EXIT.failed : EXIT.succeeded;
          } finally {
            await engine.close();
          }
        }
        return await (await jobRunner()).runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', input), {
          waitAnalysis: values['wait-analysis'] ?? false,
        });
      }
      case 'migrate': {
        const [{ runJob }, { request }, { migrateEsriInput }] = await Promise.all([jobRunner(), requests(), import('./migrate-command.js')]);
        return await runJob(dataDir, io, json, async (engine) =>
          request(engine.handlers, 'jobs.start', await migrateEsriInput(rest, values, engine.credentials)),
        );
      }
      case 'ingest': {
        const input = (await import('./catalog-command.js')).ingestInput(rest, values);
        const [{ runJob }, { request }] = await Promise.all([jobRunner(), requests()]);
        return await runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', input), { waitAnalysis: values['wait-analysis'] ?? false });
      }
      case 'catalog':
        if (values['data-dir'] !== undefined) assertHasStore(dataDir);
        return await (await import('./catalog-command.js')).catalogCommand(dataDir, rest, values, out, (line) => io.stderr.write(`${line}\n`));
      case 'jobs':
        if (values['data-dir'] !== undefined) assertHasStore(dataDir);
        return await (await import('./jobs-command.js')).jobsCommand(dataDir, rest, values, io, json, out);
      case 'plans':
        return await (await import('./plans-command.js')).plansCommand(dataDir, rest, values, io, json, out);
      case 'caches':
        return await (await import('./caches-command.js')).cachesCommand(rest, dataDir, out);
      case 'truncate': {
        const input = (await import('./caches-command.js')).truncateInput(rest, values);
        const { request } = await requests();
        if (values['dry-run']) {
          const engine = await (await engineFor()).openJobEngine(dataDir, 'tessera (cli)');
          try {
            const estimate = await request(engine.handlers, 'jobs.estimate', input);
            const zooms = estimate.zooms.map((z) => `z${z.z} ${z.tiles.toLocaleString('en-US')}`).join(', ');
            // Nothing in the range: the job itself would be refused (exit 2), so the dry run says why, as it would.
            const asked = input.params as TruncateParams;
            const nothing =
              estimate.totalTiles === 0
                ? `${estimate.storage.output} holds no tiles at z${asked.minZoom}–${asked.maxZoom}${asked.bbox ? ' in that box' : ''}: nothing to delete`
                : null;
            out(
              nothing ?? `would delete ${estimate.totalTiles.toLocaleString('en-US')} tiles${zooms ? ` (${zooms})` : ''} of ${estimate.storage.output}`,
              nothing ? { ...estimate, error: { code: 'BAD_INPUT', message: nothing } } : estimate,
            );
            return nothing ? EXIT.usage : EXIT.succeeded;
          } finally {
            await engine.close();
          }
        }
        return await (await jobRunner()).runJob(dataDir, io, json, (engine) => request(engine.handlers, 'jobs.start', input));
      }
      case 'stac':
        return await (await import('./stac-command.js')).stacCommand(dataDir, rest, values, out);
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    return await reportError(error, io, json, helpHint, spec);
  }
}

async function reportError(error: unknown, io: Io, json: boolean, helpHint = 'tessera --help', spec?: CommandSpec): Promise<number> {
  // Each command's own usage errors (PreseedUsageError…) extend UsageError.
  const usage = error instanceof UsageError || error instanceof CommandLineError;
  let e = usage ? new TesseraError('BAD_INPUT', (error as Error).message) : toTesseraError(error);
  const code = usage || USAGE_CODES.has(e.code) ? EXIT.usage : EXIT.failed;
  // A refused request input: one line per problem, naming the option that set the field (the
  // wording reads the zod schemas: loaded only for a refusal that has issues).
  const hasIssues = !usage && e.code === 'BAD_INPUT' && Array.isArray((e.details as { issues?: unknown } | undefined)?.issues);
  const issues = hasIssues ? (await import('./input-words.js')).describeIssues(spec ? spec.path.join(' ') : null, e) : null;
  if (issues) {
    const details = e.details as { issues: { field: string; message: string }[] };
    e = new TesseraError(e.code, issues.map((i) => i.text).join('; '), {
      details: { ...details, issues: details.issues.map((issue, n) => ({ ...issue, option: issues[n]!.option })) },
    });
  }
  if (json) io.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
  if (issues) {
    for (const issue of issues) io.stderr.write(`tessera: ${e.code}: ${issue.text}\n`);
    return code;
  }
  // One line: the refusal, and for a usage error where the command's options are described.
  io.stderr.write(`tessera: ${e.code}: ${e.message}${usage ? ` (see ${helpHint})` : ''}\n`);
  return code;
}
