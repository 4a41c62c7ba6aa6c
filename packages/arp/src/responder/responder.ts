import { formatIp, formatMac, ipFromBytes, type MacAddress } from '@lbkit/core';
import { ArpOperation, EtherType, IPPROTO_ICMPV6 } from '../constants.js';
import { decodeArp, isEthernetIpv4Arp } from '../codec/arp.js';
import { decodeEthernet } from '../codec/ethernet.js';
import { buildArpReply, buildNeighborAdvertisement } from '../codec/frame.js';
import { decodeIpv6 } from '../codec/ipv6.js';
import { ipv4Key, ipv6Key, isBroadcastMac, sameMac } from '../codec/keys.js';
import {
  allNodesAddress,
  decodeNdp,
  ipv6MulticastMac,
  isSolicitedNodeMulticast,
  isUnspecified,
  linkLayerOption,
  validateNdp,
} from '../codec/ndp.js';
import { isLbError } from '@lbkit/core';
import type { ReceivedFrame } from '../transport.js';

/** What became of one received frame. Every frame gets exactly one reason, and each is counted. */
export type FrameReason =
  /** Answered: an ARP reply, or a solicited neighbour advertisement. */
  | 'reply'
  /** Answered a duplicate address detection probe for a VIP with an advertisement to all-nodes (RFC 4862 §5.4.3). */
  | 'reply-dad'
  /** The frame did not decode. */
  | 'malformed'
  /** Neither ARP nor ICMPv6 neighbour discovery. */
  | 'not-arp-or-ndp'
  /** ARP for other hardware or protocol than Ethernet and IPv4. */
  | 'unsupported-arp'
  /** An ARP reply, a neighbour advertisement without a conflict, or other ICMPv6: nothing to answer. */
  | 'not-request'
  /** Asks for an address we do not announce. */
  | 'not-ours'
  /** Asks for a VIP we announce, but not on the interface it arrived on. */
  | 'wrong-interface'
  /** Sent to a link-layer or IPv6 destination that is neither ours, broadcast, nor the target's solicited-node group. */
  | 'wrong-destination'
  /** Our own transmission (looped back, or from another of our interfaces). */
  | 'own-frame'
  /** Carries an 802.1Q tag: VLANs are answered on their own interfaces. */
  | 'tagged'
  /** Fails the receipt checks of RFC 4861 §7.1. */
  | 'invalid-ndp'
  /** A solicitation for a VIP on an interface with no IPv6 link-local address to answer from (`ndpSource: 'link-local'`). */
  | 'no-link-local'
  /** Another MAC claims one of our VIPs (see {@link ForeignClaim}). */
  | 'conflict';

/** Every {@link FrameReason}, in a stable order (for counters and metrics). */
export const FRAME_REASONS: readonly FrameReason[] = [
  'reply',
  'reply-dad',
  'malformed',
  'not-arp-or-ndp',
  'unsupported-arp',
  'not-request',
  'not-ours',
  'wrong-interface',
  'wrong-destination',
  'own-frame',
  'tagged',
  'invalid-ndp',
  'no-link-local',
  'conflict',
];

/** Which kind of frame showed another MAC holding a VIP. */
export type ClaimSource = 'arp-request' | 'arp-reply' | 'neighbor-solicitation' | 'neighbor-advertisement';

/** Another host using one of our VIPs: a duplicate announcer (split brain) or a misconfigured host. */
export interface ForeignClaim {
  readonly vip: string;
  readonly interface: string;
  readonly theirMac: string;
  readonly ourMac: string;
  readonly via: ClaimSource;
}

/** The outcome of {@link Responder.handle}. */
export interface FrameDecision {
  readonly reason: FrameReason;
  /** The frame to send back on the same interface, when answered. */
  readonly reply?: Uint8Array;
  readonly claim?: ForeignClaim;
}

/** An interface the responder answers on. */
export interface ResponderInterface {
  readonly name: string;
  readonly mac: MacAddress;
  /** 16 bytes; without it, solicitations are counted `no-link-local`. */
  readonly linkLocal?: Uint8Array;
}

