/**
 * A refusal of a request's input (BAD_INPUT with details.issues [{field, message}]) in the words of
 * the command line that made it: the option or argument that set each contract field (`params.bbox`
 * is `--bbox`, `params.datasets.1` the second dataset, `filter.kinds.0` the first `--kind`), and
 * zod's raw wording (`Too big: expected number to be <=90`) as plain words with the value typed
 * ("south (95) must be between -90 and 90"). One line per problem.
 *
 * request.ts remembers the input each refused request was given (the values are read from it) and
 * the schema it was checked with (the bounds are read from it).
 */
import { z } from 'zod';
import { requests } from '../../shared/contract.js';
import type { TesseraError } from '../../shared/errors.js';
import { type Refused, refusedInput } from './refused-inputs.js';

/** Where a field came from: an option (`--bbox`) or a positional argument (`dataset`, numbered). */
type Source = { option: string; parts?: readonly string[] } | { argument: string };

const preseed: Record<string, Source> = {
  'params.minZoom': { option: '--zoom' },
  'params.maxZoom': { option: '--zoom' },
  'params.bbox': { option: '--bbox', parts: ['west', 'south', 'east', 'north'] },
  'params.output': { option: '-o/--output' },
  'params.coverage': { option: '--coverage' },
  'params.mode': { option: '--mode' },
  'params.olderThan': { option: '--older-than' },
  'params.title': { option: '--title' },
};

/** Per command (its path, as in command-specs.ts): each contract field and the option that sets it. */
export const FIELD_SOURCES: Readonly<Record<string, Readonly<Record<string, Source>>>> = {
  verify: {
    'params.cache': { argument: 'cache' },
    'params.minZoom': { option: '--min-zoom' },
    'params.maxZoom': { option: '--max-zoom' },
    'params.maxTileBytes': { option: '--max-tile-bytes' },
  },
  truncate: {
    'params.cache': { argument: 'cache' },
    'params.minZoom': { option: '--min-zoom' },
    'params.maxZoom': { option: '--max-zoom' },
    'params.bbox': { option: '--bbox', parts: ['west', 'south', 'east', 'north'] },
  },
  'preseed raster': {
    ...preseed,
    'params.datasets': { argument: 'dataset' },
    'params.tileSize': { option: '--tile-size' },
    'params.format': { option: '--format' },
    'params.quality': { option: '--quality' },
    'params.pngPalette': { option: '--png-palette' },
    'params.pngCompression': { option: '--png-compression' },
    'params.pngAdaptiveFiltering': { option: '--png-filter' },
    'params.resampling': { option: '--resampling' },
    'params.scale': { option: '--scale', parts: ['MIN', 'MAX'] },
  },
  'preseed vector': {
    ...preseed,
    'params.sources': { argument: 'source' },
    'params.layers': { option: '--layer' },
    'params.attributes': { option: '--attributes' },
    'params.maxTileBytes': { option: '--max-tile-bytes' },
    'params.thin': { option: '--thin' },
    'params.assignCrs': { option: '--crs' },
  },
  ingest: {
    'params.files': { argument: 'file' },
    'params.assignCrs': { option: '--crs' },
    'params.targetCrs': { option: '--target-crs' },
    'params.quotaBytes': { option: '--quota' },
  },
  'migrate esri': {
    'params.url': { argument: 'url' },
    'params.layers': { option: '--layers' },
    'params.where': { option: '--where' },
    'params.name': { option: '-o/--output' },
    'params.credentialId': { option: '--token' },
  },
  'jobs list': {
    'filter.states': { option: '--state' },
    'filter.kinds': { option: '--kind' },
    'filter.text': { option: '--text' },
    'filter.createdFrom': { option: '--from' },
    'filter.createdTo': { option: '--to' },
    cursor: { option: '--cursor' },
    limit: { option: '--limit' },
  },
  'catalog list': {
    kind: { option: '--kind' },
    text: { option: '--text' },
    cursor: { option: '--cursor' },
    limit: { option: '--limit' },
  },
  'jobs report': { format: { option: '--format' } },
};

export { rememberInput } from './refused-inputs.js';

export interface IssueWords {
  /** The contract field (`params.bbox.1`). */
  field: string;
  /** The option or argument that set it, when the command is known (`--bbox`, `dataset 2`). */
  option: string | null;
  /** The line for a person: `--bbox: south (95) must be between -90 and 90`. */
  text: string;
}

