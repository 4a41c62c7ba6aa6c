import { AttributeFlag } from './constants.js';
import type { Capability } from './capabilities.js';
import type { PathAttribute } from './attributes.js';
import type { CodecContext, Family } from './context.js';
import { openCapabilities, type OpenMessage } from './open.js';

/** What two OPENs agree on (RFC 5492 and each capability's RFC). */
export interface NegotiatedSession {
  /** min of both hold times (RFC 4271 §4.2); 0 means no keepalives. */
  readonly holdTime: number;
  /** Families both sides advertised; IPv4 unicast alone when neither sent multiprotocol (RFC 4760 §8). */
  readonly families: readonly Family[];
  readonly fourOctetAs: boolean;
  readonly extendedMessage: boolean;
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** Context for decoding what the peer sends. */
  readonly receive: CodecContext;
  /** Context for encoding what we send. */
  readonly send: CodecContext;
}

function families(caps: readonly Capability[]): Family[] {
  const out: Family[] = [];
  for (const c of caps) if (c.type === 'multiprotocol') out.push({ afi: c.afi, safi: c.safi });
  return out;
}

function addPathModes(caps: readonly Capability[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of caps)
    if (c.type === 'add-path') for (const f of c.families) out.set(`${f.afi}/${f.safi}`, f.sendReceive);
  return out;
}

/** Combines our OPEN and the peer's into the session's codec contexts. */
export function negotiateSession(local: OpenMessage, remote: OpenMessage): NegotiatedSession {
  const lc = openCapabilities(local);
  const rc = openCapabilities(remote);
  const has = (caps: readonly Capability[], t: Capability['type']): boolean => caps.some((c) => c.type === t);
  const lf = families(lc);
  const rf = families(rc);
  let fams: Family[];
  if (lf.length === 0 && rf.length === 0) fams = [{ afi: 1, safi: 1 }];
  else fams = lf.filter((f) => rf.some((g) => g.afi === f.afi && g.safi === f.safi));
  const fourOctetAs = has(lc, 'four-octet-as') && has(rc, 'four-octet-as');
  const extendedMessage = has(lc, 'extended-message') && has(rc, 'extended-message');
  const la = addPathModes(lc);
  const ra = addPathModes(rc);
  const receive: Family[] = [];
  const send: Family[] = [];
  for (const f of fams) {
    const key = `${f.afi}/${f.safi}`;
    const l = la.get(key) ?? 0;
    const r = ra.get(key) ?? 0;
    // RFC 7911 §4: we receive path ids when we said receive and the peer said send, and the other way round.
    if ((l & 1) !== 0 && (r & 2) !== 0) receive.push(f);
    if ((l & 2) !== 0 && (r & 1) !== 0) send.push(f);
  }
  return {
    holdTime: Math.min(local.holdTime, remote.holdTime),
    families: fams,
    fourOctetAs,
    extendedMessage,
    routeRefresh: has(lc, 'route-refresh') && has(rc, 'route-refresh'),
    enhancedRouteRefresh: has(lc, 'enhanced-route-refresh') && has(rc, 'enhanced-route-refresh'),
    receive: { fourOctetAs, extendedMessage, addPath: receive },
    send: { fourOctetAs, extendedMessage, addPath: send },
  };
}

/**
 * Prepares received attributes for passing on (RFC 4271 §5, §9.1.2): unrecognised optional transitive
 * attributes are kept with the Partial bit set, unrecognised optional non-transitive and malformed ones are
 * dropped. Recognised attributes are left to the caller's policy.
 */
export function attributesForReadvertisement(attributes: readonly PathAttribute[]): PathAttribute[] {
  const out: PathAttribute[] = [];
  for (const a of attributes) {
    if (a.type === 'malformed') continue;
    if (a.type === 'unknown') {
      if ((a.flags & AttributeFlag.OPTIONAL) === 0 || (a.flags & AttributeFlag.TRANSITIVE) === 0) continue;
      out.push({ ...a, flags: a.flags | AttributeFlag.PARTIAL });
      continue;
    }
    out.push(a);
  }
  return out;
}
