/**
 * Running one job to its end, as `verify`, `preseed`, `migrate`, `ingest` and `jobs retry` do: a
 * progress bar on stderr, Ctrl-C as cancel, the summary (or --json document) on stdout, and the
 * job's final state as the exit code. The job runs in this process, or in the console that holds
 * the data directory (client mode, job-engine.ts); the command behaves the same: in both, Ctrl-C
 * cancels the job (a second Ctrl-C quits at once, the job going on being cancelled where it runs).
 */
import { type CatalogDataset, type JobState, type JobSummary, type RequestResult, unitOf } from '../../shared/contract.js';
import type { ProgressUnit } from '../../shared/format.js';
import { EXIT, type Io } from './command-support.js';
import { type JobEngine, openJobEngine } from './job-engine.js';
import { formatJobSummary } from './job-summary.js';
import { ProgressBar } from './progress-bar.js';
import { allRows, request } from './request.js';

/** Runs one job to its end, with a progress bar and Ctrl-C as cancel. */
export async function runJob(dataDir: string, io: Io, json: boolean, submit: (engine: JobEngine) => Promise<JobSummary> | JobSummary): Promise<number> {
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
  try {
    const job = await submit(engine);
    jobIdValue = job.id;
    unit = unitOf(job.kind);
    if (!json) io.stderr.write(`job ${job.id}: ${job.name}${engine.console ? ` (in the console at ${engine.console.origin})` : ''}\n`);
    const final = await engine.waitFor(job.id);
    // Datasets the job added to the catalogue leave analysed (counts, thumbnails, previews).
    await engine.settle(job.id);
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

function formatIssues(issues: RequestResult<'jobs.tileIssues'>['rows']): string {
  if (issues.length === 0) return '';
  const shown = issues.slice(0, 50).map((t) => `  ${t.issue.padEnd(9)} ${t.z}/${t.x}/${t.y}  ${t.detail}`);
  const more = issues.length > shown.length ? [`  … and ${issues.length - shown.length} more (tessera jobs report <id>)`] : [];
  return `tile issues (z/x/y, XYZ):\n${[...shown, ...more].join('\n')}\n`;
}
