/**
 * Leader election over a coordination.k8s.io Lease, so two or more controller replicas can run and one
 * acts (MetalLB's controller cannot). The algorithm is client-go's: a holder renews the Lease every retry
 * period; a candidate takes it only when it has not seen the record change for a whole lease duration,
 * measured on its own clock (so clock skew between hosts does not matter); updates carry the resource
 * version, so two candidates can never both win. A leader that cannot renew within the renew deadline
 * steps down before its lease can expire elsewhere. On stop, a leader releases the Lease.
 */
import { silentLogger, StartableBase, type Clock, type Logger, type Timer } from '@lbkit/core';

/** A Lease as the elector sees it. Times are RFC 3339 with microseconds (`MicroTime`). */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
  /** Resource version of the stored object (opaque). */
  readonly resourceVersion?: string;
}

/** Where the Lease is stored. `create` and `update` must fail when someone else wrote first. */
export interface LeaseStore {
  get(): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord): Promise<LeaseRecord>;
  /** Writes `record` if the stored version still equals `record.resourceVersion`. */
  update(record: LeaseRecord): Promise<LeaseRecord>;
}

/** Options of {@link LeaseElector}. */
export interface LeaseElectorInit {
  /** This candidate's identity (pod name). */
  identity: string;
  /** How long a lease is valid without renewal. @default 15000 — client-go's default. */
  leaseDurationMs?: number;
  /** A leader that has not renewed for this long steps down; must be below the lease duration. @default 10000 */
  renewDeadlineMs?: number;
  /** Interval between acquire or renew attempts. @default 2000 */
  retryPeriodMs?: number;
  /** Release the Lease on stop so another replica takes over at once. @default true */
  releaseOnStop?: boolean;
}

/** Injected capabilities. */
export interface LeaseElectorComponents {
  clock: Clock;
  store: LeaseStore;
  logger?: Logger;
  /** Random in [0,1), for retry jitter. */
  random?: () => number;
}

/** What changed: leadership gained or lost, or another holder seen. */
export type LeaseElectionEvent =
  | { readonly kind: 'started-leading' }
  | { readonly kind: 'stopped-leading'; readonly reason: 'renew-deadline' | 'stopped' | 'lost-to-other' }
  | { readonly kind: 'new-leader'; readonly identity: string };

/** Formats a wall-clock time as a Kubernetes MicroTime (`2026-01-01T00:00:00.000000Z`). */
export function formatMicroTime(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString(); // 2026-01-01T00:00:00.123Z
  const micros = String(Math.floor((ms % 1) * 1000)).padStart(3, '0');
  return `${iso.slice(0, 23)}${micros}Z`;
}

/** The Lease-based elector. */
export class LeaseElector extends StartableBase {
  readonly #init: Required<LeaseElectorInit>;
  readonly #c: LeaseElectorComponents;
  readonly #log: Logger;
  #leader = false;
  #observed: { key: string; at: number } | undefined;
  #lastRenew = 0;
  #timer: Timer | undefined;
  #running = false;
  #knownHolder = '';
  #listeners = new Set<(e: LeaseElectionEvent) => void>();
  #busy: Promise<void> = Promise.resolve();

