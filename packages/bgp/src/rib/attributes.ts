import { InvalidArgumentError, parseIp } from '@lbkit/core';
import { parseCommunity, parseLargeCommunity, type LargeCommunity } from '../codec/index.js';

/**
 * What a route carries besides its prefix, as the caller states it. ORIGIN is IGP and AS_PATH is built per
 * session (empty towards internal peers, our AS towards external ones).
 */
export interface RouteAttributes {
  /** Standard communities (RFC 1997) as `high:low` text, well-known names (`NO_EXPORT`) or 32-bit numbers. */
  readonly communities?: readonly (string | number)[];
  /** Large communities (RFC 8092) as `global:local1:local2` text or objects. */
  readonly largeCommunities?: readonly (string | LargeCommunity)[];
  /** LOCAL_PREF, sent to internal peers only (RFC 4271 §5.1.5). @default 100 towards internal peers */
  readonly localPref?: number;
  /** MULTI_EXIT_DISC (RFC 4271 §5.1.4). @default none */
  readonly med?: number;
  /**
   * An explicit next hop (IPv4 for IPv4 routes, IPv6 for IPv6 routes) instead of next-hop-self, the session's
   * local address. @default next hop self
   */
  readonly nextHop?: string;
  /** Times to prepend our AS towards external peers (traffic engineering). @default 0 */
  readonly asPathPrepend?: number;
}

/**
 * An interned, normalised attribute set: routes with equal attributes share one object, so the Adj-RIB-Out
 * stores a pointer per route and packing groups routes by identity.
 */
export interface AttributeSet {
  /** Canonical text of the set; equal sets have equal keys. */
  readonly key: string;
  /** Sorted, without duplicates. */
  readonly communities: readonly number[];
  /** Sorted, without duplicates. */
  readonly largeCommunities: readonly LargeCommunity[];
  readonly localPref?: number;
  readonly med?: number;
  readonly nextHop?: string;
  readonly asPathPrepend: number;
}

function checkU32(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new InvalidArgumentError(field, 'an unsigned 32-bit integer', value);
  return value;
}

function largeKey(c: LargeCommunity): string {
  return `${c.globalAdministrator}:${c.localData1}:${c.localData2}`;
}

/** Interns attribute sets. One per speaker; sets live as long as the interner (they are few in practice). */
export class AttributeInterner {
  readonly #sets = new Map<string, AttributeSet>();

  /** The number of distinct sets held. */
  get size(): number {
    return this.#sets.size;
  }

  /** Normalises and interns `attrs`; throws an `InvalidArgumentError` naming the bad field. */
  intern(attrs: RouteAttributes = {}): AttributeSet {
    const communities = [
      ...new Set(
        (attrs.communities ?? []).map((c) => (typeof c === 'number' ? checkU32(c, 'communities') : parseCommunity(c))),
      ),
    ].sort((a, b) => a - b);
    const largeMap = new Map<string, LargeCommunity>();
    for (const c of attrs.largeCommunities ?? []) {
      const v = typeof c === 'string' ? parseLargeCommunity(c) : c;
      checkU32(v.globalAdministrator, 'largeCommunities.globalAdministrator');
      checkU32(v.localData1, 'largeCommunities.localData1');
      checkU32(v.localData2, 'largeCommunities.localData2');
      largeMap.set(largeKey(v), {
        globalAdministrator: v.globalAdministrator,
        localData1: v.localData1,
        localData2: v.localData2,
      });
    }
    const largeCommunities = [...largeMap.values()].sort(
      (a, b) =>
        a.globalAdministrator - b.globalAdministrator || a.localData1 - b.localData1 || a.localData2 - b.localData2,
    );
    if (attrs.localPref !== undefined) checkU32(attrs.localPref, 'localPref');
    if (attrs.med !== undefined) checkU32(attrs.med, 'med');
    let nextHop: string | undefined;
    if (attrs.nextHop !== undefined) {
      try {
        nextHop = parseIp(attrs.nextHop).family === 4 ? attrs.nextHop : attrs.nextHop.toLowerCase();
      } catch (err) {
        throw new InvalidArgumentError('nextHop', 'an IPv4 or IPv6 address', attrs.nextHop, { cause: err });
      }
    }
    const asPathPrepend = attrs.asPathPrepend ?? 0;
    if (!Number.isInteger(asPathPrepend) || asPathPrepend < 0 || asPathPrepend > 16)
      throw new InvalidArgumentError('asPathPrepend', 'an integer in 0..16', asPathPrepend);
    const key = `${communities.join(',')}|${largeCommunities.map(largeKey).join(',')}|${attrs.localPref ?? ''}|${attrs.med ?? ''}|${nextHop ?? ''}|${asPathPrepend}`;
    const found = this.#sets.get(key);
    if (found !== undefined) return found;
    const set: AttributeSet = {
      key,
      communities,
      largeCommunities,
      asPathPrepend,
      ...(attrs.localPref === undefined ? {} : { localPref: attrs.localPref }),
      ...(attrs.med === undefined ? {} : { med: attrs.med }),
      ...(nextHop === undefined ? {} : { nextHop }),
    };
    this.#sets.set(key, set);
    return set;
  }

  /** The same set with extra communities (used for the graceful-shutdown community, RFC 8326). */
  withCommunity(set: AttributeSet, community: number, localPref?: number): AttributeSet {
    return this.intern({
      ...toRouteAttributes(set),
      communities: [...set.communities, community],
      ...(localPref === undefined ? {} : { localPref }),
    });
  }
}

/** The caller-facing form of an interned set. */
export function toRouteAttributes(set: AttributeSet): RouteAttributes {
  return {
    communities: set.communities,
    largeCommunities: set.largeCommunities,
    asPathPrepend: set.asPathPrepend,
    ...(set.localPref === undefined ? {} : { localPref: set.localPref }),
    ...(set.med === undefined ? {} : { med: set.med }),
    ...(set.nextHop === undefined ? {} : { nextHop: set.nextHop }),
  };
}
