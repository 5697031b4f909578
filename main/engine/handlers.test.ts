import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REQUEST_NAMES, type RequestName } from '../../shared/contract.js';
import { type ContractHandlers, createDispatcher } from './handlers.js';

/** Handlers that record every call: bad input must never reach them. */
function recordingHandlers(calls: string[]): ContractHandlers {
  return Object.fromEntries(REQUEST_NAMES.map((name) => [name, (input: unknown) => (calls.push(name), { echoed: input })])) as unknown as ContractHandlers;
}

const BAD: [RequestName, unknown, string][] = [
  ['jobs.get', { id: 'x' }, 'id'],
  ['jobs.get', { id: -3 }, 'id'],
  ['jobs.get', {}, 'id'],
  ['jobs.get', { id: 1, extra: true }, '(input)'],
  ['jobs.list', { limit: 0 }, 'limit'],
  ['jobs.list', { filter: { states: ['done'] } }, 'filter.states.0'],
  ['jobs.list', { filter: { createdFrom: 'yesterday' } }, 'filter.createdFrom'],
  // SQLite's FTS5 query ends at a NUL: was a 500 "unterminated string" from the store.
  ['jobs.list', { filter: { text: '\u202e\u0644\u0000\ud83d\ude00' } }, 'filter.text'],
  ['jobs.list', { cursor: '' }, 'cursor'],
  ['jobs.start', { kind: 'nope', params: {} }, 'kind'],
  ['jobs.start', { kind: 'verify', params: {} }, 'params.cache'],
  ['jobs.start', { kind: 'verify', params: { cache: '   ' } }, 'params.cache'],
  ['jobs.start', { kind: 'verify', params: { cache: '/a', maxTileBytes: -1 } }, 'params.maxTileBytes'],
  ['jobs.start', { kind: 'verify', params: { cache: '/a', minZoom: 9, maxZoom: 3 } }, 'params.minZoom'],
  ['jobs.start', { kind: 'verify', params: { cache: '/a' }, priority: 99 }, 'priority'],
  ['jobs.cancel', { ids: [] }, 'ids'],
  ['jobs.retry', { ids: [1, 'two'] }, 'ids.1'],
  ['jobs.report', { id: 1, format: 'xlsx' }, 'format'],
  ['settings.update', { maxRunningJobs: 0 }, 'maxRunningJobs'],
  ['settings.update', { retentionDays: 'forever' }, 'retentionDays'],
];

test('bad input is rejected with BAD_INPUT naming the field, and never reaches the engine', async () => {
  const calls: string[] = [];
  const dispatch = createDispatcher(recordingHandlers(calls));
  for (const [name, input, field] of BAD) {
    const reply = await dispatch(name, input);
    assert.equal(reply.ok, false, `${name} ${JSON.stringify(input)}`);
    if (reply.ok) continue;
    assert.equal(reply.error.code, 'BAD_INPUT');
    const issues = (reply.error.details as { issues: { field: string }[] }).issues;
    assert.ok(
      issues.some((i) => i.field === field),
      `${name} ${JSON.stringify(input)}: expected field ${field}, got ${JSON.stringify(issues)}`,
    );
    assert.ok(reply.error.message.startsWith(`${name}: `));
  }
  assert.deepEqual(calls, []);
});

test('unknown requests are refused by name', async () => {
  const calls: string[] = [];
  const dispatch = createDispatcher(recordingHandlers(calls));
  for (const name of ['jobs.drop', '__proto__', 'constructor', 'toString', '']) {
    const reply = await dispatch(name, {});
    assert.equal(reply.ok, false);
    if (!reply.ok) {
      assert.equal(reply.error.code, 'UNKNOWN_REQUEST');
      // Errors cross boundaries as {code, message, details}: the details name the request.
      assert.deepEqual(reply.error.details, { request: name });
      assert.equal(reply.error.message, `no such request: ${name}`);
    }
  }
  assert.deepEqual(calls, []);
});

test('good input reaches the handler parsed, with defaults applied', async () => {
  const calls: string[] = [];
  const dispatch = createDispatcher(recordingHandlers(calls));
  const reply = await dispatch('jobs.start', { kind: 'verify', params: { cache: ' /data/x.mbtiles ' } });
  assert.deepEqual(reply, { ok: true, result: { echoed: { kind: 'verify', params: { cache: '/data/x.mbtiles', maxTileBytes: 512000 }, priority: 0 } } });
  assert.deepEqual(calls, ['jobs.start']);
});

test('a handler that throws becomes a coded error reply; unexpected errors are INTERNAL and reported', async () => {
  const internal: unknown[] = [];
  const handlers = recordingHandlers([]);
  handlers['jobs.get'] = () => {
    throw new TypeError('undefined is not a function');
  };
  const dispatch = createDispatcher(handlers, (e) => internal.push(e));
  const reply = await dispatch('jobs.get', { id: 1 });
  assert.deepEqual(reply, { ok: false, error: { code: 'INTERNAL', message: 'undefined is not a function' } });
  assert.equal(internal.length, 1);
});