/** Options of {@link Responder}. */
export interface ResponderInit {
  /**
   * The Override flag of solicited advertisements. The owner of a VIP sets it, so a client whose cache
   * still holds the previous owner's MAC switches (RFC 4861 §7.2.5); MetalLB clears it, which leaves such
   * entries STALE until they time out.
   * @default true
   */
  readonly override?: boolean;
  /**
   * IPv6 source of our advertisements: the VIP itself, as Linux answers for its own addresses (and as
   * tools such as ndisc6 require: they accept an answer only from the target), or the interface's link-local
   * address, as MetalLB does. Both satisfy RFC 4861 §7.2.4 receivers.
   * @default 'vip'
   */
  readonly ndpSource?: NdpSource;
}

/** Which address neighbour advertisements are sent from. */
export type NdpSource = 'vip' | 'link-local';

interface VipEntry {
  readonly text: string;
  interfaces: Set<string>;
  requests: number;
  replies: number;
}

/** Per-VIP counters, as MetalLB's `requests_received` and `responses_sent` metrics. */
export interface VipCounts {
  /** ARP requests and solicitations for the VIP (on any interface, before the destination checks). */
  readonly requests: number;
  /** Answers sent for it. */
  readonly replies: number;
}

interface IfaceEntry {
  readonly info: ResponderInterface;
}

/**
 * The answering half of layer 2 announcement, without I/O or time: the set of VIPs this node owns and the
 * interfaces each is announced on, and a decision for every received frame. ARP requests (broadcast or
 * unicast to us) and neighbour solicitations (multicast, unicast NUD probes with or without a source
 * link-layer option, and DAD probes) for an owned VIP are answered with the interface's MAC; frames in
 * which another MAC uses an owned VIP are reported as claims.
 */
export class Responder {
  readonly #override: boolean;
  readonly #ndpSource: NdpSource;
  readonly #v4 = new Map<number, VipEntry>();
  readonly #v6 = new Map<string, VipEntry>();
  readonly #ifaces = new Map<string, IfaceEntry>();
  // Our interfaces' MACs; a short list, scanned per frame (cheaper than building a string key).
  #ownMacs: Uint8Array[] = [];
  readonly #counts: Record<FrameReason, number>;

  constructor(init: ResponderInit = {}) {
    this.#override = init.override ?? true;
    this.#ndpSource = init.ndpSource ?? 'vip';
    this.#counts = Object.fromEntries(FRAME_REASONS.map((r) => [r, 0])) as Record<FrameReason, number>;
  }

  /** Frames handled so far, by reason. */
  get counts(): Readonly<Record<FrameReason, number>> {
    return this.#counts;
  }

  /** Adds or updates an interface (its MAC is then never reported as a foreign claim). */
  setInterface(info: ResponderInterface): void {
    this.#ifaces.set(info.name, { info });
    this.#rebuildOwnMacs();
  }

