import { InvalidArgumentError } from '../errors.js';
import type { AbortOptions } from '../abort.js';
import type { Clock, Timer } from './clock.js';
import { sleepOn } from './sleep.js';

interface Entry {
  deadline: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/**
 * A deterministic clock for tests. Time moves only when told to; due timers fire in deadline order, ties in
 * the order they were created, and a timer armed by a firing callback fires in the same `advance` if it
 * falls due within it. A min-heap keeps arming and firing O(log n), so simulations with millions of timers
 * stay fast.
 */
export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  #seq = 0;
  #heap: Entry[] = [];
  #live = 0;

  constructor(options: { start?: number; wallTime?: number } = {}) {
    this.#now = options.start ?? 0;
    this.#wallOffset = (options.wallTime ?? 1_700_000_000_000) - this.#now;
  }

  now(): number {
    return this.#now;
  }

  wallTime(): number {
    return this.#now + this.#wallOffset;
  }

  /** Timers armed and not yet fired or cancelled. */
  get pending(): number {
    return this.#live;
  }

  /** The deadline of the next live timer, or undefined when none is pending. */
  nextDeadline(): number | undefined {
    this.#dropDead();
    return this.#heap[0]?.deadline;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    if (!Number.isFinite(delayMs)) throw new InvalidArgumentError('delayMs', 'a finite number', delayMs);
    const entry: Entry = { deadline: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, live: true };
    this.#push(entry);
    this.#live++;
    return {
      deadline: entry.deadline,
      cancel: () => {
        if (!entry.live) return;
        entry.live = false;
        this.#live--;
      },
    };
  }

  sleep(delayMs: number, options?: AbortOptions): Promise<void> {
    return sleepOn(this, delayMs, options);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. Returns how many fired. */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new InvalidArgumentError('ms', 'a finite number >= 0', ms);
    return this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `time` (never backwards), firing every timer due by then. Returns how many fired. */
  advanceTo(time: number): number {
    if (time < this.#now) throw new InvalidArgumentError('time', `a time >= now (${this.#now})`, time);
    let fired = 0;
    for (;;) {
      this.#dropDead();
      const top = this.#heap[0];
      if (top === undefined || top.deadline > time) break;
      this.#pop();
      top.live = false;
      this.#live--;
      this.#now = top.deadline;
      fired++;
      top.fn();
    }
    this.#now = time;
    return fired;
  }

  /**
   * Fires timers until none is left, moving time to each deadline. Stops with an error after `limit` firings,
   * so a timer that re-arms itself forever is reported instead of hanging the test.
   */
  runAll(limit = 1_000_000): number {
    let fired = 0;
    for (;;) {
      const next = this.nextDeadline();
      if (next === undefined) return fired;
      if (fired >= limit)
        throw new InvalidArgumentError('limit', `timers to stop re-arming within ${limit} firings`, fired);
      fired += this.advanceTo(next);
    }
  }

  /** Lets pending promise callbacks run (a macrotask turn), without moving time. */
  static async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #dropDead(): void {
    while (this.#heap.length > 0 && this.#heap[0]?.live === false) this.#pop();
  }

  #less(a: Entry, b: Entry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Entry;
      if (!this.#less(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.#less(h[r] as Entry, h[l] as Entry)) c = r;
      const child = h[c] as Entry;
      if (!this.#less(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
  }
}
