import { ManualClock, type Clock, type Timer } from '@lbkit/core';
import type { ElectionTransport, TransportHandlers } from '../member/transport.js';
import { createPrng, nextFloat, type Prng } from '../swim/prng.js';

/** Loss, delay and burstiness of one direction of a link. */
export interface LinkOptions {
  /** Independent per-packet loss probability. @default 0 */
  readonly loss?: number;
  /** One-way base latency. @default 0.5 */
  readonly latencyMs?: number;
  /** Uniform extra latency in [0, jitterMs). @default 0.2 */
  readonly jitterMs?: number;
  /**
   * Bursty (Gilbert–Elliott) loss on top: the link alternates good and bad periods with exponential lengths;
   * everything sent in a bad period is lost. `averageLoss` is the long-run share of bad time.
   */
  readonly burst?: { readonly averageLoss: number; readonly meanBurstMs: number };
}

interface LinkState {
  opts: LinkOptions;
  custom: boolean;
  bad: boolean;
  flipAt: number;
}

interface Endpoint {
  readonly addr: string;
  handlers: TransportHandlers | undefined;
  up: boolean;
  pausedUntil: number;
  readonly deferred: Array<() => void>;
}

/** Counters of a simulated network. */
export interface SimNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  blocked: number;
  dropped: number;
  /** Largest datagram sent. */
  maxBytes: number;
}

/** Options of {@link SimNetwork}. */
export interface SimNetworkInit {
  /** Seed of the one PRNG driving loss, latency and every member's randomness. */
  readonly seed: number;
  /** Defaults for every link. */
  readonly link?: LinkOptions;
  /** Virtual clock to share; a new ManualClock when absent. */
  readonly clock?: ManualClock;
  /** Packets a paused node buffers before dropping (its socket buffer). @default 256 */
  readonly pauseBuffer?: number;
}

/**
 * A deterministic network for members in one process: virtual time (core's ManualClock), one seeded PRNG,
 * per-direction loss (independent and bursty), latency and jitter, directed partitions, node pauses (timers
 * and deliveries frozen, packets buffered up to a limit) and crashes. A seed plus a scenario replays exactly.
 */
export class SimNetwork {
  readonly clock: ManualClock;
  readonly seed: number;
  readonly stats: SimNetworkStats = { sent: 0, delivered: 0, lost: 0, blocked: 0, dropped: 0, maxBytes: 0 };
  readonly #rng: Prng;
  #defaults: LinkOptions;
  readonly #links = new Map<string, Map<string, LinkState>>();
  readonly #blocked = new Set<string>();
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #pauseBuffer: number;

  constructor(init: SimNetworkInit) {
    this.seed = init.seed >>> 0;
    this.#rng = createPrng(this.seed);
    this.clock = init.clock ?? new ManualClock();
    this.#defaults = init.link ?? {};
    this.#pauseBuffer = init.pauseBuffer ?? 256;
  }

