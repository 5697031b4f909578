/**
 * `tessera plans diff|list|apply`: a folder of plan files against what the engine applied of them
 * (issue 17). `diff` says what a reconcile would do, as terraform plan does; `list` each plan's
 * state; `apply` reconciles and waits for the jobs it started. A file that is not a valid plan is
 * printed with its file, line and field, and makes the exit code 2; the other plans still apply.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { JobSummary, PlanReport, PlanStatus } from '../../shared/contract.js';
import { FINISHED_JOB_STATES } from '../../shared/contract.js';
import { PLAN_NAME, PLAN_NAME_RULE, pathStem, renamePlan } from '../../shared/plan-name.js';
import { EXIT, type Io, type Out, UsageError } from './command-support.js';
import { openJobEngine } from './job-engine.js';
import type { OptionValues } from './command-line.js';
import { isGitSource } from '../plans/git-source.js';
import { request } from './request.js';

const ACTION_MARK: Record<PlanStatus['action'], string> = { start: '+', none: ' ', forget: '-' };

/** The source folder: `--source DIR` or the one argument, absolute. */
export function planSource(rest: string[], values: OptionValues): string {
  const given = [...(values.source === undefined ? [] : [values.source]), ...rest];
  if (given.length !== 1) throw new UsageError('give one plan folder: tessera plans diff --source DIR (or tessera plans diff DIR)');
  return isGitSource(given[0]!) ? given[0]! : resolve(given[0]!);
}

function planLine(p: PlanStatus, withAction: boolean): string {
  const last = p.lastJob ? `job ${p.lastJob.id} ${p.lastJob.state}` : 'never run';
  const next = p.nextRun ? `next ${p.nextRun}` : p.schedule ? '' : 'no schedule';
  const head = `${withAction ? `${ACTION_MARK[p.action]} ` : ''}${p.name.padEnd(24)} ${p.state.padEnd(8)} ${p.kind.padEnd(15)} ${last}${next ? ` · ${next}` : ''}`;
  return [head, ...p.changes.map((c) => `      ${c}`), ...(p.startedJobId ? [`      started job ${p.startedJobId}`] : [])].join('\n');
}

/** The report as people read it: one block per plan, then the files that are not valid plans. */
export function formatPlanReport(report: PlanReport, view: 'diff' | 'list' | 'apply'): string {
  const lines = [`plans in ${report.source}${report.commit ? ` at ${report.commit.slice(0, 12)}` : ''}:`];
  const plans = view === 'diff' ? report.plans.filter((p) => p.action !== 'none' || p.state !== 'synced') : report.plans;
  if (report.plans.length === 0) lines.push('  no plans (files ending .yaml, .yml or .json with name, kind and params)');
  else if (plans.length === 0) lines.push('  every plan is synced: nothing to do');
  for (const p of plans) lines.push(planLine(p, view !== 'list'));
  const starts = report.plans.filter((p) => p.action === 'start').length;
  const forgets = report.plans.filter((p) => p.action === 'forget').length;
  if (view === 'diff') lines.push(`${starts} to start, ${forgets} to forget, ${report.plans.length - starts - forgets} unchanged`);
  for (const e of report.errors) lines.push(`error: ${e.file}${e.line ? `:${e.line}:${e.column}` : ''}${e.field ? ` ${e.field}` : ''}: ${e.message}`);
  return lines.join('\n');
}

export async function plansCommand(dataDir: string, rest: string[], values: OptionValues, io: Io, json: boolean, out: Out): Promise<number> {
  const [sub, ...args] = rest;
  if (sub === 'from-job') return planFromJobCommand(dataDir, args, values, out);
  if (sub !== 'diff' && sub !== 'list' && sub !== 'apply') throw new UsageError(`plans takes diff, list, apply or from-job, not ${sub ?? 'nothing'}`);
  const source = planSource(args, values);
  // Beside a running console the plans are reconciled by it (client mode), as any job command.
  const engine = await openJobEngine(dataDir, 'tessera (cli)');
  try {
    if (sub !== 'apply') {
      const report = await request(engine.handlers, 'plans.check', { source });
      out(formatPlanReport(report, sub), report);
      return report.errors.length ? EXIT.usage : EXIT.succeeded;
    }
    const report = await request(engine.handlers, 'plans.apply', { source });
    if (!json) io.stderr.write(`${formatPlanReport(report, 'apply')}\n`);
    const started = report.plans.filter((p) => p.startedJobId !== undefined);
    const finals: JobSummary[] = [];
    for (const plan of started) {
      const job = await engine.waitFor(plan.startedJobId!);
      finals.push(job);
      if (!json) io.stderr.write(`job ${job.id} (${plan.name}): ${job.state}\n`);
    }
    out(`${started.length} job(s) started and finished: ${finals.map((j) => `${j.id} ${j.state}`).join(', ') || 'none'}`, { ...report, jobs: finals });
    if (report.errors.length) return EXIT.usage;
    if (finals.some((j) => j.state === 'failed' || !FINISHED_JOB_STATES.includes(j.state))) return EXIT.failed;
    if (finals.some((j) => j.state === 'cancelled')) return EXIT.cancelled;
    return finals.some((j) => j.state === 'partial' || j.state === 'interrupted') ? EXIT.partial : EXIT.succeeded;
  } finally {
    await engine.close();
  }
}

/** `tessera plans from-job ID [-o FILE]`: the plan on stdout, or in a new file (never over one). */
async function planFromJobCommand(dataDir: string, args: string[], values: OptionValues, out: Out): Promise<number> {
  if (args.length !== 1 || !/^[1-9]\d*$/.test(args[0]!)) throw new UsageError('give one job id: tessera plans from-job 42');
  const target = values.output === undefined ? null : resolve(values.output);
  if (target && existsSync(target)) throw new UsageError(`-o ${target}: the file exists; the plan is not written over it`);
  // A plan is named after its file: a file name that is no plan name would not read back.
  if (target && !PLAN_NAME.test(pathStem(target)))
    throw new UsageError(`-o ${basename(target)}: a plan's file is named after the plan, and "${pathStem(target)}" is not ${PLAN_NAME_RULE}`);
  const engine = await openJobEngine(dataDir, 'tessera (cli)');
  try {
    const made = await request(engine.handlers, 'plans.fromJob', { id: Number(args[0]) });
    if (!target) {
      out(made.yaml.trimEnd(), made);
      return EXIT.succeeded;
    }
    // The plan is named after its file, as the plan sync will know it (shared/plan-name.ts).
    const name = pathStem(target);
    const plan = { fileName: basename(target), yaml: renamePlan(made.yaml, name) };
    await writeFile(target, plan.yaml, { flag: 'wx' });
    out(`wrote ${target} (plan ${name})`, { ...plan, name, path: target });
    return EXIT.succeeded;
  } finally {
    await engine.close();
  }
}