/**
 * Each issue of a BAD_INPUT refusal in the words of `command` (`preseed raster`); null when the
 * error is not a refused input with issues (or, from a job's own checks, names a field the command
 * did not set).
 */
export function describeIssues(command: string | null, error: TesseraError): IssueWords[] | null {
  const details = error.details as { request?: string; issues?: { field: string; message: string }[] } | undefined;
  if (error.code !== 'BAD_INPUT' || !Array.isArray(details?.issues) || details.issues.length === 0) return null;
  const known = refusedInput(error);
  const sources = (command !== null && FIELD_SOURCES[command]) || {};
  const words = details.issues.map((issue) => wordsOf(issue, sources, known));
  // A job's own refusal (a dataset that does not exist: `params.datasets.0`) has its words already;
  // only the fields are named again, when the command set every one of them.
  if (!details.request && words.some((w) => w.option === null)) return null;
  return words;
}

function wordsOf(issue: { field: string; message: string }, sources: Readonly<Record<string, Source>>, known: Refused | undefined): IssueWords {
  const path = issue.field === '(input)' ? [] : issue.field.split('.');
  // The longest prefix of the path that an option or argument set.
  let at = path.length;
  while (at > 0 && !sources[path.slice(0, at).join('.')]) at--;
  const source = at > 0 ? sources[path.slice(0, at).join('.')]! : undefined;
  const rest = path.slice(at);
  const input = known?.input;
  const value = valueAt(input, path);
  const schema = known ? schemaAt(requests[known.name].input as z.ZodType, input, path) : undefined;

  let option: string | null = null;
  let part: string | undefined;
  if (source && 'argument' in source) {
    const index = rest[0] !== undefined && /^\d+$/.test(rest[0]) ? Number(rest[0]) : undefined;
    option = index === undefined ? source.argument : `${source.argument} ${index + 1}`;
  } else if (source) {
    option = source.option;
    const index = rest[0] !== undefined && /^\d+$/.test(rest[0]) ? Number(rest[0]) : undefined;
    if (source.parts && index !== undefined) part = source.parts[index];
  }
  const subject = part ? `${part} (${shown(value)})` : shown(value);
  const words = plainWords(issue.message, { subject, value, schema, option, field: issue.field, input, path, source });
  const text = option ? `${option}: ${words}` : `${issue.field === '(input)' ? 'input' : issue.field}: ${words}`;
  return { field: issue.field, option, text };
}

interface Context {
  subject: string;
  value: unknown;
  schema: z.ZodType | undefined;
  option: string | null;
  field: string;
  input: unknown;
  path: string[];
  source: Source | undefined;
}

/** zod's message (or a contract's refine message) as a sentence about what the user typed. */
function plainWords(message: string, c: Context): string {
  let m = /^Too (big|small): expected number to be ([<>]=?)(-?[\d.e+]+)$/.exec(message);
  if (m) {
    const [min, max] = numberBounds(c.schema);
    if (min !== undefined && max !== undefined) return `${c.subject} must be between ${min} and ${max}`;
    const bound = m[3];
    const op = m[2];
    const rule = op === '<=' ? `at most ${bound}` : op === '<' ? `less than ${bound}` : op === '>=' ? `at least ${bound}` : `more than ${bound}`;
    return `${c.subject} must be ${rule}`;
  }
  m = /^Too (big|small): expected (string|array) to have ([<>]=?)(\d+) (characters|items)$/.exec(message);
  if (m) {
    if (m[1] === 'small' && m[4] === '1' && m[3] === '>=') return m[2] === 'string' ? 'must not be empty' : 'needs at least one value';
    const what = m[2] === 'string' ? 'characters' : 'values';
    return m[1] === 'big' ? `${c.subject} has more than ${m[4]} ${what}` : `needs at least ${m[4]} ${what}`;
  }
  m = /^Invalid option: expected one of (.*)$/.exec(message);
  if (m) return `${c.subject} is not one of ${oneOf(m[1]!.split('|').map(unquote))}`;
  if (message === 'Invalid input') {
    const allowed = literalValues(c.schema);
    return allowed ? `${c.subject} is not one of ${oneOf(allowed.map(String))}` : `${c.subject} is not valid`;
  }
  m = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (m) {
    if (m[2] === 'undefined') return 'is required';
    if (m[1] === 'int') return `${c.subject} must be a whole number`;
    return `${c.subject} must be a ${m[1]}, not a ${m[2]}`;
  }
  if (message === 'Invalid ISO datetime') return `${c.subject} is not an ISO date-time (e.g. 2024-05-01T00:00:00Z)`;
  if (message === 'Invalid URL') return `${c.subject} is not an http or https URL`;
  return contractWords(message, c);
}

