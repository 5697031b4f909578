/**
 * The inputs of the read-only requests a terminal asks most (jobs list|show, catalog list|show,
 * caches list), checked without zod: loading zod and the contract's schemas is about a third of a
 * read-only command's start (~0.1 s of ~0.3 s, issue 14). Only inputs these checks are sure of are
 * answered here, as the contract's schema would parse them (defaults filled in, text trimmed);
 * anything else (a date, an unknown key, a value out of range) returns null and goes to the
 * schema, which accepts it or words the refusal. So these checks may refuse less than the schema,
 * never more, and never answer differently: plain-inputs.test.ts holds them to the schema.
 */
import { ITEM_STATES, JOB_STATES } from '../../shared/job-states.js';
import { JOB_KIND_NAMES } from '../../shared/kinds/kind-names.js';

type Input = Record<string, unknown>;
type Check = (input: Input) => Input | null;

/** The requests answered here; the others always go to the schema. */
export const PLAIN_REQUESTS = ['jobs.list', 'jobs.get', 'jobs.items', 'jobs.events', 'catalog.list', 'catalog.get', 'caches.list'] as const;
export type PlainRequest = (typeof PLAIN_REQUESTS)[number];

const CHECKS: Record<PlainRequest, Check> = {
  'jobs.list': (i) => {
    if (!onlyKeys(i, ['filter', 'cursor', 'limit']) || !cursorOk(i.cursor)) return null;
    let filter: Input | undefined;
    if (i.filter !== undefined) {
      if (!isPlain(i.filter) || !onlyKeys(i.filter, ['states', 'kinds', 'text'])) return null;
      if (!listOf(i.filter.states, JOB_STATES) || !listOf(i.filter.kinds, JOB_KIND_NAMES)) return null;
      const text = trimmedText(i.filter.text);
      if (text === null) return null;
      filter = { ...i.filter, ...('text' in i.filter && { text }) };
    }
    const limit = limitOf(i.limit, 100, 1000);
    return limit === null ? null : { ...i, ...('filter' in i && { filter }), limit };
  },
  'jobs.get': (i) => (onlyKeys(i, ['id']) && isId(i.id) ? { ...i } : null),
  'catalog.get': (i) => (onlyKeys(i, ['id']) && isId(i.id) ? { ...i } : null),
  'jobs.items': (i) => {
    if (!onlyKeys(i, ['id', 'states', 'cursor', 'limit']) || !isId(i.id) || !listOf(i.states, ITEM_STATES) || !cursorOk(i.cursor)) return null;
    const limit = limitOf(i.limit, 200, 1000);
    return limit === null ? null : { ...i, limit };
  },
  'jobs.events': (i) => {
    if (!onlyKeys(i, ['id', 'afterId', 'limit']) || !isId(i.id)) return null;
    if (i.afterId !== undefined && !(Number.isSafeInteger(i.afterId) && (i.afterId as number) >= 0)) return null;
    const limit = limitOf(i.limit, 200, 1000);
    return limit === null ? null : { ...i, limit };
  },
  'catalog.list': (i) => {
    if (!onlyKeys(i, ['text', 'kind', 'cursor', 'limit']) || !cursorOk(i.cursor)) return null;
    if (i.kind !== undefined && i.kind !== 'vector' && i.kind !== 'raster') return null;
    const text = trimmedText(i.text);
    const limit = limitOf(i.limit, 100, 1000);
    if (text === null || limit === null) return null;
    return { ...i, ...('text' in i && { text }), limit };
  },
  'caches.list': (i) => (onlyKeys(i, []) ? {} : null),
};

/**
 * `input` as the contract's schema for `name` would parse it, when these checks are sure it
 * accepts it; null otherwise (ask the schema).
 */
export function plainInput(name: string, input: unknown): Input | null {
  const check = (CHECKS as Record<string, Check | undefined>)[name];
  const value = input ?? {};
  return check && isPlain(value) ? check(value) : null;
}

function isPlain(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** The schemas are strict: a key they do not name is refused. */
function onlyKeys(input: Input, keys: readonly string[]): boolean {
  return Object.keys(input).every((k) => keys.includes(k));
}

function isId(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function cursorOk(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.length >= 1 && value.length <= 200);
}

/** Undefined, or an array whose every entry is one of `allowed`. */
function listOf(value: unknown, allowed: readonly string[]): boolean {
  return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string' && allowed.includes(v)));
}

/** The text trimmed (the schemas trim, then bound it to 200); undefined stays; null: ask the schema. */
function trimmedText(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.includes('\u0000')) return null;
  const text = value.trim();
  return text.length <= 200 ? text : null;
}

/** The page size, or the schema's default when absent; null: ask the schema. */
function limitOf(value: unknown, fallback: number, max: number): number | null {
  if (value === undefined) return fallback;
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max ? (value as number) : null;
}