  /** A uniform [0, 1) number from the network's PRNG. */
  random(): number {
    return nextFloat(this.#rng);
  }

  /** An independent deterministic stream for one node (seeded from the network's PRNG). */
  randomFor(): () => number {
    const p = createPrng(Math.floor(this.random() * 4294967296));
    return () => nextFloat(p);
  }

  /** Deterministic random bytes (nonce prefixes in simulations). */
  randomBytesFor(): (n: number) => Uint8Array {
    const r = this.randomFor();
    return (n) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  }

  /** Changes the default link options (existing per-link overrides stay). */
  setDefaultLink(opts: LinkOptions): void {
    this.#defaults = opts;
    for (const row of this.#links.values()) for (const l of row.values()) if (!l.custom) l.opts = opts;
  }

  /** Overrides one direction of a link. */
  setLink(from: string, to: string, opts: LinkOptions): void {
    const l = this.#linkState(from, to);
    l.opts = opts;
    l.custom = true;
  }

  /** Blocks traffic from every node of `a` to every node of `b` (and back unless `oneWay`). */
  partition(a: readonly string[], b: readonly string[], options: { oneWay?: boolean } = {}): void {
    for (const x of a)
      for (const y of b) {
        this.#blocked.add(`${x}>${y}`);
        if (options.oneWay !== true) this.#blocked.add(`${y}>${x}`);
      }
  }

  /** Removes every partition. */
  heal(): void {
    this.#blocked.clear();
  }

  /** Whether `from → to` is blocked. */
  isBlocked(from: string, to: string): boolean {
    return this.#blocked.has(`${from}>${to}`);
  }

  /** A transport for the node at `addr`. */
  transport(addr: string): ElectionTransport {
    const ep: Endpoint = { addr, handlers: undefined, up: true, pausedUntil: -Infinity, deferred: [] };
    this.#endpoints.set(addr, ep);
    return {
      localAddress: addr,
      send: (to, bytes) => this.#send(ep, to, bytes),
      exchange: (to, bytes, timeoutMs, done) => this.#exchange(ep, to, bytes, timeoutMs, done),
      listen: (handlers) => {
        ep.handlers = handlers;
        ep.up = true;
      },
      close: () => {
        ep.up = false;
      },
    };
  }

  /** A clock for the node at `addr`: the shared virtual time, with timers frozen while the node is paused. */
  clockFor(addr: string): Clock {
    const base = this.clock;
    return {
      now: () => base.now(),
      wallTime: () => base.wallTime(),
      setTimer: (delayMs: number, fn: () => void): Timer => base.setTimer(delayMs, () => this.#run(addr, fn)),
      sleep: (ms, options) => base.sleep(ms, options),
    };
  }

  /** Freezes a node for `ms`: its timers and deliveries wait, as in a GC pause or SIGSTOP. */
  pause(addr: string, ms: number): void {
    const ep = this.#endpoints.get(addr);
    if (ep === undefined) return;
    ep.pausedUntil = this.clock.now() + ms;
    this.clock.setTimer(ms, () => this.#resume(ep));
  }

  /** Takes a node off the network at once (a crash): nothing more is delivered to or from it. */
  crash(addr: string): void {
    const ep = this.#endpoints.get(addr);
    if (ep !== undefined) ep.up = false;
  }

  #resume(ep: Endpoint): void {
    if (this.clock.now() < ep.pausedUntil) return;
    const work = ep.deferred.splice(0);
    for (const fn of work) fn();
  }

  #run(addr: string, fn: () => void): void {
    const ep = this.#endpoints.get(addr);
    if (ep !== undefined && this.clock.now() < ep.pausedUntil) {
      ep.deferred.push(fn);
      return;
    }
    fn();
  }

  #linkState(from: string, to: string): LinkState {
    let row = this.#links.get(from);
    if (row === undefined) {
      row = new Map();
      this.#links.set(from, row);
    }
    let l = row.get(to);
    if (l === undefined) {
      l = { opts: this.#defaults, custom: false, bad: false, flipAt: this.clock.now() };
      row.set(to, l);
    }
    return l;
  }

  #lost(l: LinkState): boolean {
    const o = l.opts;
    const b = o.burst;
    if (b !== undefined && b.averageLoss > 0) {
      const now = this.clock.now();
      while (l.flipAt <= now) {
        l.bad = !l.bad;
        const mean = l.bad ? b.meanBurstMs : (b.meanBurstMs * (1 - b.averageLoss)) / b.averageLoss;
        l.flipAt += -Math.log(1 - this.random()) * mean;
      }
      if (l.bad) return true;
    }
    return (o.loss ?? 0) > 0 && this.random() < (o.loss ?? 0);
  }

  #delay(l: LinkState): number {
    return (l.opts.latencyMs ?? 0.5) + this.random() * (l.opts.jitterMs ?? 0.2);
  }

  #send(src: Endpoint, to: string, bytes: Uint8Array): void {
    if (!src.up) return;
    this.stats.sent++;
    if (bytes.length > this.stats.maxBytes) this.stats.maxBytes = bytes.length;
    if (this.#blocked.size > 0 && this.#blocked.has(`${src.addr}>${to}`)) {
      this.stats.blocked++;
      return;
    }
    const l = this.#linkState(src.addr, to);
    if (this.#lost(l)) {
      this.stats.lost++;
      return;
    }
    this.clock.setTimer(this.#delay(l), () => this.#deliver(src.addr, to, bytes));
  }

  #deliver(from: string, to: string, bytes: Uint8Array): void {
    const ep = this.#endpoints.get(to);
    if (ep === undefined || !ep.up || ep.handlers === undefined) {
      this.stats.dropped++;
      return;
    }
    if (this.clock.now() < ep.pausedUntil) {
      if (ep.deferred.length >= this.#pauseBuffer) {
        this.stats.dropped++;
        return;
      }
      ep.deferred.push(() => this.#deliver(from, to, bytes));
      return;
    }
    this.stats.delivered++;
    ep.handlers.onPacket(from, bytes);
  }

  #exchange(
    src: Endpoint,
    to: string,
    bytes: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply: Uint8Array | undefined) => void,
  ): void {
    let finished = false;
    const finish = (err: Error | undefined, reply: Uint8Array | undefined): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      this.#run(src.addr, () => done(err, reply));
    };
    const timer = this.clock.setTimer(timeoutMs, () => finish(new Error('push-pull timed out'), undefined));
    if (!src.up || this.#blocked.has(`${src.addr}>${to}`)) return;
    // A stream retransmits, so loss only delays it; a partition or a dead peer ends in the timeout.
    const l = this.#linkState(src.addr, to);
    this.clock.setTimer(this.#delay(l) * 3, () => {
      const ep = this.#endpoints.get(to);
      if (ep === undefined || !ep.up || ep.handlers === undefined) return;
      const handle = (): void => {
        if (!ep.up || ep.handlers === undefined) return;
        ep.handlers.onExchange(src.addr, bytes, (reply) => {
          if (this.#blocked.has(`${to}>${src.addr}`) || !ep.up) return;
          this.clock.setTimer(this.#delay(this.#linkState(to, src.addr)) * 2, () => {
            if (src.up) finish(undefined, reply);
          });
        });
      };
      if (this.clock.now() < ep.pausedUntil) ep.deferred.push(handle);
      else handle();
    });
  }
}
