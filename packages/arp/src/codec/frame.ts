import { broadcastMac, type MacAddress } from '@lbkit/core';
import {
  ARP_HTYPE_ETHERNET,
  ArpOperation,
  ETHERNET_MIN_FRAME,
  EtherType,
  IPPROTO_ICMPV6,
  NDP_HOP_LIMIT,
} from '../constants.js';
import { encodeArp } from './arp.js';
import { encodeEthernet } from './ethernet.js';
import { encodeIpv6 } from './ipv6.js';
import { allNodesAddress, encodeNdp, ipv6MulticastMac, solicitedNodeAddress, type NdpOption } from './ndp.js';

const ZERO_MAC = new Uint8Array(6);
const ZERO_IPV4 = new Uint8Array(4);

/** Which ARP operation a gratuitous ARP uses (RFC 5227 §3 prefers requests; many stacks send replies too). */
export type GratuitousArpForm = 'request' | 'reply';

/**
 * An ARP reply to a request: sender = our MAC and the VIP, target = the requester, sent to the requester's
 * hardware address (RFC 826, "Packet Reception").
 */
export function buildArpReply(
  ourMac: MacAddress,
  vip: Uint8Array,
  requesterMac: MacAddress,
  requesterIp: Uint8Array,
): Uint8Array {
  // The hot path of a flood: written in place into one padded 60-byte frame (the layouts of encodeEthernet
  // and encodeArp, Ethernet/IPv4 only).
  const out = new Uint8Array(ETHERNET_MIN_FRAME);
  out.set(requesterMac.subarray(0, 6), 0);
  out.set(ourMac.subarray(0, 6), 6);
  out.set(ARP_REPLY_HEADER, 12);
  out.set(ourMac.subarray(0, 6), 22);
  out.set(vip.subarray(0, 4), 28);
  out.set(requesterMac.subarray(0, 6), 32);
  out.set(requesterIp.subarray(0, 4), 38);
  return out;
}

// EtherType ARP, then hardware type 1, protocol 0x0800, lengths 6 and 4, operation 2 (reply).
const ARP_REPLY_HEADER = Uint8Array.of(
  0x08,
  0x06,
  0x00,
  ARP_HTYPE_ETHERNET,
  0x08,
  0x00,
  6,
  4,
  0x00,
  ArpOperation.REPLY,
);

/**
 * A gratuitous ARP for a VIP to Ethernet broadcast, sender and target protocol address both the VIP. The
 * request form is RFC 5227's ARP Announcement (target hardware address zero); the reply form carries the
 * broadcast address as target hardware address, as MetalLB and `arping -A` send it.
 */
export function buildGratuitousArp(form: GratuitousArpForm, ourMac: MacAddress, vip: Uint8Array): Uint8Array {
  const bcast = broadcastMac();
  const payload = encodeArp({
    hardwareType: ARP_HTYPE_ETHERNET,
    protocolType: EtherType.IPv4,
    operation: form === 'request' ? ArpOperation.REQUEST : ArpOperation.REPLY,
    senderHardwareAddress: ourMac,
    senderProtocolAddress: vip,
    targetHardwareAddress: form === 'request' ? ZERO_MAC : bcast,
    targetProtocolAddress: vip,
  });
  return encodeEthernet({ destination: bcast, source: ourMac, etherType: EtherType.ARP, payload });
}

/**
 * An ARP Probe (RFC 5227 §2.1.1): a broadcast request for the VIP with sender protocol address 0.0.0.0, so
 * no receiver's cache changes. Every host that holds the VIP answers with its MAC.
 */
export function buildArpProbe(ourMac: MacAddress, vip: Uint8Array): Uint8Array {
  const payload = encodeArp({
    hardwareType: ARP_HTYPE_ETHERNET,
    protocolType: EtherType.IPv4,
    operation: ArpOperation.REQUEST,
    senderHardwareAddress: ourMac,
    senderProtocolAddress: ZERO_IPV4,
    targetHardwareAddress: ZERO_MAC,
    targetProtocolAddress: vip,
  });
  return encodeEthernet({ destination: broadcastMac(), source: ourMac, etherType: EtherType.ARP, payload });
}

/** What {@link buildNeighborAdvertisement} needs. */
export interface NeighborAdvertisementInit {
  readonly sourceMac: MacAddress;
  readonly destinationMac: MacAddress;
  /** The IPv6 source: the interface's link-local address (RFC 4861 §7.2.4). */
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly target: Uint8Array;
  readonly solicited: boolean;
  readonly override: boolean;
}

/** A Neighbor Advertisement for `target` with a target link-layer address option of `sourceMac`, hop limit 255. */
export function buildNeighborAdvertisement(init: NeighborAdvertisementInit): Uint8Array {
  const options: NdpOption[] = [{ type: 'target-link-layer-address', address: init.sourceMac }];
  const icmp = encodeNdp(
    {
      type: 'neighbor-advertisement',
      code: 0,
      router: false,
      solicited: init.solicited,
      override: init.override,
      targetAddress: init.target,
      options,
    },
    init.source,
    init.destination,
  );
  const ip = encodeIpv6({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: IPPROTO_ICMPV6,
    hopLimit: NDP_HOP_LIMIT,
    source: init.source,
    destination: init.destination,
    payload: icmp,
  });
  return encodeEthernet({
    destination: init.destinationMac,
    source: init.sourceMac,
    etherType: EtherType.IPv6,
    payload: ip,
  });
}

/**
 * An unsolicited Neighbor Advertisement to all-nodes with Override set (RFC 4861 §7.2.6), from `source` (the
 * VIP itself, as Linux sends them, or the interface's link-local address).
 */
export function buildUnsolicitedNeighborAdvertisement(
  ourMac: MacAddress,
  source: Uint8Array,
  vip: Uint8Array,
): Uint8Array {
  const all = allNodesAddress();
  return buildNeighborAdvertisement({
    sourceMac: ourMac,
    destinationMac: ipv6MulticastMac(all),
    source,
    destination: all,
    target: vip,
    solicited: false,
    override: true,
  });
}

/**
 * A multicast Neighbor Solicitation for `target` to its solicited-node group, from our link-local with a
 * source link-layer address option (RFC 4861 §7.2.2): the IPv6 self-probe.
 */
export function buildNeighborSolicitation(ourMac: MacAddress, linkLocal: Uint8Array, target: Uint8Array): Uint8Array {
  const group = solicitedNodeAddress(target);
  const icmp = encodeNdp(
    {
      type: 'neighbor-solicitation',
      code: 0,
      targetAddress: target,
      options: [{ type: 'source-link-layer-address', address: ourMac }],
    },
    linkLocal,
    group,
  );
  const ip = encodeIpv6({
    trafficClass: 0,
    flowLabel: 0,
    nextHeader: IPPROTO_ICMPV6,
    hopLimit: NDP_HOP_LIMIT,
    source: linkLocal,
    destination: group,
    payload: icmp,
  });
  return encodeEthernet({
    destination: ipv6MulticastMac(group),
    source: ourMac,
    etherType: EtherType.IPv6,
    payload: ip,
  });
}
