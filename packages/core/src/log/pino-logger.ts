import { pino } from 'pino';
import type { Logger, LogLevel } from './logger.js';

/** Options of {@link createPinoLogger}. */
export interface PinoLoggerInit {
  /**
   * The lowest level written.
   * @default 'info' — enough to follow sessions and ownership changes without per-packet noise.
   */
  level?: LogLevel;
  /** A name added to every line (`name` field). */
  name?: string;
  /**
   * Where lines go: a file descriptor. JSON lines, one per event.
   * @default 1 (standard output)
   */
  destination?: number;
}

/** A JSON-lines logger backed by pino. */
export function createPinoLogger(init: PinoLoggerInit = {}): Logger {
  const options: pino.LoggerOptions = { level: init.level ?? 'info' };
  if (init.name !== undefined) options.name = init.name;
  return pino(options, pino.destination({ fd: init.destination ?? 1, sync: true })) as unknown as Logger;
}
