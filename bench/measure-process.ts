/**
 * What the preseed benches share: running a tool as a child process, timing it and sampling the
 * memory of its whole process tree (gdal2tiles and ogr2ogr fork workers; Tessera has threads), and
 * printing a Markdown table.
 */
import { execFileSync, spawn } from 'node:child_process';

export function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}`);
}

/** RSS (KiB) of `root` and all its descendants, from one `ps` listing. */
export function treeRssKiB(root: number): number {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  } catch {
    return 0;
  }
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const line of listing.trim().split('\n')) {
    const [pid, ppid, kib] = line.trim().split(/\s+/).map(Number) as [number, number, number];
    rss.set(pid, kib);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Thrown by `measure` when the command ran past its time limit (it is killed). */
export class TimedOut extends Error {
  constructor(
    readonly seconds: number,
    readonly peakKiB: number,
  ) {
    super(`not finished after ${seconds.toFixed(0)} s`);
  }
}

/**
 * Runs a command to completion, timing it and sampling its process tree's memory every 50 ms;
 * past `timeoutMs` the command is killed and TimedOut thrown (so one slow tool cannot stall a bench).
 */
export async function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<{ seconds: number; peakKiB: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let timedOut = false;
  const limit = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs)
    : undefined;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeRssKiB(child.pid));
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  clearTimeout(limit);
  const seconds = (performance.now() - started) / 1000;
  if (timedOut) throw new TimedOut(seconds, peak);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { seconds, peakKiB: peak, stdout };
}