/** The contract's own refine messages, with the values and the options they name. */
function contractWords(message: string, c: Context): string {
  const parent = c.path.length > 0 ? valueAt(c.input, c.path.slice(0, -1)) : undefined;
  const own = (key: string) => (parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[key] : undefined);
  if (message === 'minZoom must not be greater than maxZoom')
    return c.option === '--zoom'
      ? `MIN (${shown(own('minZoom'))}) must not be greater than MAX (${shown(own('maxZoom'))})`
      : `${shown(own('minZoom'))} must not be greater than --max-zoom (${shown(own('maxZoom'))})`;
  if (message === 'mode refresh needs olderThan') return 'required with --mode refresh (a date or ISO date-time)';
  // A message naming the parts of a value (`west must be less than east`): each part with its value.
  const parts = c.source && 'option' in c.source ? c.source.parts : undefined;
  if (parts && Array.isArray(c.value)) {
    const values = c.value as unknown[];
    let text = message.replace(/^scale /, '');
    parts.forEach((p, i) => {
      text = text.replace(new RegExp(`\\b${p}\\b`, 'i'), `${p} (${shown(values[i])})`);
    });
    return text.replace(/ \((a bbox across[^)]*)\)$/, '; $1');
  }
  return message;
}

/** A value as the user typed it: numbers bare, text quoted, lists comma-separated. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : String(v))).join(',');
  return String(value);
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function oneOf(values: readonly string[]): string {
  return values.join(', ');
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

// zod's schema definitions (`_zod.def`), as far as this walk reads them.
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  items?: z.ZodType[];
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  values?: unknown[];
}

/** A schema's definition, read loosely: only the fields that lead to a nested schema are used. */
const defOf = (schema: z.ZodType): Def => schema._zod.def as Def;

/** The schema that checked the value at `path` of `input`; a union's member is the one whose literals `input` matches. */
function schemaAt(schema: z.ZodType | undefined, input: unknown, path: readonly string[]): z.ZodType | undefined {
  if (!schema) return undefined;
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return schemaAt(def.innerType, input, path);
    case 'pipe':
      return schemaAt(def.in, input, path);
    case 'union': {
      if (path.length === 0) return schema;
      const options = def.options ?? [];
      const matching = options.find((o) => literalsMatch(o, input)) ?? options[0];
      return schemaAt(matching, input, path);
    }
  }
  if (path.length === 0) return schema;
  const [key, ...rest] = path as [string, ...string[]];
  const next = valueAt(input, [key]);
  if (def.type === 'object') return schemaAt(def.shape?.[key], next, rest);
  if (def.type === 'tuple') return schemaAt(def.items?.[Number(key)], next, rest);
  if (def.type === 'array') return schemaAt(def.element, next, rest);
  return undefined;
}

/** Whether every literal field of an object schema (a union's discriminator) has its value in `input`. */
function literalsMatch(schema: z.ZodType, input: unknown): boolean {
  const def = defOf(schema);
  if (def.type !== 'object' || !def.shape) return false;
  return Object.entries(def.shape).every(([key, field]) => {
    const d = defOf(field);
    return d.type !== 'literal' || (d.values ?? []).includes(valueAt(input, [key]));
  });
}

/** A number schema's inclusive bounds, when it has both (not the safe-integer limits of `.int()`). */
function numberBounds(schema: z.ZodType | undefined): [number | undefined, number | undefined] {
  if (!(schema instanceof z.ZodNumber)) return [undefined, undefined];
  const s = schema;
  const bound = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  const min = bound(s.minValue);
  const max = bound(s.maxValue);
  return min !== undefined && max !== undefined ? [min, max] : [undefined, undefined];
}

/** The values a union of literals allows (`256 | 512`), if it is one. */
function literalValues(schema: z.ZodType | undefined): unknown[] | null {
  if (!schema) return null;
  const def = defOf(schema);
  if (def.type === 'literal') return def.values ?? null;
  if (def.type !== 'union') return null;
  const values: unknown[] = [];
  for (const option of def.options ?? []) {
    const d = defOf(option);
    if (d.type !== 'literal') return null;
    values.push(...(d.values ?? []));
  }
  return values;
}
