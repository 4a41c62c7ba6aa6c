/**
 * The base of every error lbkit throws. `code` is stable across releases and is what callers and tests
 * should match on; `message` is for people and may change.
 */
export class LbError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** What a caller passed does not fit: names the field, what was expected and what was received. */
export class InvalidArgumentError extends LbError {
  static readonly code = 'ERR_INVALID_ARGUMENT';
  readonly field: string;
  readonly received: unknown;

  constructor(field: string, expected: string, received: unknown, options?: { cause?: unknown }) {
    super(InvalidArgumentError.code, `${field}: expected ${expected}, received ${describeValue(received)}`, options);
    this.field = field;
    this.received = received;
  }
}

/** A text form (address, prefix, MAC) could not be parsed; the message quotes the input. */
export class ParseError extends LbError {
  static readonly code = 'ERR_PARSE';
  readonly input: string;
  readonly what: string;

  constructor(what: string, input: string, reason: string) {
    super(ParseError.code, `invalid ${what} ${JSON.stringify(input)}: ${reason}`);
    this.input = input;
    this.what = what;
  }
}

/** An operation was cancelled through its `AbortSignal`. */
export class AbortError extends LbError {
  static readonly code = 'ERR_ABORTED';

  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super(AbortError.code, message, options);
  }
}

/** An operation did not finish in the time it was given. */
export class TimeoutError extends LbError {
  static readonly code = 'ERR_TIMEOUT';

  constructor(message = 'the operation timed out', options?: { cause?: unknown }) {
    super(TimeoutError.code, message, options);
  }
}

/** True when `err` is an lbkit error with the given code, whichever copy of the package created it. */
export function isLbError(err: unknown, code?: string): err is LbError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  if (typeof c !== 'string' || !(err instanceof Error)) return false;
  return code === undefined || c === code;
}

/** A short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(value);
    if (s === undefined) return String(value);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
