import type { LogFields, Logger, LogLevel } from './logger.js';

/** One line recorded by a {@link CapturingLogger}. */
export interface LogEntry {
  readonly level: Exclude<LogLevel, 'silent' | 'fatal'>;
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * A logger for tests: keeps every line, with the bindings of its children merged in, in one shared list.
 */
export class CapturingLogger implements Logger {
  readonly entries: LogEntry[];
  readonly #bindings: LogFields;

  constructor(bindings: LogFields = {}, entries: LogEntry[] = []) {
    this.#bindings = bindings;
    this.entries = entries;
  }

  trace = this.#make('trace');
  debug = this.#make('debug');
  info = this.#make('info');
  warn = this.#make('warn');
  error = this.#make('error');

  child(bindings: LogFields): Logger {
    return new CapturingLogger({ ...this.#bindings, ...bindings }, this.entries);
  }

  /** The lines whose message contains `text` (and whose level matches, if given). */
  find(text: string, level?: LogEntry['level']): LogEntry[] {
    return this.entries.filter((e) => e.message.includes(text) && (level === undefined || e.level === level));
  }

  #make(level: LogEntry['level']): (fields: LogFields | string, message?: string) => void {
    return (fields, message) => {
      if (typeof fields === 'string') {
        this.entries.push({ level, message: fields, fields: { ...this.#bindings } });
      } else {
        this.entries.push({ level, message: message ?? '', fields: { ...this.#bindings, ...fields } });
      }
    };
  }
}
