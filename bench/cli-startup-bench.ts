/**
 * How long a read-only `tessera` command takes from spawn to exit (issue 14.6: < 150 ms), against
 * the sqlite3 CLI answering the same question from the same file, and optionally against another
 * build of Tessera (`--before`), all run alternately (A, B, C, A, B, C…) so the machine's load
 * falls on each alike. Peak RSS is the process's own (GNU time's maximum resident set).
 *
 *   node dist/bench/cli-startup-bench.js --data-dir DIR [--before OTHER_DIST:OTHER_DATA_DIR] [--runs N]
 *
 * Each data directory holds a jobs.sqlite at its build's schema (a copy of the history bench's
 * million-job store, say); the commands only read it.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './measure-process.js';
import { optionValue } from './option-value.js';

const HERE = fileURLToPath(new URL('../', import.meta.url));

interface Command {
  name: string;
  /** tessera's arguments (--data-dir is added). */
  args: string[];
  /** The SQL the sqlite3 CLI runs for the same answer; null: no peer (help). */
  sql: string | null;
}

const COMMANDS: Command[] = [
  { name: 'tessera --help', args: ['--help'], sql: null },
  { name: 'jobs list', args: ['jobs', 'list'], sql: 'SELECT * FROM jobs ORDER BY id DESC LIMIT 51' },
  {
    name: 'jobs list --state failed',
    args: ['jobs', 'list', '--state', 'failed'],
    sql: "SELECT * FROM jobs WHERE state = 'failed' ORDER BY id DESC LIMIT 51",
  },
  {
    name: 'jobs show 999990',
    args: ['jobs', 'show', '999990'],
    sql: 'SELECT * FROM jobs WHERE id = 999990; SELECT * FROM job_items WHERE job_id = 999990 ORDER BY ordinal LIMIT 1000; SELECT * FROM job_events WHERE job_id = 999990 ORDER BY id LIMIT 1000',
  },
];

interface Sample {
  ms: number;
  maxRssKiB: number;
}

/** Runs `command` once, timed from spawn to exit; GNU time gives its peak RSS. */
function timed(command: string, args: string[], input?: string): Sample {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${run.status}: ${run.stderr.slice(-400)}`);
  return { ms, maxRssKiB: Number(run.stderr.trim().split('\n').at(-1)) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function runCliStartupBench(options: { dataDir: string; runs?: number; before?: { dist: string; dataDir: string } }): void {
  const runs = options.runs ?? 11;
  const load = () => loadavg()[0]!.toFixed(1);
  const loadBefore = load();
  const peers: { label: string; run: (c: Command) => Sample | null }[] = [
    { label: 'sqlite3', run: (c) => (c.sql ? timed('sqlite3', ['-readonly', join(options.dataDir, 'jobs.sqlite')], `${c.sql};\n`) : null) },
    ...(options.before
      ? [
          {
            label: 'before',
            run: (c: Command) => timed(process.execPath, [join(options.before!.dist, 'main/cli/bin.js'), ...c.args, '--data-dir', options.before!.dataDir]),
          },
        ]
      : []),
    { label: 'this build', run: (c: Command) => timed(process.execPath, [join(HERE, 'main/cli/bin.js'), ...c.args, '--data-dir', options.dataDir]) },
  ];
  const rows: (string | number)[][] = [];
  for (const c of COMMANDS) {
    const samples = new Map<string, Sample[]>(peers.map((p) => [p.label, []]));
    // One warm-up of each: the first run reads the modules and the file from the disk.
    for (const p of peers) p.run(c);
    for (let i = 0; i < runs; i++) {
      for (const p of peers) {
        const s = p.run(c);
        if (s) samples.get(p.label)!.push(s);
      }
    }
    const cell = (label: string) => {
      const s = samples.get(label)!;
      return s.length ? [median(s.map((x) => x.ms)).toFixed(0), (median(s.map((x) => x.maxRssKiB)) / 1024).toFixed(0)] : ['–', '–'];
    };
    rows.push([c.name, ...peers.flatMap((p) => cell(p.label))]);
  }
  table(
    `Read-only commands from spawn to exit, ${options.dataDir} — Node ${process.version}, median of ${runs} runs, alternately; 1-min load ${loadBefore} before, ${load()} after`,
    ['command', ...peers.flatMap((p) => [`${p.label} ms`, `${p.label} MiB`])],
    rows,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name: string) => optionValue(args, name);
  const dataDir = value('--data-dir');
  if (!dataDir) throw new Error('--data-dir DIR: a data directory holding jobs.sqlite');
  const before = value('--before')?.split(':');
  runCliStartupBench({
    dataDir: resolve(dataDir),
    runs: value('--runs') ? Number(value('--runs')) : undefined,
    before: before ? { dist: resolve(before[0]!), dataDir: resolve(before[1]!) } : undefined,
  });
}
