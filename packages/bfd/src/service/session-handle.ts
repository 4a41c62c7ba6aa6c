import type { BfdState } from '../constants.js';
import type { BfdSessionStats, BfdStateChange } from '../engine/engine.js';
import { BfdSessionError } from '../errors.js';

/**
 * What a BGP speaker (or anything else that follows a path's liveness) needs from a BFD session: whether
 * it is Up now, and a `state` event on every change. `change.failure` is true only when the path failed;
 * administrative downs are not failures (RFC 5882 §3.2).
 */
export interface BfdLiveness {
  readonly up: boolean;
  on(event: 'state', listener: (change: BfdStateChange) => void): unknown;
  off(event: 'state', listener: (change: BfdStateChange) => void): unknown;
}

/** The operations a session handle forwards to wherever its engine runs (worker or main thread). */
export interface SessionBackend {
  setAdminDown(id: string, down: boolean): Promise<void>;
  setTimers(
    id: string,
    timers: { transmitIntervalMs?: number; receiveIntervalMs?: number; detectMultiplier?: number },
  ): Promise<void>;
  stats(id: string): Promise<BfdSessionStats>;
  remove(id: string): Promise<void>;
}

/** A running BFD session seen from the main thread: its last known state and its state events. */
export class BfdSession implements BfdLiveness {
  readonly id: string;
  readonly peerAddress: string;
  readonly localAddress: string | undefined;
  readonly #backend: SessionBackend;
  readonly #listeners = new Set<(change: BfdStateChange) => void>();
  #state: BfdState = 'Down';
  #closed = false;
  #onClose: () => void;

  /** Created by the BFD service; not for direct use. */
  constructor(
    id: string,
    peerAddress: string,
    localAddress: string | undefined,
    backend: SessionBackend,
    onClose: () => void,
  ) {
    this.id = id;
    this.peerAddress = peerAddress;
    this.localAddress = localAddress;
    this.#backend = backend;
    this.#onClose = onClose;
  }

  /** The last state reported by the engine. */
  get state(): BfdState {
    return this.#state;
  }

  /** Whether the session is Up. */
  get up(): boolean {
    return this.#state === 'Up';
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a state listener. */
  on(event: 'state', listener: (change: BfdStateChange) => void): this {
    if (event === 'state') this.#listeners.add(listener);
    return this;
  }

  /** Removes a state listener. */
  off(event: 'state', listener: (change: BfdStateChange) => void): this {
    if (event === 'state') this.#listeners.delete(listener);
    return this;
  }

  /** Resolves when the session reaches `state` (at once if it is there), rejects when `signal` aborts. */
  waitFor(state: BfdState, options: { signal?: AbortSignal } = {}): Promise<BfdStateChange | undefined> {
    if (this.#state === state) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.off('state', listener);
        reject(options.signal?.reason ?? new BfdSessionError('aborted'));
      };
      const listener = (c: BfdStateChange): void => {
        if (c.to !== state) return;
        this.off('state', listener);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(c);
      };
      if (options.signal?.aborted === true) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.on('state', listener);
    });
  }

  /**
   * An AbortSignal that aborts at the session's next failure (Up → Down because the path failed), with the
   * {@link BfdStateChange} as its reason. Pass it to whatever must stop when the path dies.
   */
  failureSignal(): AbortSignal {
    const controller = new AbortController();
    const listener = (c: BfdStateChange): void => {
      if (!c.failure) return;
      this.off('state', listener);
      controller.abort(c);
    };
    this.on('state', listener);
    return controller.signal;
  }

  /** Takes the session to AdminDown (true), telling the peer, or back (false). */
  setAdminDown(down: boolean): Promise<void> {
    return this.#backend.setAdminDown(this.id, down);
  }

  /** Changes the timers; the peer learns them through a poll sequence. */
  setTimers(timers: {
    transmitIntervalMs?: number;
    receiveIntervalMs?: number;
    detectMultiplier?: number;
  }): Promise<void> {
    return this.#backend.setTimers(this.id, timers);
  }

  /** Counters from the engine. */
  stats(): Promise<BfdSessionStats> {
    return this.#backend.stats(this.id);
  }

  /** Sends AdminDown and removes the session. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    await this.#backend.remove(this.id);
  }

  /** Delivers an engine event to the listeners (used by the service). */
  dispatch(change: BfdStateChange): void {
    this.#state = change.to;
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch {
        /* a listener's error must not stop the others */
      }
    }
  }
}
