import type { MacAddress } from '@lbkit/core';
import { ETHERNET_MIN_FRAME, EtherType } from '../constants.js';
import { ArpDecodeError } from '../errors.js';

/** An IEEE 802.1Q tag: priority code point, drop-eligible indicator and VLAN id. */
export interface VlanTag {
  readonly priority: number;
  readonly dropEligible: boolean;
  readonly id: number;
}

/** An Ethernet II frame without its FCS, optionally carrying one 802.1Q tag. */
export interface EthernetFrame {
  readonly destination: MacAddress;
  readonly source: MacAddress;
  readonly vlan?: VlanTag;
  /** The EtherType of the payload (after the tag, when there is one). */
  readonly etherType: number;
  /** The payload, padding included: the upper layer knows its own length. A view into the decoded bytes. */
  readonly payload: Uint8Array;
}

/** Options of {@link encodeEthernet}. */
export interface EncodeEthernetOptions {
  /** Pad with zeros to the 60-byte minimum frame, as a NIC would. @default true */
  readonly pad?: boolean;
}

/**
 * Encodes an Ethernet II frame.
 *
 * ```
 * 6 bytes  destination MAC
 * 6 bytes  source MAC
 * [2 bytes 0x8100, 2 bytes PCP(3) DEI(1) VID(12)]   802.1Q tag, when `vlan` is set
 * 2 bytes  EtherType
 * n bytes  payload, zero-padded to a 60-byte frame when `pad`
 * ```
 */
export function encodeEthernet(frame: EthernetFrame, options: EncodeEthernetOptions = {}): Uint8Array {
  const header = frame.vlan === undefined ? 14 : 18;
  const length = Math.max(header + frame.payload.length, options.pad === false ? 0 : ETHERNET_MIN_FRAME);
  const out = new Uint8Array(length);
  out.set(frame.destination.subarray(0, 6), 0);
  out.set(frame.source.subarray(0, 6), 6);
  let o = 12;
  if (frame.vlan !== undefined) {
    const v = frame.vlan;
    out[12] = EtherType.VLAN >> 8;
    out[13] = EtherType.VLAN & 0xff;
    const tci = ((v.priority & 7) << 13) | (v.dropEligible ? 0x1000 : 0) | (v.id & 0x0fff);
    out[14] = tci >> 8;
    out[15] = tci & 0xff;
    o = 16;
  }
  out[o] = (frame.etherType >> 8) & 0xff;
  out[o + 1] = frame.etherType & 0xff;
  out.set(frame.payload, header);
  return out;
}

/** Decodes an Ethernet II frame (with at most one 802.1Q tag). The payload is a view, not a copy. */
export function decodeEthernet(bytes: Uint8Array): EthernetFrame {
  if (bytes.length < 14)
    throw new ArpDecodeError(
      'ethernet',
      bytes.length,
      `frame of ${bytes.length} bytes is shorter than the 14-byte header`,
    );
  const destination = bytes.subarray(0, 6);
  const source = bytes.subarray(6, 12);
  let etherType = ((bytes[12] as number) << 8) | (bytes[13] as number);
  if (etherType === EtherType.VLAN) {
    if (bytes.length < 18) throw new ArpDecodeError('ethernet', bytes.length, 'frame ends inside its 802.1Q tag');
    const tci = ((bytes[14] as number) << 8) | (bytes[15] as number);
    const vlan: VlanTag = { priority: tci >> 13, dropEligible: (tci & 0x1000) !== 0, id: tci & 0x0fff };
    etherType = ((bytes[16] as number) << 8) | (bytes[17] as number);
    if (etherType === EtherType.VLAN) throw new ArpDecodeError('ethernet', 16, 'stacked 802.1Q tags are not supported');
    return { destination, source, vlan, etherType, payload: bytes.subarray(18) };
  }
  if (etherType < 0x0600)
    throw new ArpDecodeError(
      'ethernet',
      12,
      `0x${etherType.toString(16)} is an 802.3 length, not an Ethernet II EtherType`,
    );
  return { destination, source, etherType, payload: bytes.subarray(14) };
}