  /** Forgets an interface; VIPs stay owned, but are no longer answered there. */
  deleteInterface(name: string): void {
    this.#ifaces.delete(name);
    for (const e of this.#v4.values()) e.interfaces.delete(name);
    for (const e of this.#v6.values()) e.interfaces.delete(name);
    this.#rebuildOwnMacs();
  }

  /** Owns a VIP (4 or 16 bytes), answered on the named interfaces (replacing any earlier set; counters kept). */
  setVip(vip: Uint8Array, interfaces: Iterable<string>): void {
    const cur = this.#entry(vip);
    if (cur !== undefined) {
      cur.interfaces = new Set(interfaces);
      return;
    }
    const entry: VipEntry = {
      text: formatIp(ipFromBytes(vip)),
      interfaces: new Set(interfaces),
      requests: 0,
      replies: 0,
    };
    if (vip.length === 4) this.#v4.set(ipv4Key(vip), entry);
    else this.#v6.set(ipv6Key(vip), entry);
  }

  /** Requests seen and answers sent for an owned VIP since it was first owned; undefined when not owned. */
  vipCounts(vip: Uint8Array): VipCounts | undefined {
    const e = this.#entry(vip);
    return e === undefined ? undefined : { requests: e.requests, replies: e.replies };
  }

  #entry(vip: Uint8Array): VipEntry | undefined {
    return vip.length === 4 ? this.#v4.get(ipv4Key(vip)) : this.#v6.get(ipv6Key(vip));
  }

  /** Stops answering for a VIP, at once. */
  deleteVip(vip: Uint8Array): void {
    if (vip.length === 4) this.#v4.delete(ipv4Key(vip));
    else this.#v6.delete(ipv6Key(vip));
  }

  /** Whether a VIP is owned, and on which interfaces it is answered. */
  vipInterfaces(vip: Uint8Array): ReadonlySet<string> | undefined {
    return this.#entry(vip)?.interfaces;
  }

  /** Decides what to do with a frame that arrived on interface `ifname`, and counts the reason. */
  handle(ifname: string, frame: ReceivedFrame): FrameDecision {
    const d = this.#decide(ifname, frame);
    this.#counts[d.reason]++;
    return d;
  }

  #rebuildOwnMacs(): void {
    this.#ownMacs = [...this.#ifaces.values()].map((e) => e.info.mac);
  }

  #isOwnMac(mac: Uint8Array): boolean {
    for (const m of this.#ownMacs) if (sameMac(m, mac)) return true;
    return false;
  }

  #decide(ifname: string, frame: ReceivedFrame): FrameDecision {
    if (frame.packetType === 'outgoing') return { reason: 'own-frame' };
    const iface = this.#ifaces.get(ifname);
    if (iface === undefined) return { reason: 'wrong-interface' };
    try {
      const eth = decodeEthernet(frame.data);
      if (this.#isOwnMac(eth.source)) return { reason: 'own-frame' };
      if (eth.vlan !== undefined) return { reason: 'tagged' };
      if (eth.etherType === EtherType.ARP) return this.#arp(iface, eth.destination, eth.payload);
      if (eth.etherType === EtherType.IPv6) return this.#ndp(iface, eth.destination, eth.source, eth.payload);
      return { reason: 'not-arp-or-ndp' };
    } catch (err) {
      if (isLbError(err, 'ERR_ARP_DECODE')) return { reason: 'malformed' };
      throw err;
    }
  }

