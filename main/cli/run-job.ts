/**
 * Running one job to its end, as `verify`, `preseed`, `migrate`, `ingest` and `jobs retry` do: a
 * progress bar on stderr, Ctrl-C as cancel, the summary (or --json document) on stdout, and the
 * job's final state as the exit code. The job runs in this process, or in the console that holds
 * the data directory (client mode, job-engine.ts); the command behaves the same: in both, Ctrl-C
 * cancels the job (a second Ctrl-C quits at once, the job going on being cancelled where it runs).
 */
import { type CatalogDataset, type JobState, type JobSummary, type RequestResult, unitOf } from '../../shared/contract.js';
import type { ProgressUnit } from '../../shared/format.js';
import type { TesseraError } from '../../shared/errors.js';
import { EXIT, type Io } from './command-support.js';
import { interruptedByConsole, isConsoleGone } from './engine-client.js';
import { type JobEngine, openJobEngine } from './job-engine.js';
import { formatJobSummary } from './job-summary.js';
import { ProgressBar } from './progress-bar.js';
import { allRows, request } from './request.js';

/**
 * Runs one job to its end, with a progress bar and Ctrl-C as cancel: in this process, or in the
 * console that holds the data directory (client mode).
 *
 * `waitAnalysis` false (ingest without --wait-analysis): the command ends with the job; the new
 * datasets' analysis (invalid geometries, preview) runs meanwhile: in the console, which finishes
 * it, or in this process, where it is given up at exit and done by the next engine that opens the
 * data directory (its resumeAnalyses). The summary says which datasets wait for it.
 */
export async function runJob(
  dataDir: string,
  io: Io,
  json: boolean,
  submit: (engine: JobEngine) => Promise<JobSummary> | JobSummary,
  options: { waitAnalysis: boolean } = { waitAnalysis: true },
): Promise<number> {
  const engine = await openJobEngine(dataDir, 'tessera (cli)', { events: true });
  const bar = new ProgressBar(io.stderr);
  let interrupts = 0;
  let jobIdValue = 0;
  let unit: ProgressUnit = 'tiles';
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    io.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    if (jobIdValue) request(engine.handlers, 'jobs.cancel', { ids: [jobIdValue] }).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  const off = engine.onProgress((p) => {
    if (p.jobId === jobIdValue) bar.update(p, unit);
  });
  let submitted: JobSummary | null = null;
  try {
    const job = await submit(engine);
    submitted = job;
    jobIdValue = job.id;
    unit = unitOf(job.kind);
    if (!json) io.stderr.write(`job ${job.id}: ${job.name}${engine.console ? ` (in the console at ${engine.console.origin})` : ''}\n`);
    const final = await engine.waitFor(job.id);
    // Asked to: the datasets the job added leave analysed (counts, thumbnails, previews).
    if (options.waitAnalysis) await engine.settle(job.id);
    bar.done();
    const items = (await request(engine.handlers, 'jobs.items', { id: job.id, limit: 1000 })).rows;
    const issues = await allRows(engine.handlers, 'jobs.tileIssues', { id: job.id, limit: 5000 });
    const datasets = await datasetsMadeBy(engine, job.id);
    const pending = datasets.filter((d) => d.analysisPending).map((d) => d.id);
    if (json) {
      const resumes = engine.console
        ? `now, in the console at ${engine.console.origin}`
        : 'when Tessera next opens this data directory (tessera serve, any job)';
      const analysis = pending.length ? { analysisPending: pending, analysisResumes: resumes } : {};
      io.stdout.write(`${JSON.stringify({ job: final, items, tileIssues: issues, ...analysis }, null, 2)}\n`);
    } else
      io.stdout.write(
        `${formatJobSummary({ job: final, items, datasets, dataDir })}\n${analysisNote(pending, engine.console !== null)}${formatIssues(issues)}`,
      );
    return exitCodeFor(final.state);
  } catch (error) {
    // The console died under the job: say which job is left interrupted and how to resume it.
    if (submitted && isConsoleGone(error)) {
      bar.done();
      throw interruptedByConsole(error as TesseraError, submitted);
    }
    throw error;
  } finally {
    off();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
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

/**
 * The datasets a job added to the catalogue (or last refreshed), oldest first, for its summary. The
 * contract has no filter by job on catalog.list: the catalogue is read page by page and filtered here.
 */
async function datasetsMadeBy(engine: JobEngine, jobId: number): Promise<CatalogDataset[]> {
  const all = await allRows(engine.handlers, 'catalog.list', { limit: 1000 });
  return all.filter((d) => d.jobId === jobId).sort((a, b) => a.id - b.id);
}

/**
 * What is left of the new datasets' analysis when this command ends without waiting: it stops with
 * this process and the next engine on the data directory finishes it (Catalog.resumeAnalyses).
 */
export function analysisNote(pending: readonly number[], inConsole = false): string {
  if (pending.length === 0) return '';
  const which = pending.length === 1 ? `dataset ${pending[0]}` : `datasets ${pending.join(', ')}`;
  const who = inConsole ? 'the console finishes them now' : 'Tessera finishes them when it next opens this data directory (tessera serve, or any job)';
  return `  analysis ${which}: invalid geometries and preview not done yet; ${who} (tessera catalog show ${pending[0]} says when); --wait-analysis waits for them here.\n`;
}

function formatIssues(issues: RequestResult<'jobs.tileIssues'>['rows']): string {
  if (issues.length === 0) return '';
  const shown = issues.slice(0, 50).map((t) => `  ${t.issue.padEnd(9)} ${t.z}/${t.x}/${t.y}  ${t.detail}`);
  const more = issues.length > shown.length ? [`  … and ${issues.length - shown.length} more (tessera jobs report <id>)`] : [];
  return `tile issues (z/x/y, XYZ):\n${[...shown, ...more].join('\n')}\n`;
}
