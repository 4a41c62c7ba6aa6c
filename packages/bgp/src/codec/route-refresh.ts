import { checkUint, readU16, writeU16 } from './address.js';
import { HEADER_LENGTH, MessageType, RouteRefreshSubtype } from './constants.js';
import { BgpDecodeError } from './errors.js';
import { writeHeader } from './header.js';

/** The ROUTE-REFRESH message (RFC 2918) with the BoRR/EoRR subtypes of enhanced route refresh (RFC 7313). */
export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  /** 0 normal request, 1 BoRR, 2 EoRR (`RouteRefreshSubtype`); the octet was "Reserved" in RFC 2918. */
  readonly subtype: number;
  readonly safi: number;
  /** Octets after the fixed fields (ORF entries, RFC 5291), kept raw; only a normal request may carry them. */
  readonly orf?: Uint8Array;
}

/** The KEEPALIVE message (RFC 4271 §4.4): the header alone. */
export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

/** Decodes a ROUTE-REFRESH body; `b` is the whole message, at least 23 octets. */
export function decodeRouteRefreshBody(b: Uint8Array): RouteRefreshMessage {
  const afi = readU16(b, 19);
  const subtype = b[21]!;
  const safi = b[22]!;
  if (b.length > 23) {
    // RFC 7313 §5: BoRR and EoRR have exactly 4 octets of body; the data is the whole message.
    if (subtype === RouteRefreshSubtype.BORR || subtype === RouteRefreshSubtype.EORR) {
      throw new BgpDecodeError('route-refresh-length', 16, 7, 1, b.slice());
    }
    return { type: 'route-refresh', afi, subtype, safi, orf: b.slice(23) };
  }
  return { type: 'route-refresh', afi, subtype, safi };
}

/**
 * Encodes a ROUTE-REFRESH.
 *
 * ```
 * +---------+---------+------+
 * | AFI (2) | Subtype | SAFI |
 * +---------+---------+------+
 * ```
 */
export function encodeRouteRefresh(msg: RouteRefreshMessage): Uint8Array {
  checkUint(msg.afi, 16, 'route-refresh.afi');
  checkUint(msg.subtype, 8, 'route-refresh.subtype');
  checkUint(msg.safi, 8, 'route-refresh.safi');
  const extra = msg.orf?.length ?? 0;
  const b = new Uint8Array(HEADER_LENGTH + 4 + extra);
  writeHeader(b, MessageType.ROUTE_REFRESH);
  writeU16(b, 19, msg.afi);
  b[21] = msg.subtype;
  b[22] = msg.safi;
  if (msg.orf !== undefined) b.set(msg.orf, 23);
  return b;
}

const KEEPALIVE_BYTES = (() => {
  const b = new Uint8Array(HEADER_LENGTH);
  writeHeader(b, MessageType.KEEPALIVE);
  return b;
})();

/** Encodes a KEEPALIVE (a fresh copy each call, so callers may keep or mutate it). */
export function encodeKeepalive(): Uint8Array {
  return KEEPALIVE_BYTES.slice();
}
