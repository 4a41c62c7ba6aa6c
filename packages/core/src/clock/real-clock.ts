import { performance } from 'node:perf_hooks';
import type { AbortOptions } from '../abort.js';
import type { Clock, Timer } from './clock.js';
import { sleepOn } from './sleep.js';

/**
 * The process's own clock: `performance.now()` for monotonic time and Node's timers. The only place in
 * lbkit's core code that reads real time. Timers are unref'd when `unref` is set, so a pending protocol
 * timer never keeps a process alive on its own.
 */
export class RealClock implements Clock {
  readonly #unref: boolean;

  constructor(options: { unref?: boolean } = {}) {
    this.#unref = options.unref ?? false;
  }

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const delay = Math.max(0, delayMs);
    const deadline = performance.now() + delay;
    const handle = setTimeout(fn, delay);
    if (this.#unref) handle.unref();
    return {
      deadline,
      cancel: () => clearTimeout(handle),
    };
  }

  sleep(delayMs: number, options?: AbortOptions): Promise<void> {
    return sleepOn(this, delayMs, options);
  }
}

/** A shared real clock, for callers that do not inject one. */
export const realClock: Clock = new RealClock();
