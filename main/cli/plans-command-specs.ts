/** The `tessera plans …` commands' specs (their help, options and examples), kept beside command-specs.ts. */
import type { CommandSpec } from './command-specs.js';

export const PLANS_COMMAND_SPECS: CommandSpec[] = [
  {
    path: ['plans'],
    summary: 'preseed plans as code: a folder of YAML or JSON files, each naming one job',
    description:
      'A plan file names one job with the same params as jobs.start (name, kind, params), an optional schedule ' +
      '(cron, or "every 6h") and refresh policy (refresh: { olderThan: 7d }). Relative paths resolve against the ' +
      "plan's folder. A reconcile starts the job of each new or changed plan, leaves synced ones alone and records removed ones.",
    options: [],
    examples: ['tessera plans diff --source ./plans', 'tessera plans apply --source ./plans'],
  },
  ...(['diff', 'list', 'apply'] as const).map(
    (sub): CommandSpec => ({
      path: ['plans', sub],
      args: ['[folder]'],
      summary: {
        diff: 'what a reconcile would do: the plans to start (+) and forget (-), and why',
        list: "each plan's state (new, changed, synced, removed), its last job and next run",
        apply: 'start the jobs of new and changed plans, record removed ones, and wait for the jobs',
      }[sub],
      options: [{ name: 'source', value: 'DIR', description: 'the folder of plan files (or give it as the argument)', required: true }],
      examples: [`tessera plans ${sub} --source ./plans`, `tessera plans ${sub} --source ./plans --json`],
    }),
  ),
  {
    path: ['plans', 'from-job'],
    args: ['<id>'],
    summary: 'a job as a plan file that starts it again (Save as plan), its defaults left out',
    options: [{ name: 'output', value: 'FILE', description: 'write the plan to FILE (refused if it exists)', default: 'stdout' }],
    examples: ['tessera plans from-job 42', 'tessera plans from-job 42 -o ./plans/hillshade.yaml'],
  },
];