  constructor(init: LeaseElectorInit, components: LeaseElectorComponents) {
    super();
    this.#init = {
      identity: init.identity,
      leaseDurationMs: init.leaseDurationMs ?? 15_000,
      renewDeadlineMs: init.renewDeadlineMs ?? 10_000,
      retryPeriodMs: init.retryPeriodMs ?? 2_000,
      releaseOnStop: init.releaseOnStop ?? true,
    };
    if (this.#init.renewDeadlineMs >= this.#init.leaseDurationMs) {
      throw new RangeError('renewDeadlineMs must be less than leaseDurationMs');
    }
    this.#c = components;
    this.#log = (components.logger ?? silentLogger).child({ component: 'lease-elector', identity: init.identity });
  }

  /** True while this candidate holds the Lease. */
  isLeader(): boolean {
    return this.#leader;
  }

  /** The holder last seen in the Lease ('' when none). */
  get holder(): string {
    return this.#knownHolder;
  }

  /** Subscribes to leadership events; returns the unsubscribe function. */
  onEvent(fn: (e: LeaseElectionEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(e: LeaseElectionEvent): void {
    for (const fn of this.#listeners) fn(e);
  }

  protected onStart(): void {
    this.#running = true;
    this.#schedule(0);
  }

  protected async onStop(): Promise<void> {
    this.#running = false;
    this.#timer?.cancel();
    await this.#busy;
    if (this.#leader) {
      this.#leader = false;
      if (this.#init.releaseOnStop) {
        try {
          const cur = await this.#c.store.get();
          if (cur !== undefined && cur.holderIdentity === this.#init.identity) {
            const now = this.#c.clock.wallTime();
            await this.#c.store.update({
              ...cur,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              renewTime: formatMicroTime(now),
            });
          }
        } catch (err) {
          this.#log.warn({ err: String((err as Error).message ?? err) }, 'could not release the lease');
        }
      }
      this.#emit({ kind: 'stopped-leading', reason: 'stopped' });
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    const jitter = this.#leader ? 0 : (this.#c.random?.() ?? 0) * 0.2 * delayMs;
    this.#timer = this.#c.clock.setTimer(delayMs + jitter, () => {
      this.#busy = this.#tick().catch((err: unknown) => this.#log.error({ err: String(err) }, 'election tick failed'));
    });
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    const ok = await this.#tryAcquireOrRenew();
    if (!this.#running) return;
    const now = this.#c.clock.now();
    if (ok) {
      this.#lastRenew = now;
      if (!this.#leader) {
        this.#leader = true;
        this.#log.info('became leader');
        this.#emit({ kind: 'started-leading' });
      }
    } else if (this.#leader) {
      const lostToOther = this.#knownHolder !== this.#init.identity && this.#knownHolder !== '';
      if (lostToOther || now - this.#lastRenew >= this.#init.renewDeadlineMs) {
        this.#leader = false;
        this.#log.warn({ holder: this.#knownHolder }, 'stopped leading');
        this.#emit({ kind: 'stopped-leading', reason: lostToOther ? 'lost-to-other' : 'renew-deadline' });
      }
    }
    this.#schedule(this.#init.retryPeriodMs);
  }

  #setHolder(h: string): void {
    if (h !== this.#knownHolder) {
      this.#knownHolder = h;
      if (h !== '') this.#emit({ kind: 'new-leader', identity: h });
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { identity, leaseDurationMs } = this.#init;
    const wall = this.#c.clock.wallTime();
    const now = this.#c.clock.now();
    const fresh: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: formatMicroTime(wall),
      renewTime: formatMicroTime(wall),
      leaseTransitions: 0,
    };
    let cur: LeaseRecord | undefined;
    try {
      cur = await this.#c.store.get();
    } catch (err) {
      this.#log.debug({ err: String((err as Error).message ?? err) }, 'could not read the lease');
      return false;
    }
    if (cur === undefined) {
      try {
        const made = await this.#c.store.create(fresh);
        this.#observed = { key: recordKey(made), at: now };
        this.#setHolder(identity);
        return true;
      } catch {
        return false;
      }
    }
    const key = recordKey(cur);
    if (this.#observed === undefined || this.#observed.key !== key) this.#observed = { key, at: now };
    this.#setHolder(cur.holderIdentity);
    const heldByOther = cur.holderIdentity !== '' && cur.holderIdentity !== identity;
    const validFor = cur.leaseDurationSeconds * 1000;
    if (heldByOther && this.#observed.at + validFor > now) return false;
    const next: LeaseRecord = {
      ...fresh,
      ...(cur.resourceVersion === undefined ? {} : { resourceVersion: cur.resourceVersion }),
      acquireTime: cur.holderIdentity === identity ? cur.acquireTime : fresh.acquireTime,
      leaseTransitions: cur.holderIdentity === identity ? cur.leaseTransitions : cur.leaseTransitions + 1,
    };
    try {
      const written = await this.#c.store.update(next);
      this.#observed = { key: recordKey(written), at: now };
      this.#setHolder(identity);
      return true;
    } catch (err) {
      this.#log.debug({ err: String((err as Error).message ?? err) }, 'lease update failed');
      return false;
    }
  }
}

function recordKey(r: LeaseRecord): string {
  return `${r.holderIdentity}|${r.renewTime}|${r.leaseTransitions}|${r.resourceVersion ?? ''}`;
}
