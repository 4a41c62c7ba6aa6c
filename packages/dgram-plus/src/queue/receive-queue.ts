import { AbortError, InvalidArgumentError } from '@lbkit/core';
import { SocketClosedError } from '../errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/**
 * A bounded FIFO between a socket and its readers. `push` never blocks and never grows the queue past
 * `capacity`: a full queue drops the newest item and counts it (tail drop, as the kernel does), so a slow
 * reader costs frames, not memory. Waiting readers get items first, without queueing.
 */
export class ReceiveQueue<T> {
  readonly capacity: number;
  #items: T[] = [];
  #head = 0;
  #waiters: Waiter<T>[] = [];
  #closed = false;
  #dropped = 0;
  readonly #what: string;

  constructor(capacity: number, what = 'socket') {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InvalidArgumentError('queueSize', 'an integer ≥ 1', capacity);
    this.capacity = capacity;
    this.#what = what;
  }

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Readers waiting for an item. */
  get waiting(): number {
    return this.#waiters.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Hands the item to a waiting reader, or queues it; false when it was dropped (full or closed). */
  push(item: T): boolean {
    if (this.#closed) return false;
    const w = this.#waiters.shift();
    if (w !== undefined) {
      w.resolve(item);
      return true;
    }
    if (this.length >= this.capacity) {
      this.#dropped++;
      return false;
    }
    this.#items.push(item);
    return true;
  }

  /** The next item, waiting for one if none is queued. Rejects on close (SocketClosedError) or abort (AbortError). */
  shift(options: { signal?: AbortSignal | undefined } = {}): Promise<T> {
    if (this.length > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.reject(new SocketClosedError(this.#what));
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new AbortError(undefined, { cause: signal?.reason }));
      };
      const waiter: Waiter<T> = {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Rejects every waiting reader with `err` (a receive error); queued items stay. Returns how many were told. */
  fail(err: Error): number {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.reject(err);
    return ws.length;
  }

  /** Discards queued items and rejects waiting readers with SocketClosedError. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items = [];
    this.#head = 0;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w.reject(new SocketClosedError(this.#what));
  }

  #take(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** Iterates a queue until it closes (the iteration then ends) or the signal fires (AbortError). */
export async function* drainQueue<T>(
  queue: ReceiveQueue<T>,
  options: { signal?: AbortSignal | undefined } = {},
): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let item: T;
    try {
      item = await queue.shift(options);
    } catch (err) {
      if (err instanceof SocketClosedError) return;
      throw err;
    }
    yield item;
  }
}
