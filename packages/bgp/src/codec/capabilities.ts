import { checkUint, readU16, readU32, writeU16, writeU32 } from './address.js';
import { CapabilityCode } from './constants.js';
import { InvalidArgumentError } from '@lbkit/core';

/** One family of the graceful restart capability (RFC 4724 §3). */
export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** Flags for Address Family; bit 0x80 is F, "forwarding state preserved". */
  readonly flags: number;
}

/** One family of the long-lived graceful restart capability (RFC 9494 §2). */
export interface LongLivedGracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** Flags; bit 0x80 is F, "forwarding state preserved". */
  readonly flags: number;
  /** Long-lived stale time in seconds (24 bits). */
  readonly staleTime: number;
}

/** One family of the add-path capability (RFC 7911 §4). */
export interface AddPathFamily {
  readonly afi: number;
  readonly safi: number;
  /** 1 receive, 2 send, 3 both (see `AddPathMode`). */
  readonly sendReceive: number;
}

/** One entry of the extended next hop capability (RFC 8950 §3). */
export interface ExtendedNextHopEntry {
  readonly afi: number;
  readonly safi: number;
  readonly nextHopAfi: number;
}

/**
 * A capability advertised in OPEN (RFC 5492). Well-formed values of known codes decode to their own variant;
 * anything else — an unassigned code, or a known code whose value does not parse — is kept as `unknown` with
 * its raw value and re-encodes to the same bytes.
 */
export type Capability =
  | { readonly type: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly type: 'route-refresh' }
  | { readonly type: 'extended-next-hop'; readonly entries: readonly ExtendedNextHopEntry[] }
  | { readonly type: 'extended-message' }
  | {
      readonly type: 'graceful-restart';
      /** The 4 flag bits: 0x8 R (restarting), 0x4 N (notification support, RFC 8538). */
      readonly flags: number;
      /** Restart time in seconds (12 bits). */
      readonly restartTime: number;
      readonly families: readonly GracefulRestartFamily[];
    }
  | { readonly type: 'four-octet-as'; readonly asn: number }
  | { readonly type: 'add-path'; readonly families: readonly AddPathFamily[] }
  | { readonly type: 'enhanced-route-refresh' }
  | { readonly type: 'long-lived-graceful-restart'; readonly families: readonly LongLivedGracefulRestartFamily[] }
  | { readonly type: 'fqdn'; readonly hostname: string; readonly domainName: string }
  | { readonly type: 'unknown'; readonly code: number; readonly value: Uint8Array };

