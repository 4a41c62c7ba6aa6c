import { createHash } from 'node:crypto';
import { canonicalIp } from '@lbkit/core';

/** Why the owner won: it was alone, it had the highest preference score, or it had the lowest hash among equals. */
export type OwnerReason = 'no-candidates' | 'only-candidate' | 'preference' | 'hash';

/** Result of {@link chooseOwner}. */
export interface OwnerChoice {
  /** The winning node, or undefined when there were no candidates. */
  readonly owner: string | undefined;
  readonly reason: OwnerReason;
  /** Every candidate, best first: the owner, then the standby, and so on. */
  readonly ranking: readonly string[];
}

/** Preference score per node name (MetalLB's summed `preferredNodes` weights); missing means 0. */
export type Preferences = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

const HASH_CACHE_MAX = 1_000_000;
let cached = 0;
const hashCache = new Map<string, Map<string, Buffer>>();

/**
 * SHA-256 of `node#ip`, MetalLB's per-IP rank key (`speaker/layer2_controller.go`). Memoised (bounded), as
 * every member of a process, and every recomputation, asks for the same pairs.
 */
export function rankHash(node: string, ip: string): Buffer {
  let byNode = hashCache.get(ip);
  if (byNode === undefined) {
    byNode = new Map();
    hashCache.set(ip, byNode);
  }
  let h = byNode.get(node);
  if (h === undefined) {
    if (cached >= HASH_CACHE_MAX) {
      hashCache.clear();
      cached = 0;
      byNode = new Map();
      hashCache.set(ip, byNode);
    }
    h = createHash('sha256').update(`${node}#${ip}`).digest();
    byNode.set(node, h);
    cached++;
  }
  return h;
}

/** The text form MetalLB hashes: Go's canonical form (dotted quad, RFC 5952 for IPv6). Non-IP keys pass through. */
export function canonicalKey(ip: string): string {
  try {
    return canonicalIp(ip);
  } catch {
    return ip;
  }
}

/** A preference lookup for either form of {@link Preferences}. */
export function preferenceOf(prefs: Preferences | undefined, node: string): number {
  if (prefs === undefined) return 0;
  if (prefs instanceof Map) return (prefs as ReadonlyMap<string, number>).get(node) ?? 0;
  return (prefs as Readonly<Record<string, number>>)[node] ?? 0;
}

/**
 * MetalLB's layer 2 owner choice for one IP: candidates sorted by preference score, highest first, then by
 * SHA-256 of `nodeName#ip` compared byte-wise, ascending; the first wins. `ip` is the service's first
 * ingress IP; it is put in canonical form before hashing. Duplicate candidates count once.
 */
export function chooseOwner(ip: string, candidates: readonly string[], preferences?: Preferences): OwnerChoice {
  const key = canonicalKey(ip);
  const ranked = [...new Set(candidates)].map((node) => ({
    node,
    pref: preferenceOf(preferences, node),
    hash: rankHash(node, key),
  }));
  if (ranked.length === 0) return { owner: undefined, reason: 'no-candidates', ranking: [] };
  ranked.sort(compareRanked);
  const first = ranked[0]!;
  const second = ranked[1];
  const reason: OwnerReason =
    second === undefined ? 'only-candidate' : first.pref > second.pref ? 'preference' : 'hash';
  return { owner: first.node, reason, ranking: ranked.map((r) => r.node) };
}

/** Ranking order: preference descending, then hash ascending. */
export function compareRanked(
  a: { pref: number; hash: Buffer; k?: number },
  b: { pref: number; hash: Buffer; k?: number },
): number {
  if (a.pref !== b.pref) return b.pref - a.pref;
  // The first four bytes settle nearly every comparison without a full byte compare.
  const x = a.k ?? a.hash.readUInt32BE(0);
  const y = b.k ?? b.hash.readUInt32BE(0);
  if (x !== y) return x < y ? -1 : 1;
  return Buffer.compare(a.hash, b.hash);
}
