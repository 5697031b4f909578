/**
 * Parses `tessera`'s command line: every option, wherever it stands, and the positionals.
 *
 * Node's util.parseArgs refuses an option value that starts with "-" ("argument is ambiguous"), so
 * `--bbox -10,40,5,50` (any bbox west of Greenwich) and `--scale -100,3000` needed `--bbox=…`.
 * commander takes the next argument as the value of an option declared `<value>` whatever it starts
 * with. It is used here as one flat parser (no sub-command objects): the commands read `values` by
 * the option's long name, as they did with parseArgs, and an option wherever it stands (before the
 * command too) is read the same way. Which command takes which option, and each command's help, are
 * in command-specs.ts, whose table a test holds to OPTIONS.
 */
import { Command, CommanderError, Option } from 'commander';

/** A bad command line (unknown option, missing value); the CLI exits 2 with its message. */
export class CommandLineError extends Error {}

interface Spec {
  /** Takes a value (`--bbox <value>`); otherwise a switch. */
  value?: boolean;
  /** May be given more than once; the values are collected in order. */
  multiple?: boolean;
  short?: string;
}

/** Every option of every command, by long name (commands refuse the ones that are not theirs). */
const OPTIONS = {
  'data-dir': { value: true },
  json: {},
  help: { short: 'h' },
  version: { short: 'V' },
  port: { value: true },
  host: { value: true },
  'allowed-host': { value: true, multiple: true },
  'min-zoom': { value: true },
  'max-zoom': { value: true },
  'max-tile-bytes': { value: true },
  state: { value: true, multiple: true },
  kind: { value: true, multiple: true },
  text: { value: true },
  from: { value: true },
  to: { value: true },
  limit: { value: true },
  cursor: { value: true },
  format: { value: true },
  output: { value: true, short: 'o' },
  zoom: { value: true },
  bbox: { value: true },
  coverage: { value: true },
  'tile-size': { value: true },
  quality: { value: true },
  'png-palette': {},
  'png-compression': { value: true },
  'png-filter': { value: true },
  resampling: { value: true },
  scale: { value: true },
  mode: { value: true },
  'older-than': { value: true },
  layer: { value: true, multiple: true },
  attributes: { value: true },
  thin: {},
  title: { value: true },
  'dry-run': {},
  crs: { value: true },
  'target-crs': { value: true },
  quota: { value: true },
  'wait-analysis': {},
  layers: { value: true },
  where: { value: true },
  token: { value: true },
  username: { value: true },
  source: { value: true },
  plans: { value: true, multiple: true },
  'stac-publish': { value: true },
  'token-env': { value: true },
  'token-file': { value: true },
  queue: { value: true },
  'spill-dir': { value: true },
  concurrency: { value: true },
  name: { value: true },
  'lock-seconds': { value: true },
} as const satisfies Record<string, Spec>;

type Options = typeof OPTIONS;

/** The long name of every option the parser knows (command-specs.ts says which command takes which). */
export const OPTION_NAMES = Object.keys(OPTIONS) as (keyof Options)[];

/** Option values by long name: a string, a list of strings (multiple) or true (a switch given). */
export type OptionValues = {
  -readonly [K in keyof Options]?: Options[K] extends { multiple: true } ? string[] : Options[K] extends { value: true } ? string : boolean;
};

export interface CommandLine {
  values: OptionValues;
  positionals: string[];
}

/** Splits `argv` (without node and the script) into option values and positionals. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const program = new Command('tessera')
    .helpOption(false)
    .allowExcessArguments(true)
    .argument('[args...]')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  const attributes = new Map<string, string>();
  for (const [name, spec] of Object.entries(OPTIONS) as [string, Spec][]) {
    const flags = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ' <value>' : ''}`;
    const option = new Option(flags);
    if (spec.multiple) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    program.addOption(option);
    attributes.set(name, option.attributeName());
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new CommandLineError(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    throw error;
  }
  const opts = program.opts<Record<string, string | string[] | boolean | undefined>>();
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of attributes) if (opts[attribute] !== undefined) values[name] = opts[attribute];
  return { values: values as OptionValues, positionals: program.processedArgs[0] as string[] };
}
