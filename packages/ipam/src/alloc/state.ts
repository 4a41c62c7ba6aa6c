import { formatIp, type IpAddress, type IpFamily } from '@lbkit/core';
import type { CompiledConfig, CompiledPool, OwnedBlock } from '../config/compile-config.js';
import { isBuggyIpv4 } from '../config/addresses.js';
import { matchesLabelSelector } from '../config/label-selector.js';
import { IntervalSet } from '../tree/interval-set.js';
import type { Assignment, LabelSelector, PoolReasonCode } from '../types.js';
import type { NormalizedRequest } from './request.js';
import { ChurnSafeMap } from './churn-safe-map.js';
import { MinHeap } from './min-heap.js';

/** Allocation state of one pool. */
export interface PoolState {
  readonly pool: CompiledPool;
  /** Addresses in use or quarantined, per family. */
  readonly taken: { readonly 4: IntervalSet; readonly 6: IntervalSet };
  /**
   * Addresses in use and quarantined, per family. Numbers, not bigints: they move by one per address, so they
   * stay exact (< 2^53), and a bigint increment allocates on every attach and detach.
   */
  readonly assigned: { 4: number; 6: number };
  readonly quarantined: { 4: number; 6: number };
  services: number;
  /** Addresses in use whose holders have a non-empty sharing key, by that key. */
  readonly shared: Map<string, Set<IpEntry>>;
}

/** One address in use and its holders. */
export interface IpEntry {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly text: string;
  readonly pool: PoolState;
  users: ServiceRecord[];
  /** The sharing key under which the entry is indexed in `pool.shared` ('' when not indexed). */
  indexedKey: string;
}

/** A service the allocator knows: assigned (entries non-empty) or pending. */
export interface ServiceRecord {
  readonly key: string;
  req: NormalizedRequest;
  pool: PoolState | undefined;
  entries: IpEntry[];
}

/** A released address held back from other services until `until`. */
export interface Quarantine {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly owner: string;
  readonly until: number;
}

/** What a released service held, for sticky re-allocation. */
export interface Tombstone {
  readonly addresses: readonly IpAddress[];
  readonly until: number;
}

/** The shared empty address list of services holding nothing (never mutated: `attach` replaces it). */
export const NO_ENTRIES: IpEntry[] = Object.freeze([]) as unknown as IpEntry[];

type Expiry =
  | { readonly until: number; readonly kind: 'q'; readonly q: Quarantine }
  | { readonly until: number; readonly kind: 't'; readonly key: string; readonly t: Tombstone };

/** Why an address cannot be used by a service (the sharing rules of metallb.md §3.4). */
export type ShareProblem = 'sharing-key-conflict' | 'backend-mismatch' | 'port-clash';

/**
 * The mutable allocation state for one compiled configuration. Reads are pure; the few mutators keep every
 * index (address map, per-pool trees, sharing index, counters) consistent.
 */
export class AllocState {
  readonly config: CompiledConfig;
  readonly cooldownMs: number;
  readonly pools = new Map<string, PoolState>();
  readonly services = new ChurnSafeMap<string, ServiceRecord>();
  /** Addresses in use, per family, keyed by {@link mapKey}. */
  private readonly ips = { 4: new ChurnSafeMap<MapKey, IpEntry>(), 6: new ChurnSafeMap<MapKey, IpEntry>() };
  readonly quarantine = { 4: new ChurnSafeMap<MapKey, Quarantine>(), 6: new ChurnSafeMap<MapKey, Quarantine>() };
  readonly tombstones = new ChurnSafeMap<string, Tombstone>();
  private readonly expiries = new MinHeap<Expiry>((a, b) => a.until - b.until);
  /** Pinned pools (autoAssign with serviceAllocation) in priority order, before the per-request filter. */
  readonly pinned: readonly PoolState[];
  /** Generic fallback pools in name order. */
  readonly generic: readonly PoolState[];

  constructor(config: CompiledConfig, cooldownMs: number) {
    this.config = config;
    this.cooldownMs = cooldownMs;
    for (const pool of config.byName) {
      const avoid = pool.avoidBuggyIPs;
      this.pools.set(pool.name, {
        pool,
        taken: { 4: new IntervalSet(avoid), 6: new IntervalSet(false) },
        assigned: { 4: 0, 6: 0 },
        quarantined: { 4: 0, 6: 0 },
        services: 0,
        shared: new Map(),
      });
    }
    this.pinned = config.pinned.map((p) => this.pools.get(p.name) as PoolState);
    this.generic = config.generic.map((p) => this.pools.get(p.name) as PoolState);
  }

