import type { AbortOptions } from '../abort.js';

/** A pending callback; cancelling a fired or cancelled timer does nothing. */
export interface Timer {
  /** When the timer fires, on its clock's `now()` scale, in milliseconds. */
  readonly deadline: number;
  cancel(): void;
}

/**
 * Time as protocol code sees it. `now()` is monotonic milliseconds (fractional allowed) from an arbitrary
 * origin: never compare it with wall-clock time. `wallTime()` is milliseconds since the Unix epoch, for
 * timestamps people read. Core code receives a Clock and never touches the global timers.
 */
export interface Clock {
  now(): number;
  wallTime(): number;
  /** Calls `fn` once, `delayMs` from now (a negative or zero delay fires as soon as possible, never synchronously). */
  setTimer(delayMs: number, fn: () => void): Timer;
  /** Resolves after `delayMs`; rejects with an `AbortError` if the signal fires first. */
  sleep(delayMs: number, options?: AbortOptions): Promise<void>;
}
