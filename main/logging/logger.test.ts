import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { type LogEntry, REDACTED, createLogger, createLoggerTo, redact, redactText } from './logger.js';

/** A logger whose JSON lines are collected, as written. */
function collecting(level: Parameters<typeof createLoggerTo>[0] = 'debug') {
  const lines: string[] = [];
  const logger = createLoggerTo(level, { stream: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('a line is one JSON object with level, time and msg, the data as its own fields', () => {
  const { logger, lines, parsed } = collecting();
  logger.warn('disk check failed', { error: 'EIO', free: 12 });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.endsWith('\n') && !lines[0]!.slice(0, -1).includes('\n'), 'one line');
  const [line] = parsed();
  assert.equal(line!.level, 40);
  assert.equal(line!.msg, 'disk check failed');
  assert.ok(typeof line!.time === 'string' && !Number.isNaN(Date.parse(line!.time)), `ISO time: ${String(line!.time)}`);
  assert.equal(line!.pid, process.pid);
  assert.equal(line!.error, 'EIO');
  assert.equal(line!.free, 12);
});

test('levels: debug 20, info 30, warn 40, error 50; data that names a pino field is renamed, not lost', () => {
  const { logger, parsed } = collecting();
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e', { level: 'high', msg: 'inner' });
  assert.deepEqual(
    parsed().map((l) => [l.level, l.msg]),
    [
      [20, 'd'],
      [30, 'i'],
      [40, 'w'],
      [50, 'e'],
    ],
  );
  assert.deepEqual([parsed()[3]!.level_, parsed()[3]!.msg_], ['high', 'inner']);
});

test('a level filters what is below it; silent writes nothing', () => {
  const warn = collecting('warn');
  warn.logger.debug('no');
  warn.logger.info('no');
  warn.logger.warn('yes');
  warn.logger.error('yes too');
  assert.deepEqual(
    warn.parsed().map((l) => l.msg),
    ['yes', 'yes too'],
  );
  const silent = collecting('silent');
  silent.logger.error('nothing');
  assert.equal(silent.lines.length, 0);
});

test('secrets are redacted: tokens, passwords, authorization headers, credentials, API keys, at any depth', () => {
  const { logger, lines, parsed } = collecting();
  logger.info('request', {
    token: 'abc123secret',
    esriToken: 'esri-secret-1',
    password: 'hunter2',
    headers: { Authorization: 'Bearer eyJhbGciOi.secret', 'x-api-key': 'k-secret', cookie: 'sid=cookie-secret', accept: 'application/json' },
    credential: { username: 'gis', password: 'pw-secret' },
    credentialId: 7,
    nested: [{ deeper: { client_secret: 'cs-secret', apiKey: 'ak-secret' } }],
  });
  const text = lines.join('');
  for (const secret of ['abc123secret', 'esri-secret-1', 'hunter2', 'eyJhbGciOi', 'k-secret', 'cookie-secret', 'pw-secret', 'cs-secret', 'ak-secret']) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  const [line] = parsed();
  assert.equal(line!.token, REDACTED);
  assert.equal((line!.headers as Record<string, unknown>).Authorization, REDACTED);
  // What is not a secret stays: the id of a credential, other headers.
  assert.equal(line!.credentialId, 7);
  assert.equal((line!.headers as Record<string, unknown>).accept, 'application/json');
});

test('secrets inside text are redacted too, in the message as in the data', () => {
  const { logger, lines, parsed } = collecting();
  logger.warn('fetch https://gis.example.org/arcgis/rest/services/x/MapServer?f=json&token=ESRI-TOKEN-1 failed', {
    url: '/api/jobs?token=HOST-TOKEN-2&x=1',
    error: 'HTTP 401 for https://user:URL-PASSWORD@example.org/a with Authorization: Bearer BEARER-3',
  });
  const text = lines.join('');
  for (const secret of ['ESRI-TOKEN-1', 'HOST-TOKEN-2', 'URL-PASSWORD', 'BEARER-3']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  const [line] = parsed();
  assert.equal(line!.msg, `fetch https://gis.example.org/arcgis/rest/services/x/MapServer?f=json&token=${REDACTED} failed`);
  assert.equal(line!.url, `/api/jobs?token=${REDACTED}&x=1`);
  assert.equal(redactText('no secret here: tokens=3, key points'), 'no secret here: tokens=3, key points');
});

test('errors, buffers and cycles in the data are written readably, not as {} or a crash', () => {
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic.self = cyclic;
  const error = Object.assign(new Error('boom at ?token=SECRET-4'), { code: 'EIO' });
  assert.deepEqual(redact({ error, data: new Uint8Array(3), cyclic }), {
    error: { type: 'Error', message: `boom at ?token=${REDACTED}`, code: 'EIO' },
    data: '[Uint8Array 3 bytes]',
    cyclic: { name: 'a', self: '[Circular]' },
  });
});

test('a sink gets the entries (message, level, data), redacted like the lines', () => {
  const entries: LogEntry[] = [];
  const logger = createLogger('info', (e) => entries.push(e));
  logger.debug('filtered');
  logger.info('plain');
  logger.error('with data', { code: 'IO_ERROR', password: 'pw' });
  assert.deepEqual(entries, [
    { level: 'info', message: 'plain' },
    { level: 'error', message: 'with data', data: { code: 'IO_ERROR', password: REDACTED } },
  ]);
});

test('pretty lines for a terminal are text, not JSON, and redacted', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLoggerTo('info', { stream, pretty: true });
  logger.info('headless host listening', { origin: 'http://127.0.0.1:9000/?token=PRETTY-SECRET' });
  await new Promise((resolve) => setImmediate(resolve));
  const text = lines.join('');
  assert.match(text, /INFO.*headless host listening/);
  assert.ok(!text.includes('PRETTY-SECRET'));
  assert.throws(() => JSON.parse(text.split('\n')[0]!));
});

test('a process logs to stderr only (JSON lines when not a terminal), never to stdout; TESSERA_LOG_LEVEL sets the level', () => {
  const url = new URL('./logger.js', import.meta.url).href;
  const script = `import(${JSON.stringify(url)}).then(({ createLogger }) => { const l = createLogger(); l.debug('dbg'); l.info('hello', { token: 'T-5' }); process.stdout.write('human output\\n'); });`;
  const run = (level: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, TESSERA_LOG_LEVEL: level } });
  const info = run('info');
  assert.equal(info.status, 0, info.stderr);
  assert.equal(info.stdout, 'human output\n');
  const lines = info.stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.token]),
    [[30, 'hello', REDACTED]],
  );
  const debug = run('debug');
  assert.deepEqual(
    debug.stderr
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['dbg', 'hello'],
  );
  assert.equal(run('error').stderr, '');
});
