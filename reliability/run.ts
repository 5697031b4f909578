/**
 * `npm run test:reliability`: the reliability suite (issue 12). Runs the check families, prints a
 * summary table (one row per family: cases run, passed, failed, seconds) and a last line
 * `N passed, N failed` for CI; exits 1 on any failure.
 *
 *   npm run test:reliability -- --only kill --kills 50 --seed 7
 *
 * Every random draw comes from --seed (printed at the start), so a failing run is replayed with it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { contractFuzzFamily } from './contract-fuzz.js';
import { diskFullFamily } from './disk-full.js';
import { type Family, type FamilyResult, type SuiteOptions, cleanUpAll, pendingBackground, runFamily } from './harness.js';
import { hostAttackFamily } from './host-attacks.js';
import { hostileFilesFamily } from './hostile-files.js';
import { killFamily } from './kill.js';
import { soakFamily } from './soak.js';

/**
 * In the order a full run takes them: the host family first, so that its background wait (about
 * 40 s for the host to cut 40 stalled connections) runs beside the kill family's children instead
 * of holding up the soak, which waits for every background check to end before it samples.
 */
const FAMILIES: Record<string, Family> = {
  host: hostAttackFamily,
  kill: killFamily,
  'disk-full': diskFullFamily,
  fuzz: contractFuzzFamily,
  hostile: hostileFilesFamily,
  soak: soakFamily,
};

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number, 0 or more');
  return Number(value);
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
}

const program = new Command('test:reliability')
  .description('Tessera reliability suite: kill -9, disk full, contract fuzz, host attacks, hostile files, soak')
  .option('--only <families>', `comma-separated families to run: ${Object.keys(FAMILIES).join(', ')}`, (v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .option('--kills <n>', 'kill -9 cases, spread over raster preseed, vector preseed and ingest', count, 21)
  .option('--seed <n>', 'seed of every random draw (default: a new one, printed)', count)
  .option('--fuzz-calls <n>', 'fuzzed contract calls in all, half through each bridge', count, 10_000)
  .option('--soak-jobs <n>', 'jobs run through one engine by the soak', count, 1000)
  .option('--time-scale <x>', "multiplies every case's time limit (slow machines)", positive, 1)
  .option('--keep', 'keep the scratch folders under /tmp/rel-* for a look afterwards', false)
  .option('--verbose', 'more output', false)
  .allowExcessArguments(false);

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<{
    only?: string[];
    kills: number;
    seed?: number;
    fuzzCalls: number;
    soakJobs: number;
    timeScale: number;
    keep: boolean;
    verbose: boolean;
  }>();
  const only = o.only ?? Object.keys(FAMILIES);
  const unknown = only.filter((f) => !(f in FAMILIES));
  if (unknown.length) {
    process.stderr.write(`unknown famil${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')} (known: ${Object.keys(FAMILIES).join(', ')})\n`);
    return 2;
  }
  const options: SuiteOptions = {
    kills: o.kills,
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    fuzzCalls: o.fuzzCalls,
    soakJobs: o.soakJobs,
    timeScale: o.timeScale,
    keep: o.keep,
    verbose: o.verbose,
  };
  const scratchRoot = `/tmp/rel-suite-${process.pid}`;
  mkdirSync(scratchRoot, { recursive: true });
  process.stderr.write(
    `reliability suite: ${only.join(', ')}; seed ${options.seed}; scratch ${scratchRoot}\n` +
      `replay: npm run test:reliability -- --only ${only.join(',')} --seed ${options.seed} --kills ${options.kills} --fuzz-calls ${options.fuzzCalls} --soak-jobs ${options.soakJobs}\n`,
  );
  const started = performance.now();
  const results: FamilyResult[] = [];
  try {
    for (const name of only) results.push(await runFamily(name, FAMILIES[name]!, options, scratchRoot));
    await Promise.all(pendingBackground);
  } finally {
    cleanUpAll();
    if (!options.keep) rmSync(scratchRoot, { recursive: true, force: true, maxRetries: 3 });
  }
  const total = (performance.now() - started) / 1000;
  printSummary(results, total, options.seed);
  return results.some((r) => r.failed > 0) ? 1 : 0;
}

function printSummary(results: FamilyResult[], totalSeconds: number, seed: number): void {
  const out = process.stdout;
  const failures = results.flatMap((r) => r.failures.map((f) => `  [${r.name}] ${f}`));
  if (failures.length) {
    out.write(`\nFailures (${failures.length}):\n`);
    for (const f of failures.slice(0, 200)) out.write(`${f.split('\n')[0]!.slice(0, 400)}\n`);
    if (failures.length > 200) out.write(`  … and ${failures.length - 200} more\n`);
  }
  const notes = results.flatMap((r) => r.notes.map((n) => `  [${r.name}] ${n}`));
  if (notes.length) out.write(`\nNotes:\n${notes.join('\n')}\n`);
  const rows = results.map((r) => [r.name, String(r.run), String(r.passed), String(r.failed), String(r.skipped), r.seconds.toFixed(1)]);
  const sum = (k: 'run' | 'passed' | 'failed' | 'skipped') => String(results.reduce((n, r) => n + r[k], 0));
  rows.push(['total', sum('run'), sum('passed'), sum('failed'), sum('skipped'), totalSeconds.toFixed(1)]);
  const head = ['family', 'run', 'passed', 'failed', 'skipped', 'seconds'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.write(`\nReliability summary (seed ${seed})\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows.slice(0, -1)) out.write(`${line(r)}\n`);
  out.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n${line(rows[rows.length - 1]!)}\n`);
  out.write(`${sum('passed')} passed, ${sum('failed')} failed\n`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanUpAll();
    process.exit(130);
  });
}
process.once('exit', cleanUpAll);

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    cleanUpAll();
    process.stderr.write(`reliability suite: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
