import type { Logger } from './logger.js';

const noop = (): void => undefined;

/** A logger that drops everything: the default where none is injected. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
