/**
 * A small leveled logger writing one line per entry to stderr (stdout stays clean for `--json`).
 * A feature that is switched off logs at debug only, so the default level keeps it quiet.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

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

/** A logger that writes entries at or above `level` to `sink` (stderr by default). */
export function createLogger(level: LogLevel = levelFromEnv(), sink: (entry: LogEntry) => void = writeStderr): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, data?: object) => {
    if (ORDER[lvl] >= ORDER[level]) sink(data === undefined ? { level: lvl, message } : { level: lvl, message, data });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function levelFromEnv(): LogLevel {
  const v = process.env.TESSERA_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'silent' ? v : 'info';
}

function writeStderr(entry: LogEntry): void {
  const data = entry.data === undefined ? '' : ` ${JSON.stringify(entry.data)}`;
  process.stderr.write(`${new Date().toISOString()} ${entry.level.padEnd(5)} ${entry.message}${data}\n`);
}
