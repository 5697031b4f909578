/**
 * `tessera jobs list|show|report|cancel|retry`: list, show and report answer from the store alone
 * (the read-only handlers: no GDAL, sharp or pool) or from the console that holds the data
 * directory; cancel opens an engine (or asks the console); retry (alias resume) runs each job
 * again to its end.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { JobSummary, ReportFormat, RequestResult } from '../../shared/contract.js';
import { JOB_STATES } from '../../shared/job-states.js';
import { JOB_KIND_NAMES as JOB_KINDS } from '../../shared/kinds/kind-names.js';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { formatBytes, formatSkipped } from '../../shared/format.js';
import { shownItemStates } from '../../shared/item-parts.js';
import type { ContractHandlers } from '../engine/handlers.js';
import type { ReadOnlyHandlers } from '../engine/read-only-handlers.js';
import { EXIT, type Io, type Out, USAGE_CODES, UsageError, morePages, optionalInt, stripUndefined, withReadOnly } from './command-support.js';
import { parseInput, request } from './request.js';

const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv', 'html', 'pdf'];

/**
 * When no engine owns the data directory, opening the read-only handlers is also a start-up: jobs
 * left running by a process that died are marked interrupted first, so they show as what they are.
 */
const READER = { holder: 'tessera (read)' };

