/** An address family as the pair AFI/SAFI (RFC 4760 §3). */
export interface Family {
  readonly afi: number;
  readonly safi: number;
}

/**
 * What the session negotiated, which changes how messages are laid out. The codec holds no state of its own:
 * the session passes this to every call. Add-path is directional: when decoding, `addPath` lists the families
 * for which the peer sends path identifiers; when encoding, the families for which we send them.
 */
export interface CodecContext {
  /**
   * Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR carry 4-octet ASNs.
   * @default true — every current implementation supports it; set false only for a 2-octet-only peer.
   */
  readonly fourOctetAs?: boolean;
  /**
   * Families whose NLRI carry a 4-octet path identifier in this direction (RFC 7911 §3).
   * @default [] — add-path is off unless negotiated.
   */
  readonly addPath?: readonly Family[];
  /**
   * Both sides advertised the extended message capability (RFC 8654): UPDATE, NOTIFICATION and ROUTE-REFRESH
   * may be up to 65,535 octets.
   * @default false — the RFC 4271 limit of 4,096 octets applies until negotiated.
   */
  readonly extendedMessage?: boolean;
}

/** The context of a fresh session before OPENs are exchanged: 4-octet AS, no add-path, 4,096-octet messages. */
export const DEFAULT_CONTEXT: CodecContext = Object.freeze({ fourOctetAs: true, addPath: [], extendedMessage: false });

/** Whether path identifiers are present for a family in this context. */
export function hasAddPath(ctx: CodecContext, afi: number, safi: number): boolean {
  const list = ctx.addPath;
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    if (f.afi === afi && f.safi === safi) return true;
  }
  return false;
}

/** IPv4 unicast (AFI 1, SAFI 1). */
export const IPV4_UNICAST: Family = Object.freeze({ afi: 1, safi: 1 });
/** IPv6 unicast (AFI 2, SAFI 1). */
export const IPV6_UNICAST: Family = Object.freeze({ afi: 2, safi: 1 });