  #arp(iface: IfaceEntry, ethDst: Uint8Array, payload: Uint8Array): FrameDecision {
    const p = decodeArp(payload);
    if (!isEthernetIpv4Arp(p)) return { reason: 'unsupported-arp' };
    // Conflict first: any ARP whose sender is one of our VIPs with a MAC that is not ours (RFC 5227 §2.4).
    const claimed = this.#v4.get(ipv4Key(p.senderProtocolAddress));
    if (claimed !== undefined && !this.#isOwnMac(p.senderHardwareAddress)) {
      return {
        reason: 'conflict',
        claim: {
          vip: claimed.text,
          interface: iface.info.name,
          theirMac: formatMac(p.senderHardwareAddress),
          ourMac: formatMac(iface.info.mac),
          via: p.operation === ArpOperation.REPLY ? 'arp-reply' : 'arp-request',
        },
      };
    }
    if (p.operation !== ArpOperation.REQUEST) return { reason: 'not-request' };
    const entry = this.#v4.get(ipv4Key(p.targetProtocolAddress));
    if (entry === undefined) return { reason: 'not-ours' };
    entry.requests++;
    if (!entry.interfaces.has(iface.info.name)) return { reason: 'wrong-interface' };
    // Broadcast requests and unicast refreshes to our MAC only (metallb.md §4.4).
    if (!isBroadcastMac(ethDst) && !sameMac(ethDst, iface.info.mac)) return { reason: 'wrong-destination' };
    const reply = buildArpReply(
      iface.info.mac,
      p.targetProtocolAddress,
      p.senderHardwareAddress,
      p.senderProtocolAddress,
    );
    entry.replies++;
    return { reason: 'reply', reply };
  }

  #ndp(iface: IfaceEntry, ethDst: Uint8Array, ethSrc: Uint8Array, payload: Uint8Array): FrameDecision {
    const ip = decodeIpv6(payload);
    if (ip.nextHeader !== IPPROTO_ICMPV6) return { reason: 'not-arp-or-ndp' };
    const type = ip.payload[0];
    if (type !== 135 && type !== 136) return { reason: type === undefined ? 'malformed' : 'not-request' };
    const msg = decodeNdp(ip.payload);
    if (validateNdp(msg, ip.hopLimit, ip.source, ip.destination, ip.payload) !== undefined)
      return { reason: 'invalid-ndp' };
    const ourMac = iface.info.mac;
    if (msg.type === 'neighbor-advertisement') {
      const claimed = this.#v6.get(ipv6Key(msg.targetAddress));
      const theirs = linkLayerOption(msg, 'target-link-layer-address') ?? ethSrc;
      if (claimed !== undefined && !this.#isOwnMac(theirs)) {
        return {
          reason: 'conflict',
          claim: {
            vip: claimed.text,
            interface: iface.info.name,
            theirMac: formatMac(theirs),
            ourMac: formatMac(ourMac),
            via: 'neighbor-advertisement',
          },
        };
      }
      return { reason: 'not-request' };
    }
    const slla = linkLayerOption(msg, 'source-link-layer-address');
    const dad = isUnspecified(ip.source);
    if (!dad) {
      const claimed = this.#v6.get(ipv6Key(ip.source));
      const theirs = slla ?? ethSrc;
      if (claimed !== undefined && !this.#isOwnMac(theirs)) {
        return {
          reason: 'conflict',
          claim: {
            vip: claimed.text,
            interface: iface.info.name,
            theirMac: formatMac(theirs),
            ourMac: formatMac(ourMac),
            via: 'neighbor-solicitation',
          },
        };
      }
    }
    const entry = this.#v6.get(ipv6Key(msg.targetAddress));
    if (entry === undefined) return { reason: 'not-ours' };
    entry.requests++;
    if (!entry.interfaces.has(iface.info.name)) return { reason: 'wrong-interface' };
    // Multicast to the target's solicited-node group, or unicast to us (NUD, RFC 4861 §7.3.1).
    const toGroup =
      isSolicitedNodeMulticast(ip.destination) &&
      sameTail(ip.destination, msg.targetAddress) &&
      sameMac(ethDst, ipv6MulticastMac(ip.destination));
    const toUs =
      sameMac(ethDst, ourMac) &&
      (sameIp(ip.destination, msg.targetAddress) ||
        (isSolicitedNodeMulticast(ip.destination) && sameTail(ip.destination, msg.targetAddress)));
    if (!toGroup && !toUs) return { reason: 'wrong-destination' };
    const source = this.#ndpSource === 'vip' ? msg.targetAddress : iface.info.linkLocal;
    if (source === undefined) return { reason: 'no-link-local' };
    if (dad) {
      // RFC 4861 §7.2.4: a solicitation from :: is answered to all-nodes, Solicited clear.
      const all = allNodesAddress();
      const reply = buildNeighborAdvertisement({
        sourceMac: ourMac,
        destinationMac: ipv6MulticastMac(all),
        source,
        destination: all,
        target: msg.targetAddress,
        solicited: false,
        override: true,
      });
      entry.replies++;
      return { reason: 'reply-dad', reply };
    }
    // Without a source link-layer option (unicast NUD probes, RFC 4861 §7.2.4 "MAY be omitted") the
    // advertisement goes to the frame's own source MAC: MetalLB drops these (metallb#2920).
    const reply = buildNeighborAdvertisement({
      sourceMac: ourMac,
      destinationMac: slla ?? ethSrc,
      source,
      destination: ip.source,
      target: msg.targetAddress,
      solicited: true,
      override: this.#override,
    });
    entry.replies++;
    return { reason: 'reply', reply };
  }
}

function sameTail(group: Uint8Array, target: Uint8Array): boolean {
  return group[13] === target[13] && group[14] === target[14] && group[15] === target[15];
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