/** Graceful restart capability flag bits (RFC 4724 §3, RFC 8538 §2). */
export const GracefulRestartFlag = {
  RESTART_STATE: 0x8,
  NOTIFICATION: 0x4,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes one capability value; falls back to the raw form when the value is not well-formed. */
export function decodeCapability(code: number, bytes: Uint8Array, start: number, length: number): Capability {
  const typed = decodeKnown(code, bytes, start, length);
  return typed ?? { type: 'unknown', code, value: bytes.slice(start, start + length) };
}

function decodeKnown(code: number, b: Uint8Array, o: number, len: number): Capability | undefined {
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL:
      if (len !== 4 || b[o + 2] !== 0) return undefined;
      return { type: 'multiprotocol', afi: readU16(b, o), safi: b[o + 3]! };
    case CapabilityCode.ROUTE_REFRESH:
      return len === 0 ? { type: 'route-refresh' } : undefined;
    case CapabilityCode.EXTENDED_MESSAGE:
      return len === 0 ? { type: 'extended-message' } : undefined;
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      return len === 0 ? { type: 'enhanced-route-refresh' } : undefined;
    case CapabilityCode.FOUR_OCTET_AS:
      return len === 4 ? { type: 'four-octet-as', asn: readU32(b, o) } : undefined;
    case CapabilityCode.EXTENDED_NEXT_HOP_ENCODING: {
      if (len % 6 !== 0) return undefined;
      const entries: ExtendedNextHopEntry[] = [];
      for (let i = 0; i < len; i += 6)
        entries.push({ afi: readU16(b, o + i), safi: readU16(b, o + i + 2), nextHopAfi: readU16(b, o + i + 4) });
      return { type: 'extended-next-hop', entries };
    }
    case CapabilityCode.GRACEFUL_RESTART: {
      if (len < 2 || (len - 2) % 4 !== 0) return undefined;
      const families: GracefulRestartFamily[] = [];
      for (let i = 2; i < len; i += 4)
        families.push({ afi: readU16(b, o + i), safi: b[o + i + 2]!, flags: b[o + i + 3]! });
      return { type: 'graceful-restart', flags: b[o]! >> 4, restartTime: readU16(b, o) & 0x0fff, families };
    }
    case CapabilityCode.ADD_PATH: {
      if (len % 4 !== 0) return undefined;
      const families: AddPathFamily[] = [];
      for (let i = 0; i < len; i += 4)
        families.push({ afi: readU16(b, o + i), safi: b[o + i + 2]!, sendReceive: b[o + i + 3]! });
      return { type: 'add-path', families };
    }
    case CapabilityCode.LONG_LIVED_GRACEFUL_RESTART: {
      if (len % 7 !== 0) return undefined;
      const families: LongLivedGracefulRestartFamily[] = [];
      for (let i = 0; i < len; i += 7) {
        families.push({
          afi: readU16(b, o + i),
          safi: b[o + i + 2]!,
          flags: b[o + i + 3]!,
          staleTime: (b[o + i + 4]! << 16) | (b[o + i + 5]! << 8) | b[o + i + 6]!,
        });
      }
      return { type: 'long-lived-graceful-restart', families };
    }
    case CapabilityCode.FQDN: {
      if (len < 1) return undefined;
      const hl = b[o]!;
      if (1 + hl + 1 > len) return undefined;
      const dl = b[o + 1 + hl]!;
      if (1 + hl + 1 + dl !== len) return undefined;
      try {
        const hostname = utf8.decode(b.subarray(o + 1, o + 1 + hl));
        const domainName = utf8.decode(b.subarray(o + 2 + hl, o + 2 + hl + dl));
        // Only text that re-encodes to the same octets takes the typed form (a BOM would not).
        if (utf8Encoder.encode(hostname).length !== hl || utf8Encoder.encode(domainName).length !== dl)
          return undefined;
        return { type: 'fqdn', hostname, domainName };
      } catch {
        return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** Code of a capability. */
export function capabilityCode(cap: Capability): number {
  switch (cap.type) {
    case 'multiprotocol':
      return CapabilityCode.MULTIPROTOCOL;
    case 'route-refresh':
      return CapabilityCode.ROUTE_REFRESH;
    case 'extended-next-hop':
      return CapabilityCode.EXTENDED_NEXT_HOP_ENCODING;
    case 'extended-message':
      return CapabilityCode.EXTENDED_MESSAGE;
    case 'graceful-restart':
      return CapabilityCode.GRACEFUL_RESTART;
    case 'four-octet-as':
      return CapabilityCode.FOUR_OCTET_AS;
    case 'add-path':
      return CapabilityCode.ADD_PATH;
    case 'enhanced-route-refresh':
      return CapabilityCode.ENHANCED_ROUTE_REFRESH;
    case 'long-lived-graceful-restart':
      return CapabilityCode.LONG_LIVED_GRACEFUL_RESTART;
    case 'fqdn':
      return CapabilityCode.FQDN;
    case 'unknown':
      return cap.code;
  }
}

/** Octets of a capability's value (without its code and length octets). */
export function capabilityValueLength(cap: Capability): number {
  switch (cap.type) {
    case 'multiprotocol':
    case 'four-octet-as':
      return 4;
    case 'route-refresh':
    case 'extended-message':
    case 'enhanced-route-refresh':
      return 0;
    case 'extended-next-hop':
      return 6 * cap.entries.length;
    case 'graceful-restart':
      return 2 + 4 * cap.families.length;
    case 'add-path':
      return 4 * cap.families.length;
    case 'long-lived-graceful-restart':
      return 7 * cap.families.length;
    case 'fqdn':
      return 2 + utf8Encoder.encode(cap.hostname).length + utf8Encoder.encode(cap.domainName).length;
    case 'unknown':
      return cap.value.length;
  }
}

/**
 * Writes one capability (code, length, value) at `o`; returns the offset after it.
 *
 * ```
 * +------------------+------------------+------------------------+
 * | Capability Code  | Capability Length| Capability Value (var) |
 * +------------------+------------------+------------------------+
 * ```
 */
export function writeCapability(b: Uint8Array, o: number, cap: Capability): number {
  const len = capabilityValueLength(cap);
  if (len > 255) throw new InvalidArgumentError('capability', 'a value of at most 255 octets', cap.type);
  const code = capabilityCode(cap);
  checkUint(code, 8, 'capability.code');
  b[o] = code;
  b[o + 1] = len;
  o += 2;
  switch (cap.type) {
    case 'multiprotocol':
      checkUint(cap.afi, 16, 'multiprotocol.afi');
      checkUint(cap.safi, 8, 'multiprotocol.safi');
      writeU16(b, o, cap.afi);
      b[o + 2] = 0;
      b[o + 3] = cap.safi;
      break;
    case 'four-octet-as':
      checkUint(cap.asn, 32, 'four-octet-as.asn');
      writeU32(b, o, cap.asn);
      break;
    case 'route-refresh':
    case 'extended-message':
    case 'enhanced-route-refresh':
      break;
    case 'extended-next-hop':
      for (let i = 0; i < cap.entries.length; i++) {
        const e = cap.entries[i]!;
        checkUint(e.afi, 16, 'extended-next-hop.afi');
        checkUint(e.safi, 16, 'extended-next-hop.safi');
        checkUint(e.nextHopAfi, 16, 'extended-next-hop.nextHopAfi');
        writeU16(b, o + 6 * i, e.afi);
        writeU16(b, o + 6 * i + 2, e.safi);
        writeU16(b, o + 6 * i + 4, e.nextHopAfi);
      }
      break;
    case 'graceful-restart': {
      if (!Number.isInteger(cap.flags) || cap.flags < 0 || cap.flags > 15)
        throw new InvalidArgumentError('graceful-restart.flags', 'a 4-bit value', cap.flags);
      if (!Number.isInteger(cap.restartTime) || cap.restartTime < 0 || cap.restartTime > 4095) {
        throw new InvalidArgumentError('graceful-restart.restartTime', 'seconds in 0..4095', cap.restartTime);
      }
      writeU16(b, o, (cap.flags << 12) | cap.restartTime);
      for (let i = 0; i < cap.families.length; i++) {
        const f = cap.families[i]!;
        checkUint(f.afi, 16, 'graceful-restart.afi');
        checkUint(f.safi, 8, 'graceful-restart.safi');
        checkUint(f.flags, 8, 'graceful-restart.flags');
        writeU16(b, o + 2 + 4 * i, f.afi);
        b[o + 4 + 4 * i] = f.safi;
        b[o + 5 + 4 * i] = f.flags;
      }
      break;
    }
    case 'add-path':
      for (let i = 0; i < cap.families.length; i++) {
        const f = cap.families[i]!;
        checkUint(f.afi, 16, 'add-path.afi');
        checkUint(f.safi, 8, 'add-path.safi');
        checkUint(f.sendReceive, 8, 'add-path.sendReceive');
        writeU16(b, o + 4 * i, f.afi);
        b[o + 4 * i + 2] = f.safi;
        b[o + 4 * i + 3] = f.sendReceive;
      }
      break;
    case 'long-lived-graceful-restart':
      for (let i = 0; i < cap.families.length; i++) {
        const f = cap.families[i]!;
        const p = o + 7 * i;
        checkUint(f.afi, 16, 'long-lived-graceful-restart.afi');
        checkUint(f.safi, 8, 'long-lived-graceful-restart.safi');
        checkUint(f.flags, 8, 'long-lived-graceful-restart.flags');
        if (!Number.isInteger(f.staleTime) || f.staleTime < 0 || f.staleTime >= 2 ** 24) {
          throw new InvalidArgumentError(
            'long-lived-graceful-restart.staleTime',
            'seconds in 0..16777215',
            f.staleTime,
          );
        }
        writeU16(b, p, f.afi);
        b[p + 2] = f.safi;
        b[p + 3] = f.flags;
        b[p + 4] = f.staleTime >>> 16;
        b[p + 5] = (f.staleTime >>> 8) & 255;
        b[p + 6] = f.staleTime & 255;
      }
      break;
    case 'fqdn': {
      const h = utf8Encoder.encode(cap.hostname);
      const d = utf8Encoder.encode(cap.domainName);
      b[o] = h.length;
      b.set(h, o + 1);
      b[o + 1 + h.length] = d.length;
      b.set(d, o + 2 + h.length);
      break;
    }
    case 'unknown':
      b.set(cap.value, o);
      break;
  }
  return o + len;
}