  // ----- reads ------------------------------------------------------------------------------------------

  /** The entry of an address in use. */
  entry(addr: IpAddress): IpEntry | undefined {
    return this.ips[addr.family].get(mapKey(addr.family, addr.value));
  }

  /** The configured block holding an address (binary search over all blocks of its family). */
  blockOf(addr: IpAddress): OwnedBlock | undefined {
    const blocks = this.config.sorted[addr.family];
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid] as OwnedBlock;
      if (addr.value < b.first) hi = mid - 1;
      else if (addr.value > b.last) lo = mid + 1;
      else return b;
    }
    return undefined;
  }

  /** The pool state holding an address that the pool may hand out (not a .0/.255 it avoids). */
  poolOf(addr: IpAddress): { pool?: PoolState; buggy: boolean } {
    const block = this.blockOf(addr);
    if (block === undefined) return { buggy: false };
    const pool = this.pools.get(block.pool.name) as PoolState;
    return { pool, buggy: addr.family === 4 && pool.pool.avoidBuggyIPs && isBuggyIpv4(addr.value) };
  }

  /** Whether a pool admits a service (namespace fence AND service selectors, metallb.md §3.2). */
  admits(pool: CompiledPool, req: NormalizedRequest): PoolReasonCode | undefined {
    const a = pool.allocation;
    if (a === undefined) return undefined;
    // Loops rather than `some` with a closure: this runs for every pinned pool on every request.
    if (a.fenced && !a.namespaces.has(req.namespace) && !anyMatches(a.namespaceSelectors, req.namespaceLabels)) {
      return 'namespace-fence';
    }
    if (a.serviceSelectors.length > 0 && !anyMatches(a.serviceSelectors, req.labels)) {
      return 'service-selector-mismatch';
    }
    return undefined;
  }

  /** Pinned pools that admit a request, in priority order (metallb.md §3.2 step 1). */
  pinnedFor(req: NormalizedRequest): readonly PoolState[] {
    if (this.pinned.length === 0) return this.pinned;
    const out: PoolState[] = [];
    for (const p of this.pinned) if (this.admits(p.pool, req) === undefined) out.push(p);
    return out;
  }

  /** Pools of automatic choice for a request, in order: admitting pinned pools, then generic pools. */
  autoOrder(req: NormalizedRequest): PoolState[] {
    return [...this.pinnedFor(req), ...this.generic];
  }

  /**
   * Whether `req` may use an address in use, given its other holders (§3.4): equal non-empty sharing keys,
   * equal backend keys, no common protocol/port. A service that is the only holder may always keep it.
   */
  shareProblem(entry: IpEntry, req: NormalizedRequest): { problem: ShareProblem; with: string[] } | undefined {
    let problem: ShareProblem | undefined;
    const others: string[] = [];
    for (const u of entry.users) {
      if (u.key === req.key) continue;
      others.push(u.key);
      if (problem !== undefined) continue;
      if (req.sharingKey === '' || u.req.sharingKey !== req.sharingKey) problem = 'sharing-key-conflict';
      else if (u.req.backendKey !== req.backendKey) problem = 'backend-mismatch';
      else if (u.req.ports.some((p) => req.ports.includes(p))) problem = 'port-clash';
    }
    return problem === undefined ? undefined : { problem, with: others.sort() };
  }

  /** Addresses the service holds alone (free for its own re-decision). */
  soleAddresses(rec: ServiceRecord | undefined, family: IpFamily): bigint[] | undefined {
    if (rec === undefined) return undefined;
    let out: bigint[] | undefined;
    for (const e of rec.entries) if (e.family === family && e.users.length === 1) (out ??= []).push(e.value);
    return out;
  }

  /**
   * The address a pool would give `req` in `family` (metallb.md §3.3): blocks in configuration order, inside
   * each the lowest address that is free or already shared compatibly. `ignore` holds the service's own
   * sole addresses, which count as free.
   */
  candidate(ps: PoolState, family: IpFamily, req: NormalizedRequest, ignore?: readonly bigint[]): bigint | undefined {
    const tree = ps.taken[family];
    const shared = req.sharingKey === '' ? undefined : ps.shared.get(req.sharingKey);
    for (const block of ps.pool.blocks[family]) {
      let best = tree.firstFree(block.first, block.last, ignore);
      if (shared !== undefined) {
        for (const e of shared) {
          if (e.family !== family || e.value < block.first || e.value > block.last) continue;
          if (best !== undefined && e.value >= best) continue;
          if (this.shareProblem(e, req) === undefined) best = e.value;
        }
      }
      if (best !== undefined) return best;
    }
    return undefined;
  }

  /** A quarantine record still in force at `now`. */
  quarantined(addr: IpAddress, now: number): Quarantine | undefined {
    const q = this.quarantine[addr.family].get(mapKey(addr.family, addr.value));
    return q !== undefined && q.until > now ? q : undefined;
  }

  /** A tombstone still in force at `now`. */
  tombstone(key: string, now: number): Tombstone | undefined {
    const t = this.tombstones.get(key);
    return t !== undefined && t.until > now ? t : undefined;
  }

  /** The public view of a record's assignment. */
  assignmentOf(rec: ServiceRecord): Assignment | undefined {
    if (rec.pool === undefined || rec.entries.length === 0) return undefined;
    const [a, b] = rec.entries as [IpEntry, IpEntry | undefined];
    if (b === undefined) return { key: rec.key, pool: rec.pool.pool.name, ips: [a.text] };
    const swap = rank(rec.req.families, a.family) > rank(rec.req.families, b.family);
    return { key: rec.key, pool: rec.pool.pool.name, ips: swap ? [b.text, a.text] : [a.text, b.text] };
  }

  // ----- mutators ---------------------------------------------------------------------------------------

  /** Drops quarantines and tombstones that ended at or before `now`. */
  expire(now: number): void {
    for (;;) {
      const top = this.expiries.peek();
      if (top === undefined || top.until > now) return;
      this.expiries.pop();
      if (top.kind === 't') {
        if (this.tombstones.get(top.key) === top.t) this.tombstones.delete(top.key);
        continue;
      }
      const q = top.q;
      const map = this.quarantine[q.family];
      const k = mapKey(q.family, q.value);
      if (map.get(k) !== q) continue;
      map.delete(k);
      const ps = this.poolOf({ family: q.family, value: q.value }).pool;
      if (ps !== undefined && !this.ips[q.family].has(mapKey(q.family, q.value))) {
        ps.taken[q.family].delete(q.value);
        ps.quarantined[q.family]--;
      }
    }
  }

  /** Gives `rec` the addresses (all in `ps`), which the caller has checked are usable. */
  attach(rec: ServiceRecord, ps: PoolState, addrs: readonly IpAddress[]): void {
    if (rec.entries.length === 0 && addrs.length > 0) ps.services++;
    rec.pool = ps;
    // Created at its final size (a pushed-to empty array reserves room for 16 more) and kept as the record's
    // list when it had none.
    const added = new Array<IpEntry>(addrs.length);
    for (let i = 0; i < addrs.length; i++) {
      const addr = addrs[i] as IpAddress;
      const k = mapKey(addr.family, addr.value);
      let e = this.ips[addr.family].get(k);
      if (e === undefined) {
        e = { family: addr.family, value: addr.value, text: formatIp(addr), pool: ps, users: [rec], indexedKey: '' };
        this.ips[addr.family].setAbsent(k, e);
        const q = this.cooldownMs > 0 ? this.quarantine[addr.family].get(k) : undefined;
        if (q !== undefined) {
          this.quarantine[addr.family].delete(k);
          ps.quarantined[addr.family]--;
        } else {
          ps.taken[addr.family].add(addr.value);
        }
        ps.assigned[addr.family]++;
      } else {
        e.users.push(rec);
      }
      added[i] = e;
      this.reindex(e);
    }
    rec.entries = rec.entries.length === 0 ? added : rec.entries.concat(added);
  }

  /**
   * Takes every address from `rec`. Addresses nobody holds any more are freed, or quarantined for
   * `cooldownMs` when `quarantineAt` is given.
   */
  detach(rec: ServiceRecord, quarantineAt: number | undefined): void {
    const ps = rec.pool;
    if (ps === undefined) return;
    if (rec.entries.length > 0) ps.services--;
    for (const e of rec.entries) {
      // In place (splice would build the array of removed elements).
      const users = e.users;
      const i = users.indexOf(rec);
      if (i !== -1) {
        for (let j = i + 1; j < users.length; j++) users[j - 1] = users[j] as ServiceRecord;
        users.pop();
      }
      if (e.users.length > 0) {
        this.reindex(e);
        continue;
      }
      this.unindex(e);
      this.ips[e.family].deleteLive(mapKey(e.family, e.value));
      ps.assigned[e.family]--;
      if (quarantineAt !== undefined && this.cooldownMs > 0) {
        const q: Quarantine = {
          family: e.family,
          value: e.value,
          owner: rec.key,
          until: quarantineAt + this.cooldownMs,
        };
        this.quarantine[e.family].set(mapKey(e.family, e.value), q);
        ps.quarantined[e.family]++;
        this.expiries.push({ until: q.until, kind: 'q', q });
      } else {
        ps.taken[e.family].delete(e.value);
      }
    }
    rec.entries = NO_ENTRIES;
    rec.pool = undefined;
  }

  /** Remembers what a released service held, for sticky re-allocation within the cooldown. */
  bury(key: string, addresses: readonly IpAddress[], now: number): void {
    if (this.cooldownMs <= 0 || addresses.length === 0) return;
    const t: Tombstone = { addresses, until: now + this.cooldownMs };
    this.tombstones.set(key, t);
    this.expiries.push({ until: t.until, kind: 't', key, t });
  }

  /** Re-establishes a quarantine carried over from a previous state (config change). */
  carryQuarantine(q: Quarantine): void {
    const ps = this.poolOf(q).pool;
    if (
      ps === undefined ||
      this.ips[q.family].has(mapKey(q.family, q.value)) ||
      this.quarantine[q.family].has(mapKey(q.family, q.value))
    )
      return;
    if (!ps.taken[q.family].add(q.value)) return;
    this.quarantine[q.family].set(mapKey(q.family, q.value), q);
    ps.quarantined[q.family]++;
    this.expiries.push({ until: q.until, kind: 'q', q });
  }

  /** Re-establishes a tombstone carried over from a previous state. */
  carryTombstone(key: string, t: Tombstone): void {
    this.tombstones.set(key, t);
    this.expiries.push({ until: t.until, kind: 't', key, t });
  }

  /** Re-files an entry in its pool's sharing index after its holders or their keys changed. */
  reindex(e: IpEntry): void {
    const key = e.users[0]?.req.sharingKey ?? '';
    if (key === e.indexedKey) return;
    this.unindex(e);
    if (key === '') return;
    let set = e.pool.shared.get(key);
    if (set === undefined) e.pool.shared.set(key, (set = new Set()));
    set.add(e);
    e.indexedKey = key;
  }

  private unindex(e: IpEntry): void {
    if (e.indexedKey === '') return;
    const set = e.pool.shared.get(e.indexedKey);
    set?.delete(e);
    if (set !== undefined && set.size === 0) e.pool.shared.delete(e.indexedKey);
    e.indexedKey = '';
  }
}

