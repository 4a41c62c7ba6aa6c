import { AS_TRANS, Origin, type AsPathSegment, type PathAttribute } from '../codec/index.js';
import type { AttributeSet } from './attributes.js';

/** What shapes the attributes of our routes towards one peer. */
export interface ExportContext {
  readonly localAsn: number;
  /** The peer is in another AS (eBGP). */
  readonly external: boolean;
  /** Both sides use 4-octet AS numbers (RFC 6793). */
  readonly fourOctetAs: boolean;
  /** Next hop of IPv4 routes (next hop self: the session's local IPv4 address). */
  readonly nextHopV4?: string;
  /** Global next hop of IPv6 routes. */
  readonly nextHopV6?: string;
  /** Link-local next hop of IPv6 routes (RFC 2545 §3), sent to directly connected peers. */
  readonly linkLocalNextHopV6?: string;
  /** LOCAL_PREF towards internal peers when the route sets none. */
  readonly defaultLocalPref: number;
}

/** Default LOCAL_PREF (the value BIRD, FRR and GoBGP assume). */
export const DEFAULT_LOCAL_PREF = 100;

function asPath(set: AttributeSet, ctx: ExportContext): PathAttribute[] {
  if (!ctx.external) return [{ type: 'as-path', segments: [] }];
  const asns = new Array<number>(1 + set.asPathPrepend).fill(ctx.localAsn);
  if (ctx.fourOctetAs || ctx.localAsn <= 0xffff)
    return [{ type: 'as-path', segments: [{ type: 'as-sequence', asns }] }];
  // RFC 6793 §4.2.2: towards a 2-octet speaker, AS_TRANS stands in and AS4_PATH carries the real path.
  const segments: AsPathSegment[] = [{ type: 'as-sequence', asns: asns.map(() => AS_TRANS) }];
  return [
    { type: 'as-path', segments },
    { type: 'as4-path', segments: [{ type: 'as-sequence', asns }] },
  ];
}

/**
 * The path attributes of a route towards a peer, in type-code order: ORIGIN, AS_PATH, NEXT_HOP (IPv4),
 * MED, LOCAL_PREF (internal peers only), COMMUNITIES, MP_REACH_NLRI (IPv6, as the packing template),
 * AS4_PATH, LARGE_COMMUNITY. Returns undefined when the family has no usable next hop.
 */
export function exportAttributes(set: AttributeSet, family: 4 | 6, ctx: ExportContext): PathAttribute[] | undefined {
  const out: PathAttribute[] = [{ type: 'origin', origin: Origin.IGP }];
  const path = asPath(set, ctx);
  out.push(path[0]!);
  if (family === 4) {
    const nh = set.nextHop !== undefined && !set.nextHop.includes(':') ? set.nextHop : ctx.nextHopV4;
    if (nh === undefined) return undefined;
    out.push({ type: 'next-hop', nextHop: nh });
  }
  if (set.med !== undefined) out.push({ type: 'multi-exit-disc', med: set.med });
  if (!ctx.external) out.push({ type: 'local-pref', localPref: set.localPref ?? ctx.defaultLocalPref });
  if (set.communities.length > 0) out.push({ type: 'communities', communities: set.communities });
  if (family === 6) {
    const nh = set.nextHop !== undefined && set.nextHop.includes(':') ? set.nextHop : ctx.nextHopV6;
    if (nh === undefined) return undefined;
    const ll = set.nextHop === undefined ? ctx.linkLocalNextHopV6 : undefined;
    out.push({
      type: 'mp-reach-nlri',
      afi: 2,
      safi: 1,
      nextHop: nh,
      ...(ll === undefined ? {} : { linkLocalNextHop: ll }),
      nlri: [],
    });
  }
  if (path[1] !== undefined) out.push(path[1]);
  if (set.largeCommunities.length > 0) out.push({ type: 'large-communities', communities: set.largeCommunities });
  return out;
}
