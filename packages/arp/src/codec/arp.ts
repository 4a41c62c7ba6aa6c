import { InvalidArgumentError } from '@lbkit/core';
import { ARP_HTYPE_ETHERNET, EtherType } from '../constants.js';
import { ArpDecodeError } from '../errors.js';

/**
 * An ARP packet (RFC 826). Field names follow the RFC. Addresses are bytes: `hardwareLength` and
 * `protocolLength` long, so packets for other hardware than Ethernet decode too.
 */
export interface ArpPacket {
  readonly hardwareType: number;
  readonly protocolType: number;
  readonly operation: number;
  readonly senderHardwareAddress: Uint8Array;
  readonly senderProtocolAddress: Uint8Array;
  readonly targetHardwareAddress: Uint8Array;
  readonly targetProtocolAddress: Uint8Array;
}

/** True for the one kind of ARP this package answers: Ethernet hardware addresses, IPv4 protocol addresses. */
export function isEthernetIpv4Arp(p: ArpPacket): boolean {
  return (
    p.hardwareType === ARP_HTYPE_ETHERNET &&
    p.protocolType === EtherType.IPv4 &&
    p.senderHardwareAddress.length === 6 &&
    p.senderProtocolAddress.length === 4
  );
}

/**
 * Encodes an ARP packet (RFC 826, "Packet format").
 *
 * ```
 * 2 bytes  ar$hrd  hardware type (1 = Ethernet)
 * 2 bytes  ar$pro  protocol type (0x0800 = IPv4)
 * 1 byte   ar$hln  hardware address length (n)
 * 1 byte   ar$pln  protocol address length (m)
 * 2 bytes  ar$op   operation (1 request, 2 reply)
 * n bytes  ar$sha  sender hardware address
 * m bytes  ar$spa  sender protocol address
 * n bytes  ar$tha  target hardware address
 * m bytes  ar$tpa  target protocol address
 * ```
 */
export function encodeArp(p: ArpPacket): Uint8Array {
  const hln = p.senderHardwareAddress.length;
  const pln = p.senderProtocolAddress.length;
  if (p.targetHardwareAddress.length !== hln || p.targetProtocolAddress.length !== pln || hln > 255 || pln > 255) {
    throw new InvalidArgumentError(
      'ArpPacket addresses',
      'sender and target addresses of equal lengths, at most 255 bytes',
      { hln, pln },
    );
  }
  const out = new Uint8Array(8 + 2 * (hln + pln));
  const view = new DataView(out.buffer);
  view.setUint16(0, p.hardwareType);
  view.setUint16(2, p.protocolType);
  out[4] = hln;
  out[5] = pln;
  view.setUint16(6, p.operation);
  let o = 8;
  out.set(p.senderHardwareAddress, o);
  o += hln;
  out.set(p.senderProtocolAddress, o);
  o += pln;
  out.set(p.targetHardwareAddress, o);
  o += hln;
  out.set(p.targetProtocolAddress, o);
  return out;
}

/** Decodes an ARP packet; trailing bytes (Ethernet padding) are ignored. Address fields are views. */
export function decodeArp(bytes: Uint8Array): ArpPacket {
  if (bytes.length < 8)
    throw new ArpDecodeError(
      'arp',
      bytes.length,
      `packet of ${bytes.length} bytes is shorter than the 8-byte fixed part`,
    );
  const hln = bytes[4] as number;
  const pln = bytes[5] as number;
  const need = 8 + 2 * (hln + pln);
  if (bytes.length < need)
    throw new ArpDecodeError('arp', bytes.length, `addresses need ${need} bytes, packet has ${bytes.length}`);
  const hardwareType = ((bytes[0] as number) << 8) | (bytes[1] as number);
  const protocolType = ((bytes[2] as number) << 8) | (bytes[3] as number);
  const operation = ((bytes[6] as number) << 8) | (bytes[7] as number);
  let o = 8;
  const senderHardwareAddress = bytes.subarray(o, o + hln);
  o += hln;
  const senderProtocolAddress = bytes.subarray(o, o + pln);
  o += pln;
  const targetHardwareAddress = bytes.subarray(o, o + hln);
  o += hln;
  const targetProtocolAddress = bytes.subarray(o, o + pln);
  return {
    hardwareType,
    protocolType,
    operation,
    senderHardwareAddress,
    senderProtocolAddress,
    targetHardwareAddress,
    targetProtocolAddress,
  };
}