/** A hash-map key for an address value (see {@link mapKey}). */
type MapKey = bigint;

/** 2^64 / golden ratio: multiplying by it spreads the bits of the high half over the whole low half. */
const SPREAD = 0x9e3779b97f4a7c15n;

/**
 * The key under which an address is filed in the per-family maps. V8 hashes a BigInt by its lowest 64 bits
 * only, so IPv6 addresses that differ above them (`2001:db8:1:1::5`, `2001:db8:1:2::5`: the same offset in
 * pools of different /64s) share one hash bucket and every lookup walks the chain. IPv4 values (below 2^32)
 * are their own key; an IPv6 value has a multiplicative hash of its high half XOR-ed into its low half, which
 * keeps the key unique (the high half is unchanged) while spreading the hash.
 */
function mapKey(family: IpFamily, value: bigint): MapKey {
  return family === 4 ? value : value ^ BigInt.asUintN(64, (value >> 64n) * SPREAD);
}

/** Whether any of the selectors matches the labels. */
function anyMatches(selectors: readonly LabelSelector[], labels: Readonly<Record<string, string>>): boolean {
  for (let i = 0; i < selectors.length; i++)
    if (matchesLabelSelector(selectors[i] as LabelSelector, labels)) return true;
  return false;
}

function rank(order: readonly IpFamily[], f: IpFamily): number {
  const i = order.indexOf(f);
  return i === -1 ? f : i;
}