/** Runs `tessera jobs <sub> ...`; returns the exit code. */
export async function jobsCommand(dataDir: string, args: string[], values: Record<string, unknown>, io: Io, json: boolean, out: Out): Promise<number> {
  const [sub, ...ids] = args;
  switch (sub) {
    case 'list': {
      const input = await parseInput('jobs.list', {
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
      const page = await withReadOnly(dataDir, READER, (handlers) => (handlers ? request(handlers, 'jobs.list', input) : { rows: [], nextCursor: null }));
      out(formatJobTable(page.rows) + morePages(page.nextCursor), page);
      return EXIT.succeeded;
    }
    case 'show': {
      const id = jobId(ids, 'show');
      const shown = await readJob(dataDir, id, async (handlers) => ({
        job: await request(handlers, 'jobs.get', { id }),
        items: (await request(handlers, 'jobs.items', { id, limit: 1000 })).rows,
        events: await request(handlers, 'jobs.events', { id, limit: 1000 }),
      }));
      out(formatJobDetail(shown), shown);
      return EXIT.succeeded;
    }
    case 'report':
      return report(dataDir, jobId(ids, 'report'), values, io, out);
    case 'cancel':
      return cancel(dataDir, jobIds(ids, 'cancel'), io, json, out);
    case 'retry':
    case 'resume': {
      // Running jobs brings the engine client's progress bar and summaries: loaded by the commands that run.
      const { runJob } = await import('./run-job.js');
      let code: number = EXIT.succeeded;
      for (const id of jobIds(ids, sub)) code = Math.max(code, await runJob(dataDir, io, json, (engine) => retry(engine.handlers, id)));
      return code;
    }
    default:
      throw new UsageError(`unknown jobs command: ${sub ?? '(none)'}; expected list, show, cancel, retry or report`);
  }
}

/** The read-only handlers for a command about job `id`; without a job store that job does not exist. */
function readJob<T>(dataDir: string, id: number, read: (handlers: ReadOnlyHandlers) => T | Promise<T>): Promise<T> {
  return withReadOnly(dataDir, READER, (handlers) => {
    if (!handlers) throw new TesseraError('NOT_FOUND', `job ${id} does not exist (no job store in ${dataDir} yet)`, { details: { id } });
    return read(handlers);
  });
}

async function report(dataDir: string, id: number, values: Record<string, unknown>, io: Io, out: Out): Promise<number> {
  const format = (values.format ?? 'json') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not ${format}`);
  const report = await readJob(dataDir, id, (handlers) => request(handlers, 'jobs.report', { id, format }));
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

async function cancel(dataDir: string, ids: number[], io: Io, json: boolean, out: Out): Promise<number> {
  const { openJobEngine } = await import('./job-engine.js');
  const engine = await openJobEngine(dataDir, 'tessera jobs cancel');
  try {
    const result = await request(engine.handlers, 'jobs.cancel', { ids });
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

/** Submits job `id` again; a job that cannot be resumed is refused with the state it is in. */
async function retry(handlers: Pick<ContractHandlers, 'jobs.retry' | 'jobs.get'>, id: number): Promise<JobSummary> {
  const result = await request(handlers, 'jobs.retry', { ids: [id] });
  const failure = result.failed[0] && toTesseraError(result.failed[0].error);
  if (failure?.code === 'ILLEGAL_TRANSITION') {
    const from = (failure.details as { from?: string } | undefined)?.from ?? (await request(handlers, 'jobs.get', { id })).state;
    throw new TesseraError('ILLEGAL_TRANSITION', `job ${id} is ${from}; only failed, partial, cancelled or interrupted jobs can be resumed`, {
      details: failure.details,
    });
  }
  if (failure) throw failure;
  return request(handlers, 'jobs.get', { id });
}

function jobId(args: string[], sub: string): number {
  const list = jobIds(args, sub);
  if (list.length !== 1) throw new UsageError(`jobs ${sub} takes exactly one job id`);
  return list[0]!;
}

function jobIds(args: string[], sub: string): number[] {
  if (args.length === 0) throw new UsageError(`jobs ${sub} needs at least one job id`);
  return args.map((a) => {
    // Named by the word typed (resume or retry), so the line leads back to the command used.
    if (!/^[1-9]\d*$/.test(a)) throw new UsageError(`jobs ${sub}: not a job id: "${a}" (job ids are whole numbers, as in tessera jobs ${sub} 12)`);
    return Number(a);
  });
}

/** Column widths that fit every state and kind, so that every page lines up the same. */
const STATE_WIDTH = Math.max(...JOB_STATES.map((s) => s.length));
const KIND_WIDTH = Math.max(...JOB_KINDS.map((k) => k.length));

/** The jobs as a table: one row each, columns aligned whatever the kind or state. */
export function formatJobTable(rows: readonly JobSummary[]): string {
  if (rows.length === 0) return 'no jobs';
  const row = (cells: string[]) => cells.join('  ').trimEnd();
  const lines = rows.map((j) =>
    row([
      String(j.id).padStart(6),
      j.state.padEnd(STATE_WIDTH),
      j.kind.padEnd(KIND_WIDTH),
      `${j.progress.done}/${j.progress.total}`.padStart(15),
      j.createdAt.slice(0, 19).replace('T', ' ').padEnd(19),
      j.name,
    ]),
  );
  return [
    row(['id'.padStart(6), 'state'.padEnd(STATE_WIDTH), 'kind'.padEnd(KIND_WIDTH), 'done/total'.padStart(15), 'created (UTC)'.padEnd(19), 'name']),
    ...lines,
  ].join('\n');
}

function formatJobDetail(d: { job: JobSummary; items: RequestResult<'jobs.items'>['rows']; events: RequestResult<'jobs.events'> }): string {
  const j = d.job;
  // A staged file whose layers failed reads as the console shows it (shared/item-parts.ts).
  const shown = shownItemStates(d.items);
  const lines = [
    `job ${j.id} (${j.kind}) ${j.name}: ${j.state}`,
    `  created ${j.createdAt}${j.startedAt ? `, started ${j.startedAt}` : ''}${j.finishedAt ? (j.state === 'interrupted' ? `, stopped ${j.finishedAt} (resume it: tessera jobs resume ${j.id})` : `, finished ${j.finishedAt}`) : ''}`,
    `  progress ${j.progress.done}/${j.progress.total}, ${j.progress.failed} bad${j.progress.skipped ? `, ${formatSkipped(j.progress.skipped)}` : ''}, ${formatBytes(j.progress.bytes)}`,
    ...(j.error ? [`  error ${j.error.code}: ${j.error.message}`] : []),
    `  items (${j.items.total}: ${j.items.succeeded} succeeded, ${j.items.partial ? `${j.items.partial} partial, ` : ''}${j.items.failed} failed, ${j.items.cancelled} cancelled, ${j.items.interrupted} interrupted, ${j.items.queued} queued):`,
    ...d.items.map(
      (i) =>
        `    ${i.label.padEnd(12)} ${shown.get(i)!.state.padEnd(9)} ${`${i.done}/${i.total}`.padStart(13)} attempts ${i.attempts}${i.result ? ` ${JSON.stringify(i.result)}` : ''}${i.error ? `  ${i.error.code}: ${i.error.message}` : ''}`,
    ),
  ];
  if (d.events.length) lines.push('  events:', ...d.events.map((e) => `    ${e.at}  ${e.type.padEnd(16)} ${e.message}`));
  return lines.join('\n');
}
