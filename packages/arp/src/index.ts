/**
 * Layer 2 announcement of load-balancer VIPs: ARP (RFC 826) and NDP (RFC 4861) codecs, a responder that
 * answers for VIPs not configured on any interface, gratuitous ARP and unsolicited neighbour advertisement
 * bursts on takeover, and detection of other MACs claiming our VIPs.
 *
 * @example
 * ```ts
 * import { realClock } from '@lbkit/core';
 * import { createAnnouncer, openDgramPlusConn, sysfsInterfaces } from '@lbkit/arp';
 *
 * const announcer = createAnnouncer(
 *   { includeInterfaces: ['^eth0$'] },
 *   { clock: realClock, openConn: openDgramPlusConn, interfaces: sysfsInterfaces() },
 * );
 * announcer.on('conflict-detected', (c) => console.warn(`${c.vip} also at ${c.theirMac}`));
 * await announcer.start();
 * await announcer.announce('192.0.2.10');
 * await announcer.announce('2001:db8::10');
 * ```
 *
 * @packageDocumentation
 */
export { ArpDecodeError, type DecodeLayer } from './errors.js';
export {
  EtherType,
  EtherTypeName,
  ArpOperation,
  ArpOperationName,
  ARP_HTYPE_ETHERNET,
  IPPROTO_ICMPV6,
  Icmpv6Type,
  Icmpv6TypeName,
  NdpOptionType,
  NDP_HOP_LIMIT,
  ETHERNET_MIN_FRAME,
  DEFAULT_EXCLUDE_PATTERNS,
  BURST_INITIAL_DELAY_MS,
  BURST_COUNT,
  BURST_INTERVAL_MS,
  REFRESH_INTERVAL_MS,
  SELF_PROBE_INTERVAL_MS,
  SELF_PROBE_WAIT_MS,
  RESCAN_INTERVAL_MS,
  CONFLICT_REPORT_INTERVAL_MS,
} from './constants.js';
export {
  encodeEthernet,
  decodeEthernet,
  type EthernetFrame,
  type VlanTag,
  type EncodeEthernetOptions,
} from './codec/ethernet.js';
export { encodeArp, decodeArp, isEthernetIpv4Arp, type ArpPacket } from './codec/arp.js';
export { encodeIpv6, decodeIpv6, icmpv6Checksum, type Ipv6Packet } from './codec/ipv6.js';
export {
  encodeNdp,
  decodeNdp,
  validateNdp,
  linkLayerOption,
  isUnspecified,
  isSolicitedNodeMulticast,
  solicitedNodeAddress,
  ipv6MulticastMac,
  allNodesAddress,
  type NdpMessage,
  type NdpOption,
  type NdpInvalidReason,
  type NeighborSolicitation,
  type NeighborAdvertisement,
  type LinkLayerAddressOption,
  type RawNdpOption,
} from './codec/ndp.js';
export {
  buildArpReply,
  buildGratuitousArp,
  buildArpProbe,
  buildNeighborAdvertisement,
  buildUnsolicitedNeighborAdvertisement,
  buildNeighborSolicitation,
  type GratuitousArpForm,
  type NeighborAdvertisementInit,
} from './codec/frame.js';
export type { PacketConn, PacketConnTarget, OpenPacketConn, PacketType, ReceivedFrame } from './transport.js';
export type { InterfaceInfo, InterfaceSource } from './interfaces/interface-info.js';
export {
  checkInterface,
  compileInterfacePolicy,
  type InterfaceEligibility,
  type InterfacePolicy,
  type InterfaceReason,
} from './interfaces/eligibility.js';
export {
  Responder,
  FRAME_REASONS,
  type FrameReason,
  type FrameDecision,
  type ForeignClaim,
  type ClaimSource,
  type ResponderInit,
  type NdpSource,
  type VipCounts,
  type ResponderInterface,
} from './responder/responder.js';
export { TypedEmitter } from './events.js';
export {
  Announcer,
  createAnnouncer,
  type AnnouncerInit,
  type AnnouncerComponents,
  type AnnouncerEvents,
  type AnnouncerStats,
  type VipStats,
  type BurstCancelReason,
  type LinkLostReason,
  type SentKind,
  type InterfaceState,
} from './announce/announcer.js';
export { openDgramPlusConn, DEFAULT_RECEIVE_BUFFER_BYTES, type DgramPlusConnOptions } from './io/dgram-plus-conn.js';
export { sysfsInterfaces, type SysfsInterfacesInit } from './io/sysfs-interfaces.js';
