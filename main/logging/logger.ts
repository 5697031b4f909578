/**
 * The app's logger: pino, one JSON line per entry (`{"level":30,"time":"…","pid":…,"msg":"…",…data}`)
 * on stderr, or pino-pretty's coloured lines when stderr is a terminal. stdout stays clean for the
 * CLI's own output (`--json`). The level comes from the caller or TESSERA_LOG_LEVEL (info by
 * default); a feature that is switched off logs at debug only, so the default level keeps it quiet.
 *
 * Secrets never reach a line: values under secret-looking keys (SECRET_KEY, anywhere in the data:
 * tokens, passwords, authorization headers, cookies, credentials, API keys) are replaced by
 * "[Redacted]", and so are secrets inside text, in the message as in the data: `token=` and the
 * like in URLs (the headless host's `?token=`, an Esri `token=`), `Bearer …`/`Basic …` and the
 * password of `user:password@host`.
 *
 * The API is what it was: `createLogger(level?, sink?)` and a Logger of debug/info/warn/error
 * (message, data?). A `sink` receives the entries instead (tests), redacted like the lines.
 */
import { pino, type DestinationStream, type Level } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, data?: object): void;
  info(message: string, data?: object): void;
  warn(message: string, data?: object): void;
  error(message: string, data?: object): void;
}

export interface LogEntry {
  level: Exclude<LogLevel, 'silent'>;
  message: string;
  data?: object;
}

export const REDACTED = '[Redacted]';

/**
 * Keys whose values are never logged: compared lower-cased without `-` and `_`, and a key that
 * ends in one of them counts too (`esriToken`, `x-api-key`, `clientSecret`, `proxy-authorization`).
 */
export const SECRET_KEYS = [
  'token',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'authorization',
  'cookie',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'signature',
] as const;

/** URL parameters whose values are never logged (ArcGIS `token`, OAuth, API keys). */
const SECRET_PARAMS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'password',
  'client_secret',
  'code',
  'sig',
  'signature',
];

const SECRET_KEY = new RegExp(`(?:${SECRET_KEYS.join('|')})$`);
const SECRET_PARAM = new RegExp(`([?&;#](?:${SECRET_PARAMS.join('|')})=)[^&#;\\s"'<>]+`, 'gi');
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Negotiate)\s+[A-Za-z0-9._~+/=-]{4,}/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;
/** Keys pino writes itself: data under these names is renamed (`level_`) rather than clash. */
const RESERVED = new Set(['level', 'time', 'pid', 'msg']);
const LEVEL_NUMBER: Record<Exclude<LogLevel, 'silent'>, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const LEVEL_NAME = new Map<number, Exclude<LogLevel, 'silent'>>(Object.entries(LEVEL_NUMBER).map(([name, n]) => [n, name as Exclude<LogLevel, 'silent'>]));

/** Where lines go and how they look. */
export interface LoggerOutput {
  /**
   * Receives each line (JSON, or pino-pretty's text when `pretty`); a number is a file descriptor,
   * written synchronously. A pretty logger needs a number or a Node stream.
   */
  stream: DestinationStream | NodeJS.WritableStream | number;
  /** pino-pretty's human lines instead of JSON. */
  pretty?: boolean;
  /** Colours in pretty lines. */
  colorize?: boolean;
}

/** A logger that writes entries at or above `level` to stderr, or hands them to `sink`. */
export function createLogger(level: LogLevel = levelFromEnv(), sink?: (entry: LogEntry) => void): Logger {
  if (level === 'silent') return SILENT;
  if (sink) return createLoggerTo(level, { stream: sinkStream(sink) });
  // On a terminal pino-pretty writes fd 2 synchronously; otherwise the lines go through
  // process.stderr as before (synchronous for files and pipes on Linux, and harmless where a GUI
  // app has no usable stderr, as an Electron app on Windows), so a line logged just before the
  // process exits is not lost.
  const tty = process.stderr.isTTY === true;
  return createLoggerTo(level, tty ? { stream: 2, pretty: true, colorize: true } : { stream: process.stderr });
}

/**
 * pino-pretty, loaded on first use: only a terminal needs it, and a read-only CLI command piped
 * elsewhere should not pay for its dependencies (issue 14.6: those commands answer in < 150 ms).
 */
function loadPinoPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}

/** A logger writing to `output.stream`: JSON lines, or pretty ones. */
export function createLoggerTo(level: LogLevel, output: LoggerOutput): Logger {
  if (level === 'silent') return SILENT;
  const destination = output.pretty
    ? loadPinoPretty()({
        destination: output.stream,
        sync: true,
        colorize: output.colorize ?? false,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        ignore: 'pid',
      })
    : typeof output.stream === 'number'
      ? pino.destination({ fd: output.stream, sync: true })
      : (output.stream as DestinationStream);
  const base = pino({ level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } }, destination);
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, data?: object) => {
    if (!base.isLevelEnabled(lvl as Level)) return;
    const text = redactText(String(message));
    if (data === undefined) base[lvl](text);
    else base[lvl](fields(data), text);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A copy of `value` with every secret replaced by "[Redacted]" (see the module comment). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? String(value) : value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 8) return '[Too deep]';
  seen.add(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { type: value.name, message: redactText(value.message), ...(code === undefined ? {} : { code: redact(code, depth + 1, seen) }) };
  }
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Map) return redact(Object.fromEntries(value), depth, seen);
  if (value instanceof Set) return redact([...value], depth, seen);
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[key] = isSecretKey(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redact(v, depth + 1, seen);
  return out;
}

/** Secrets inside text: URL parameters, authorization schemes, passwords in URLs. */
export function redactText(text: string): string {
  return text.replace(SECRET_PARAM, `$1${REDACTED}`).replace(AUTH_SCHEME, `$1 ${REDACTED}`).replace(URL_PASSWORD, `$1${REDACTED}@`);
}

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** The data as the line's own fields: redacted, with pino's own keys renamed. */
function fields(data: object): Record<string, unknown> {
  const clean = redact(data);
  if (typeof clean !== 'object' || clean === null || Array.isArray(clean)) return { data: clean };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(clean)) out[RESERVED.has(key) ? `${key}_` : key] = v;
  return out;
}

/** Turns pino's lines back into entries for a sink (synchronously, as they are written). */
function sinkStream(sink: (entry: LogEntry) => void): DestinationStream {
  return {
    write(line: string) {
      const { level, time: _time, pid: _pid, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const entry: LogEntry = { level: LEVEL_NAME.get(level as number) ?? 'info', message: String(msg ?? '') };
      sink(Object.keys(rest).length > 0 ? { ...entry, data: rest } : entry);
    },
  };
}

const noop = () => {};
const SILENT: Logger = { debug: noop, info: noop, warn: noop, error: noop };

function levelFromEnv(): LogLevel {
  const v = process.env.TESSERA_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'silent' ? v : 'info';
}
