import { InvalidArgumentError } from '@lbkit/core';
import {
  canonicalKey,
  compareRanked,
  preferenceOf,
  rankHash,
  type OwnerReason,
  type Preferences,
} from './choose-owner.js';

/** One IP the table places, with its optional per-node preferences and eligible nodes. */
export interface AddressEntry {
  /** The key MetalLB hashes: the service's first ingress IP. */
  readonly ip: string;
  /** Preference scores (sum of matching advertisements' `preferredNodes` weights). */
  readonly preferences?: Preferences;
  /** Nodes allowed to announce this IP (advertisement node selectors, traffic policy Local); all members when absent. */
  readonly nodes?: readonly string[];
}

/** Where one IP stands in this member's view. */
export interface Placement {
  readonly ip: string;
  readonly owner: string | undefined;
  /** The next eligible node: the one that takes over if the owner fails. */
  readonly standby: string | undefined;
  readonly reason: OwnerReason;
}

interface Ranked {
  readonly node: string;
  readonly pref: number;
  readonly hash: Buffer;
  /** The hash's first four bytes as a number, for fast comparisons. */
  readonly k: number;
}

function ranked(node: string, pref: number, hash: Buffer): Ranked {
  return { node, pref, hash, k: hash.readUInt32BE(0) };
}

interface Row {
  readonly entry: AddressEntry;
  readonly key: string;
  readonly allowed: ReadonlySet<string> | undefined;
  /** Every node ever ranked for this entry, best first. Rows are shared by the tables of one process. */
  ranking: Ranked[];
  readonly ranked: Set<string>;
}

// Rankings depend only on the entry and node names, so tables in one process (a simulation runs hundreds)
// share them; nodes a table does not know are simply not eligible there.
const shared = new WeakMap<AddressEntry, Row>();

function rowFor(e: AddressEntry): Row {
  let row = shared.get(e);
  if (row === undefined) {
    row = {
      entry: e,
      key: canonicalKey(e.ip),
      allowed: e.nodes === undefined ? undefined : new Set(e.nodes),
      ranking: [],
      ranked: new Set(),
    };
    shared.set(e, row);
  }
  return row;
}

function ensureRanked(row: Row, names: Iterable<string>): void {
  const fresh: string[] = [];
  for (const n of names) if (!row.ranked.has(n)) fresh.push(n);
  if (fresh.length === 0) return;
  for (const n of fresh) row.ranked.add(n);
  if (fresh.length > 4) {
    for (const n of fresh) row.ranking.push(ranked(n, preferenceOf(row.entry.preferences, n), rankHash(n, row.key)));
    row.ranking.sort(compareRanked);
    return;
  }
  for (const n of fresh) {
    const r = ranked(n, preferenceOf(row.entry.preferences, n), rankHash(n, row.key));
    // Binary insertion keeps the ranking sorted without a full re-sort.
    let lo = 0;
    let hi = row.ranking.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRanked(row.ranking[mid]!, r) < 0) lo = mid + 1;
      else hi = mid;
    }
    row.ranking.splice(lo, 0, r);
  }
}

/**
 * Per-IP rankings of every known node, cached, so that after a membership change the owner of each IP is
 * just its first eligible entry: O(#IPs) with no hashing. Hashes are computed once per (node, IP), when a
 * node or an IP is first seen.
 */
export class OwnerTable {
  readonly #rows = new Map<string, Row>();
  readonly #nodes = new Set<string>();

  /** Nodes known to the table. */
  get nodes(): ReadonlySet<string> {
    return this.#nodes;
  }

  /** Number of IPs placed. */
  get size(): number {
    return this.#rows.size;
  }

  /** Replaces the IP set; rankings of entries already seen are reused. */
  setAddresses(entries: readonly AddressEntry[]): void {
    const next = new Map<string, Row>();
    for (const e of entries) {
      if (typeof e.ip !== 'string' || e.ip === '')
        throw new InvalidArgumentError('addresses[].ip', 'a non-empty string', e.ip);
      const row = rowFor(e);
      ensureRanked(row, this.#nodes);
      next.set(e.ip, row);
    }
    this.#rows.clear();
    for (const [k, v] of next) this.#rows.set(k, v);
  }

  /** Makes sure every node in `names` is ranked for every IP (hashing only the new ones). */
  addNodes(names: Iterable<string>): void {
    const fresh = [...names].filter((n) => !this.#nodes.has(n));
    if (fresh.length === 0) return;
    for (const n of fresh) this.#nodes.add(n);
    for (const row of this.#rows.values()) ensureRanked(row, fresh);
  }

  /** Forgets nodes (reaped members): they are no longer eligible here. */
  removeNodes(names: Iterable<string>): void {
    for (const n of names) this.#nodes.delete(n);
  }

  /** Placement of one IP under an eligibility predicate. */
  place(ip: string, eligible: (node: string) => boolean): Placement | undefined {
    const row = this.#rows.get(ip);
    return row === undefined ? undefined : placeRow(row, this.#nodes, eligible);
  }

  /** Placements of every IP under an eligibility predicate. */
  placeAll(eligible: (node: string) => boolean): Map<string, Placement> {
    // Each node's eligibility is asked once, not once per IP.
    const memo = new Map<string, boolean>();
    const known = this.#nodes;
    const ok = (n: string): boolean => {
      let v = memo.get(n);
      if (v === undefined) {
        v = known.has(n) && eligible(n);
        memo.set(n, v);
      }
      return v;
    };
    const out = new Map<string, Placement>();
    for (const [ip, row] of this.#rows) out.set(ip, placeRow(row, undefined, ok));
    return out;
  }

  /** Which of `a` and `b` ranks higher for `ip` (guard G3's pairwise rule); undefined when the IP is unknown. */
  higherOf(ip: string, a: string, b: string): string | undefined {
    const row = this.#rows.get(ip);
    if (row === undefined) return undefined;
    const ra = { pref: preferenceOf(row.entry.preferences, a), hash: rankHash(a, row.key) };
    const rb = { pref: preferenceOf(row.entry.preferences, b), hash: rankHash(b, row.key) };
    return compareRanked(ra, rb) <= 0 ? a : b;
  }
}

function placeRow(row: Row, known: ReadonlySet<string> | undefined, eligible: (node: string) => boolean): Placement {
  let first: Ranked | undefined;
  let second: Ranked | undefined;
  for (const r of row.ranking) {
    if (row.allowed !== undefined && !row.allowed.has(r.node)) continue;
    if (known !== undefined && !known.has(r.node)) continue;
    if (!eligible(r.node)) continue;
    if (first === undefined) first = r;
    else {
      second = r;
      break;
    }
  }
  const reason: OwnerReason =
    first === undefined
      ? 'no-candidates'
      : second === undefined
        ? 'only-candidate'
        : first.pref > second.pref
          ? 'preference'
          : 'hash';
  return { ip: row.entry.ip, owner: first?.node, standby: second?.node, reason };
}
