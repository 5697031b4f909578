/**
 * plain-inputs.ts answers for the contract's zod schemas on the read-only commands' inputs: each
 * input it accepts, the schema accepts too, with the same parsed value (defaults filled in, text
 * trimmed). Checked on the inputs the commands make and on thousands of generated ones, near and
 * over every bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JOB_KINDS, requests } from '../../shared/contract.js';
import { PLAIN_REQUESTS, plainInput } from './plain-inputs.js';
import { JOB_KIND_NAMES } from '../../shared/kinds/kind-names.js';

function schemaParse(name: string, input: unknown): { ok: true; value: unknown } | { ok: false } {
  const parsed = requests[name as keyof typeof requests].input.safeParse(input ?? {});
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
}

/** What the plain checks answered agrees with the schema: same value when they answer. */
function agrees(name: string, input: unknown): boolean {
  const plain = plainInput(name, input);
  if (plain === null) return true;
  const schema = schemaParse(name, input);
  assert.ok(schema.ok, `${name}: the plain checks accepted ${JSON.stringify(input)}, the schema refuses it`);
  assert.deepStrictEqual(plain, schema.value, `${name}: ${JSON.stringify(input)}`);
  return true;
}

test("the kinds named without zod are the engine's kinds, in order", () => {
  assert.deepEqual([...JOB_KIND_NAMES], [...JOB_KINDS]);
});

test("the commands' usual inputs are answered here, as the schema parses them", () => {
  const usual: [string, unknown][] = [
    ['jobs.list', { filter: {}, cursor: undefined, limit: 50 }],
    ['jobs.list', { filter: { states: ['failed', 'partial'], kinds: ['verify'], text: '  alps ' }, limit: 50 }],
    ['jobs.list', { filter: { text: 'zz' }, cursor: 'abc', limit: 1000 }],
    ['jobs.list', {}],
    ['jobs.get', { id: 1 }],
    ['jobs.items', { id: 7, limit: 1000 }],
    ['jobs.events', { id: 7, limit: 1000 }],
    ['catalog.list', { text: undefined, kind: 'vector', cursor: undefined, limit: 50 }],
    ['catalog.get', { id: 3 }],
    ['caches.list', {}],
    ['caches.list', undefined],
  ];
  for (const [name, input] of usual) {
    assert.notEqual(plainInput(name, input), null, `${name} ${JSON.stringify(input)} is answered without zod`);
    agrees(name, input);
  }
});

test('whatever they are not sure of goes to the schema: dates, unknown keys, bounds, NUL, other requests', () => {
  const deferred: [string, unknown][] = [
    ['jobs.list', { filter: { createdFrom: '2024-03-01T00:00:00Z' }, limit: 50 }],
    ['jobs.list', { filter: { states: ['nope'] }, limit: 50 }],
    ['jobs.list', { filter: { text: 'a\u0000b' }, limit: 50 }],
    ['jobs.list', { filter: { text: 'x'.repeat(201) } }],
    ['jobs.list', { limit: 0 }],
    ['jobs.list', { limit: 1001 }],
    ['jobs.list', { limit: 2.5 }],
    ['jobs.list', { cursor: '' }],
    ['jobs.list', { other: 1 }],
    ['jobs.get', { id: 0 }],
    ['jobs.get', { id: 2 ** 53 }],
    ['jobs.get', { id: '1' }],
    ['jobs.events', { id: 1, afterId: -1 }],
    ['catalog.list', { kind: 'both' }],
    ['caches.list', { path: '/x' }],
    ['jobs.start', { kind: 'verify', params: { cache: '/x.mbtiles' } }],
    ['jobs.list', []],
  ];
  for (const [name, input] of deferred) assert.equal(plainInput(name, input), null, `${name} ${JSON.stringify(input)} goes to the schema`);
});

test('generated inputs: every one the plain checks accept, the schema accepts with the same value', () => {
  const states = fc.constantFrom('queued', 'running', 'failed', 'partial', 'succeeded', 'cancelled', 'interrupted', 'cancelling', 'bogus', '');
  const kinds = fc.constantFrom(...JOB_KIND_NAMES, 'nope');
  const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ minLength: 195, maxLength: 210 }), fc.constant('  ab  '), fc.constant('a\u0000'));
  const limit = fc.oneof(fc.integer({ min: -2, max: 5002 }), fc.double(), fc.constant(undefined), fc.constant('10'));
  const cursor = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 199, maxLength: 202 }), fc.constant(undefined), fc.integer());
  const id = fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constant(2 ** 53), fc.double(), fc.constant('1'));
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const filter = fc.record(
    { states: maybe(fc.array(states, { maxLength: 3 })), kinds: maybe(fc.array(kinds, { maxLength: 3 })), text: maybe(text), extra: maybe(fc.integer()) },
    { requiredKeys: [] },
  );
  const inputs: Record<(typeof PLAIN_REQUESTS)[number], fc.Arbitrary<unknown>> = {
    'jobs.list': fc.record({ filter: maybe(filter), cursor, limit }, { requiredKeys: [] }),
    'jobs.get': fc.record({ id, extra: maybe(fc.integer()) }, { requiredKeys: [] }),
    'catalog.get': fc.record({ id }, { requiredKeys: [] }),
    'jobs.items': fc.record({ id, states: maybe(fc.array(states, { maxLength: 2 })), cursor, limit }, { requiredKeys: [] }),
    'jobs.events': fc.record({ id, afterId: maybe(fc.integer({ min: -2, max: 5 })), limit }, { requiredKeys: [] }),
    'catalog.list': fc.record({ text: maybe(text), kind: maybe(fc.constantFrom('vector', 'raster', 'x')), cursor, limit }, { requiredKeys: [] }),
    'caches.list': fc.oneof(fc.constant({}), fc.record({ x: fc.integer() })),
  };
  let answered = 0;
  for (const name of PLAIN_REQUESTS) {
    fc.assert(
      fc.property(inputs[name], (input) => {
        if (plainInput(name, input) !== null) answered++;
        return agrees(name, input);
      }),
      { numRuns: 1500, seed: 14 },
    );
  }
  // The property is not empty: a good share of the generated inputs is answered without zod.
  assert.ok(answered > 1000, `answered ${answered}`);
});
