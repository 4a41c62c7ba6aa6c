import { Worker } from 'node:worker_threads';
import { chooseOwner } from '../owner/choose-owner.js';
import type { AddressEntry } from '../owner/owner-table.js';
import type { MemberView } from '../swim/step.js';
import { MEMBER_FLAG } from '../wire/messages.js';
import type { MemberEventName, MemberEvents, MemberListener, OwnerInfo } from '../member/events.js';
import type { ConflictDecision, MemberInit, MemberStats } from '../member/member.js';

/**
 * A member running in a worker thread: the socket, the timers and the SWIM state live in the worker, so a
 * busy main thread (a large informer re-list, a GC pause) never delays a probe, an ack or a takeover
 * heartbeat. The main thread keeps a copy of the owners and members from the worker's events, so
 * `ownersFor` stays synchronous. Secrets must be strings or byte arrays (they are copied to the worker).
 */
export class WorkerMember {
  readonly name: string;
  readonly #init: MemberInit;
  #worker: Worker | undefined;
  #seq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<MemberEventName, Set<(e: never) => void>>();
  readonly #owners = new Map<string, OwnerInfo>();
  readonly #members = new Map<string, MemberView>();
  #address = '';
  #started = false;

  constructor(init: MemberInit) {
    this.name = init.name;
    this.#init = init;
  }

  /** Address the worker's member is bound to (after `start`). */
  get address(): string {
    return this.#address;
  }

  /** Starts the worker and its member; resolves once the member is bound and joining. */
  async start(): Promise<void> {
    if (this.#started) return;
    // Running from TypeScript sources (tests, tsx): the worker registers tsx itself before loading the entry.
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(ts ? './worker-entry.ts' : './worker-entry.js', import.meta.url);
    const worker = ts
      ? new Worker(
          `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`,
          { eval: true, workerData: this.#init },
        )
      : new Worker(url, { workerData: this.#init });
    this.#worker = worker;
    worker.on(
      'message',
      (m: {
        type: string;
        id?: number;
        result?: unknown;
        error?: string;
        name?: MemberEventName;
        payload?: unknown;
      }) => {
        if (m.type === 'result' && m.id !== undefined) {
          const p = this.#pending.get(m.id);
          this.#pending.delete(m.id);
          if (m.error !== undefined) p?.reject(new Error(m.error));
          else p?.resolve(m.result);
        } else if (m.type === 'event' && m.name !== undefined) this.#onEvent(m.name, m.payload as never);
      },
    );
    worker.on('error', (err) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
    const r = (await this.#call('start')) as { address: string; members: MemberView[] };
    this.#address = r.address;
    for (const m of r.members) this.#members.set(m.name, m);
    this.#started = true;
  }

  /** Stops the member and the worker (no leave: peers see a crash). */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#call('stop').catch(() => undefined);
    await this.#worker?.terminate();
  }

  /** Leaves gracefully, then stops the worker. */
  async leave(lingerMs?: number): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#call('leave', lingerMs);
    await this.#worker?.terminate();
  }

  /** Whether the worker is running. */
  isStarted(): boolean {
    return this.#started;
  }

  /** Subscribes to an event (delivered on the main thread); returns the unsubscribe function. */
  on<K extends MemberEventName>(event: K, fn: MemberListener<K>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  /** Replaces the IPs placed. */
  setAddresses(entries: readonly AddressEntry[]): Promise<void> {
    return this.#call('setAddresses', entries).then(() => undefined);
  }

  /** Guard G3, answered by the worker. */
  reportConflict(ip: string, other: string): Promise<ConflictDecision> {
    return this.#call('reportConflict', ip, other) as Promise<ConflictDecision>;
  }

  /** Counters from the worker. */
  stats(): Promise<MemberStats> {
    return this.#call('stats') as Promise<MemberStats>;
  }

  /** Marks this member draining. */
  setDraining(draining: boolean): Promise<void> {
    return this.#call('setDraining', draining).then(() => undefined);
  }

  /** Strict mode lease status. */
  setLeaseHeld(held: boolean): Promise<void> {
    return this.#call('setLeaseHeld', held).then(() => undefined);
  }

  /** Adds seeds. */
  join(seeds: readonly string[]): Promise<void> {
    return this.#call('join', seeds).then(() => undefined);
  }

  /** Members as last reported by the worker. */
  members(): MemberView[] {
    return [...this.#members.values()];
  }

  /** Owners from the worker's last events; IPs not configured are placed here with no preferences. */
  ownersFor(ips: readonly string[]): Map<string, OwnerInfo> {
    const out = new Map<string, OwnerInfo>();
    let eligible: string[] | undefined;
    for (const ip of ips) {
      const known = this.#owners.get(ip);
      if (known !== undefined) {
        out.set(ip, known);
        continue;
      }
      eligible ??= [...this.#members.values()]
        .filter(
          (m) =>
            (m.status === 'alive' || m.status === 'suspect') &&
            (m.flags & (MEMBER_FLAG.fenced | MEMBER_FLAG.draining)) === 0,
        )
        .map((m) => m.name);
      const c = chooseOwner(ip, eligible);
      const local = c.owner === this.name;
      out.set(ip, {
        ip,
        owner: c.owner,
        standby: c.ranking[1],
        reason: c.reason,
        local,
        localReason: local ? 'owner' : 'not-owner',
      });
    }
    return out;
  }

  #onEvent<K extends MemberEventName>(name: K, payload: MemberEvents[K]): void {
    if (name === 'owner-changed') {
      const e = payload as MemberEvents['owner-changed'];
      this.#owners.set(e.info.ip, e.info);
    } else if ('member' in (payload as object)) {
      const m = (payload as { member: MemberView }).member;
      if ((payload as { reason?: string }).reason === 'reaped') this.#members.delete(m.name);
      else this.#members.set(m.name, m);
    }
    const set = this.#listeners.get(name);
    if (set === undefined) return;
    for (const fn of set) (fn as MemberListener<K>)(payload);
  }

  #call(cmd: string, ...args: unknown[]): Promise<unknown> {
    const w = this.#worker;
    if (w === undefined) return Promise.reject(new Error('worker not started'));
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      w.postMessage({ id, cmd, args });
    });
  }
}

/** Creates a member that runs in a worker thread over real UDP and TCP; `start()` it. */
export function createWorkerMember(init: MemberInit): WorkerMember {
  return new WorkerMember(init);
}
