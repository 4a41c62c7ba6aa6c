import { InvalidArgumentError } from '@lbkit/core';
import type { MacAddress } from '@lbkit/core';
import { Icmpv6Type, NdpOptionType } from '../constants.js';
import { ArpDecodeError } from '../errors.js';
import { icmpv6Checksum } from './ipv6.js';

/** A source or target link-layer address option carrying a 6-byte MAC (RFC 4861 §4.6.1). */
export interface LinkLayerAddressOption {
  readonly type: 'source-link-layer-address' | 'target-link-layer-address';
  readonly address: MacAddress;
}

/** Any other option (or a link-layer option of another length), kept as it was so it re-encodes to the same bytes. */
export interface RawNdpOption {
  readonly type: 'raw';
  readonly code: number;
  /** The option's bytes after its type and length octets. */
  readonly data: Uint8Array;
}

/** A neighbour discovery option. */
export type NdpOption = LinkLayerAddressOption | RawNdpOption;

/** A Neighbor Solicitation (RFC 4861 §4.3). */
export interface NeighborSolicitation {
  readonly type: 'neighbor-solicitation';
  /** Must be zero; kept as received. */
  readonly code: number;
  /** 16 bytes. */
  readonly targetAddress: Uint8Array;
  readonly options: readonly NdpOption[];
}

/** A Neighbor Advertisement (RFC 4861 §4.4). */
export interface NeighborAdvertisement {
  readonly type: 'neighbor-advertisement';
  readonly code: number;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** 16 bytes. */
  readonly targetAddress: Uint8Array;
  readonly options: readonly NdpOption[];
}

/** The neighbour discovery messages this package reads and writes. */
export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

/** The MAC in the first option of a type, if any. */
export function linkLayerOption(msg: NdpMessage, type: LinkLayerAddressOption['type']): MacAddress | undefined {
  for (const o of msg.options) if (o.type === type) return o.address;
  return undefined;
}

function optionLength(o: NdpOption): number {
  return o.type === 'raw' ? 2 + o.data.length : 8;
}

/**
 * Encodes a Neighbor Solicitation or Advertisement as an ICMPv6 message, with its checksum computed over
 * the given IPv6 source and destination (RFC 4443 §2.3).
 *
 * ```
 * 1 byte   type (135 NS, 136 NA)
 * 1 byte   code (0)
 * 2 bytes  checksum
 * 4 bytes  NS: reserved; NA: R S O flags in the top three bits, then reserved
 * 16 bytes target address
 * options: 1 byte type, 1 byte length in units of 8 bytes, value (link-layer address: 6-byte MAC)
 * ```
 */
export function encodeNdp(msg: NdpMessage, source: Uint8Array, destination: Uint8Array): Uint8Array {
  let length = 24;
  for (const o of msg.options) {
    const l = optionLength(o);
    if (l % 8 !== 0 || l > 255 * 8)
      throw new InvalidArgumentError('NdpOption', 'an option of a multiple of 8 bytes, at most 2040', l);
    length += l;
  }
  const out = new Uint8Array(length);
  out[0] = msg.type === 'neighbor-solicitation' ? Icmpv6Type.NEIGHBOR_SOLICITATION : Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
  out[1] = msg.code;
  if (msg.type === 'neighbor-advertisement')
    out[4] = (msg.router ? 0x80 : 0) | (msg.solicited ? 0x40 : 0) | (msg.override ? 0x20 : 0);
  out.set(msg.targetAddress.subarray(0, 16), 8);
  let o = 24;
  for (const opt of msg.options) {
    const l = optionLength(opt);
    if (opt.type === 'raw') {
      out[o] = opt.code;
      out.set(opt.data, o + 2);
    } else {
      out[o] =
        opt.type === 'source-link-layer-address'
          ? NdpOptionType.SOURCE_LINK_LAYER_ADDRESS
          : NdpOptionType.TARGET_LINK_LAYER_ADDRESS;
      out.set(opt.address.subarray(0, 6), o + 2);
    }
    out[o + 1] = l / 8;
    o += l;
  }
  const sum = icmpv6Checksum(source, destination, out);
  out[2] = sum >> 8;
  out[3] = sum & 0xff;
  return out;
}

/**
 * Decodes a Neighbor Solicitation or Advertisement from an ICMPv6 message. Decoding checks structure only;
 * the checks of RFC 4861 §7.1 (hop limit, code, checksum, addresses) are {@link validateNdp}'s.
 */
