import { ArpDecodeError } from '../errors.js';

/** An IPv6 header (RFC 8200 §3) and its payload. Extension headers are not parsed: `nextHeader` names the first. */
export interface Ipv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  /** 16 bytes. */
  readonly source: Uint8Array;
  /** 16 bytes. */
  readonly destination: Uint8Array;
  /** Exactly `Payload Length` bytes (Ethernet padding after it is dropped). A view when decoded. */
  readonly payload: Uint8Array;
}

/**
 * Encodes an IPv6 packet.
 *
 * ```
 * 4 bits   version (6)
 * 8 bits   traffic class
 * 20 bits  flow label
 * 2 bytes  payload length
 * 1 byte   next header
 * 1 byte   hop limit
 * 16 bytes source address
 * 16 bytes destination address
 * n bytes  payload
 * ```
 */
export function encodeIpv6(p: Ipv6Packet): Uint8Array {
  const out = new Uint8Array(40 + p.payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, ((6 << 28) | ((p.trafficClass & 0xff) << 20) | (p.flowLabel & 0xfffff)) >>> 0);
  view.setUint16(4, p.payload.length);
  out[6] = p.nextHeader;
  out[7] = p.hopLimit;
  out.set(p.source.subarray(0, 16), 8);
  out.set(p.destination.subarray(0, 16), 24);
  out.set(p.payload, 40);
  return out;
}

/** Decodes an IPv6 header; bytes after `Payload Length` (link padding) are ignored. */
export function decodeIpv6(bytes: Uint8Array): Ipv6Packet {
  if (bytes.length < 40)
    throw new ArpDecodeError(
      'ipv6',
      bytes.length,
      `packet of ${bytes.length} bytes is shorter than the 40-byte header`,
    );
  const b0 = bytes[0] as number;
  if (b0 >> 4 !== 6) throw new ArpDecodeError('ipv6', 0, `version ${b0 >> 4}, expected 6`);
  const word = ((b0 << 24) | ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)) >>> 0;
  const payloadLength = ((bytes[4] as number) << 8) | (bytes[5] as number);
  if (bytes.length < 40 + payloadLength) {
    throw new ArpDecodeError(
      'ipv6',
      bytes.length,
      `payload length ${payloadLength} runs past the ${bytes.length - 40} bytes present`,
    );
  }
  return {
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    nextHeader: bytes[6] as number,
    hopLimit: bytes[7] as number,
    source: bytes.subarray(8, 24),
    destination: bytes.subarray(24, 40),
    payload: bytes.subarray(40, 40 + payloadLength),
  };
}

/**
 * The ICMPv6 checksum (RFC 4443 §2.3): the ones' complement sum over the pseudo-header of RFC 8200 §8.1
 * (source, destination, upper-layer length, next header 58) and the message with its checksum field as it
 * is. Over a message whose checksum field is zero this gives the value to write; over a received message
 * it gives 0 when the checksum is right.
 */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 16; i += 2) {
    sum += ((source[i] as number) << 8) | (source[i + 1] as number);
    sum += ((destination[i] as number) << 8) | (destination[i + 1] as number);
  }
  const len = message.length;
  sum += (len >>> 16) + (len & 0xffff);
  sum += 58;
  let i = 0;
  for (; i + 1 < len; i += 2) sum += ((message[i] as number) << 8) | (message[i + 1] as number);
  if (i < len) sum += (message[i] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
