/** Log levels, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

export type LogFn = (fields: LogFields | string, message?: string) => void;

/**
 * The logging seam: pino's calling convention (`log.info({ peer }, 'session established')` or
 * `log.info('text')`), so a pino instance fits as it is and tests can capture lines.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

/** True when `level` is one of {@link LOG_LEVELS}. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level);
}