export function decodeNdp(bytes: Uint8Array): NdpMessage {
  if (bytes.length < 24)
    throw new ArpDecodeError('ndp', bytes.length, `message of ${bytes.length} bytes is shorter than 24`);
  const type = bytes[0] as number;
  if (type !== Icmpv6Type.NEIGHBOR_SOLICITATION && type !== Icmpv6Type.NEIGHBOR_ADVERTISEMENT) {
    throw new ArpDecodeError('ndp', 0, `ICMPv6 type ${type} is not a neighbor solicitation or advertisement`);
  }
  const code = bytes[1] as number;
  const targetAddress = bytes.subarray(8, 24);
  const options: NdpOption[] = [];
  let o = 24;
  while (o < bytes.length) {
    if (o + 2 > bytes.length) throw new ArpDecodeError('ndp', o, 'option header truncated');
    const optType = bytes[o] as number;
    const units = bytes[o + 1] as number;
    // RFC 4861 §4.6: a zero length must cause the packet to be discarded.
    if (units === 0) throw new ArpDecodeError('ndp', o + 1, `option ${optType} has length 0`);
    const end = o + units * 8;
    if (end > bytes.length)
      throw new ArpDecodeError('ndp', o, `option ${optType} of ${units * 8} bytes runs past the message`);
    const isLinkLayer =
      optType === NdpOptionType.SOURCE_LINK_LAYER_ADDRESS || optType === NdpOptionType.TARGET_LINK_LAYER_ADDRESS;
    if (isLinkLayer && units === 1) {
      options.push({
        type:
          optType === NdpOptionType.SOURCE_LINK_LAYER_ADDRESS
            ? 'source-link-layer-address'
            : 'target-link-layer-address',
        address: bytes.subarray(o + 2, o + 8),
      });
    } else {
      options.push({ type: 'raw', code: optType, data: bytes.subarray(o + 2, end) });
    }
    o = end;
  }
  if (type === Icmpv6Type.NEIGHBOR_SOLICITATION) return { type: 'neighbor-solicitation', code, targetAddress, options };
  const flags = bytes[4] as number;
  return {
    type: 'neighbor-advertisement',
    code,
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    targetAddress,
    options,
  };
}

/** Why a decoded neighbour discovery message fails RFC 4861 §7.1 validation. */
export type NdpInvalidReason =
  | 'hop-limit'
  | 'code'
  | 'checksum'
  | 'multicast-target'
  | 'dad-not-to-solicited-node'
  | 'dad-with-source-link-layer'
  | 'solicited-to-multicast';

/**
 * The receipt checks of RFC 4861 §7.1.1 (NS) and §7.1.2 (NA) that decoding does not make. Returns the first
 * failed check, or undefined when the message is valid. `icmp` is the undecoded ICMPv6 message, for the
 * checksum.
 */
export function validateNdp(
  msg: NdpMessage,
  hopLimit: number,
  source: Uint8Array,
  destination: Uint8Array,
  icmp: Uint8Array,
): NdpInvalidReason | undefined {
  if (hopLimit !== 255) return 'hop-limit';
  if (msg.code !== 0) return 'code';
  if (icmpv6Checksum(source, destination, icmp) !== 0) return 'checksum';
  if (msg.targetAddress[0] === 0xff) return 'multicast-target';
  if (msg.type === 'neighbor-solicitation') {
    if (isUnspecified(source)) {
      if (!isSolicitedNodeMulticast(destination)) return 'dad-not-to-solicited-node';
      if (linkLayerOption(msg, 'source-link-layer-address') !== undefined) return 'dad-with-source-link-layer';
    }
  } else if (msg.solicited && destination[0] === 0xff) {
    return 'solicited-to-multicast';
  }
  return undefined;
}

/** True for `::`. */
export function isUnspecified(ip: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (ip[i] !== 0) return false;
  return true;
}

const SOLICITED_NODE_PREFIX = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff] as const;

/** True for an address in ff02::1:ff00:0/104. */
export function isSolicitedNodeMulticast(ip: Uint8Array): boolean {
  for (let i = 0; i < 13; i++) if (ip[i] !== SOLICITED_NODE_PREFIX[i]) return false;
  return true;
}

/** The solicited-node multicast address of an IPv6 address: ff02::1:ff and its low 24 bits (RFC 4291 §2.7.1). */
export function solicitedNodeAddress(ip: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(SOLICITED_NODE_PREFIX, 0);
  out[13] = ip[13] as number;
  out[14] = ip[14] as number;
  out[15] = ip[15] as number;
  return out;
}

/** The Ethernet address of an IPv6 multicast group: 33:33 and the group's low 32 bits (RFC 2464 §7). */
export function ipv6MulticastMac(group: Uint8Array): MacAddress {
  return Uint8Array.of(0x33, 0x33, group[12] as number, group[13] as number, group[14] as number, group[15] as number);
}

/** ff02::1, the all-nodes multicast address (RFC 4291 §2.7.1). */
export function allNodesAddress(): Uint8Array {
  const out = new Uint8Array(16);
  out[0] = 0xff;
  out[1] = 0x02;
  out[15] = 1;
  return out;
}
