/** Ethernet II EtherType values this package reads or writes (IEEE 802 numbers registry). */
export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
} as const;

/** EtherType number to name, for logs. */
export const EtherTypeName: Readonly<Record<number, string>> = reverse(EtherType);

/** ARP opcodes (RFC 826; IANA "ARP Parameters", operation codes). */
export const ArpOperation = {
  REQUEST: 1,
  REPLY: 2,
} as const;

/** ARP opcode to name, for logs. */
export const ArpOperationName: Readonly<Record<number, string>> = reverse(ArpOperation);

/** ARP hardware type for Ethernet (IANA "ARP Parameters", hardware types). */
export const ARP_HTYPE_ETHERNET = 1;

/** IPv6 next-header value of ICMPv6 (IANA protocol numbers). */
export const IPPROTO_ICMPV6 = 58;

/** ICMPv6 types used by neighbour discovery (RFC 4861 §4). */
export const Icmpv6Type = {
  ROUTER_SOLICITATION: 133,
  ROUTER_ADVERTISEMENT: 134,
  NEIGHBOR_SOLICITATION: 135,
  NEIGHBOR_ADVERTISEMENT: 136,
  REDIRECT: 137,
} as const;

/** ICMPv6 type to name, for logs. */
export const Icmpv6TypeName: Readonly<Record<number, string>> = reverse(Icmpv6Type);

/** Neighbour discovery option types (RFC 4861 §4.6). */
export const NdpOptionType = {
  SOURCE_LINK_LAYER_ADDRESS: 1,
  TARGET_LINK_LAYER_ADDRESS: 2,
} as const;

/** Hop limit of every neighbour discovery packet, checked on receipt (RFC 4861 §7.1.1). */
export const NDP_HOP_LIMIT = 255;

/** Smallest Ethernet frame without its FCS: 14 header + 46 payload bytes (IEEE 802.3 §3.2.8). */
export const ETHERNET_MIN_FRAME = 60;

/**
 * Name patterns (regular expressions) never announced on, as shipped in MetalLB's manifests
 * (`metallb-excludel2` ConfigMap): container, bridge, tunnel and loopback interfaces that are not the LAN.
 */
export const DEFAULT_EXCLUDE_PATTERNS: readonly string[] = [
  '^docker.*',
  '^cbr.*',
  '^dummy.*',
  '^virbr.*',
  '^lxcbr.*',
  '^veth.*',
  '^lo$',
  '^cali.*',
  '^tunl.*',
  '^flannel.*',
  '^kube-ipvs.*',
  '^cni.*',
  '^nodelocaldns.*',
  '^lxc.*',
];

/**
 * Wait before the first announcement of a burst. Zero: the election has already decided, and every
 * millisecond of delay is a millisecond clients keep sending to the old owner.
 */
export const BURST_INITIAL_DELAY_MS = 0;

/** Announcement rounds per burst. Five, as MetalLB and keepalived: several frames may be lost and one still land. */
export const BURST_COUNT = 5;

/**
 * Spacing of burst rounds. One second: Linux ignores an ARP update that arrives within `locktime` (1 s)
 * of the previous one, so at least one round lands after that window; five rounds cover 4 s, close to
 * MetalLB's 4.4 s.
 */
export const BURST_INTERVAL_MS = 1_000;

/**
 * Periodic re-announcement after a burst. Off, as MetalLB; turn it on (keepalived's `garp_master_refresh`)
 * where switches or routers age MAC or ARP entries faster than clients refresh them.
 */
export const REFRESH_INTERVAL_MS = 0;

/** Self-probe period. Off by default: a probe per VIP per interface is traffic nobody asked for. */
export const SELF_PROBE_INTERVAL_MS = 0;

/** How long a self-probe collects answers. One second, as RFC 5227's ANNOUNCE_WAIT-scale timers. */
export const SELF_PROBE_WAIT_MS = 1_000;

/**
 * Interface rescan period. One second, not MetalLB's 10 s: a new or returning interface becomes usable, and
 * link loss is reported, within a second, and one scan reads a few small files.
 */
export const RESCAN_INTERVAL_MS = 1_000;

/** Minimum spacing of repeated conflict events for the same VIP and foreign MAC, so a flood of frames is one event. */
export const CONFLICT_REPORT_INTERVAL_MS = 10_000;

function reverse(o: Readonly<Record<string, number>>): Readonly<Record<number, string>> {
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(o)) out[v] = k;
  return out;
}
