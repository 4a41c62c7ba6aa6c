import {
  InvalidArgumentError,
  StartableBase,
  formatIp,
  formatMac,
  ipToBytes,
  parseIp,
  silentLogger,
  type Clock,
  type IpAddress,
  type Logger,
  type Timer,
} from '@lbkit/core';
import {
  BURST_COUNT,
  BURST_INITIAL_DELAY_MS,
  BURST_INTERVAL_MS,
  CONFLICT_REPORT_INTERVAL_MS,
  DEFAULT_EXCLUDE_PATTERNS,
  REFRESH_INTERVAL_MS,
  RESCAN_INTERVAL_MS,
  SELF_PROBE_INTERVAL_MS,
  SELF_PROBE_WAIT_MS,
} from '../constants.js';
import {
  buildArpProbe,
  buildGratuitousArp,
  buildNeighborSolicitation,
  buildUnsolicitedNeighborAdvertisement,
  type GratuitousArpForm,
} from '../codec/frame.js';
import { macKey } from '../codec/keys.js';
import { allNodesAddress, ipv6MulticastMac, solicitedNodeAddress } from '../codec/ndp.js';
import { TypedEmitter } from '../events.js';
import {
  checkInterface,
  compileInterfacePolicy,
  type InterfaceEligibility,
  type InterfacePolicy,
  type InterfaceReason,
} from '../interfaces/eligibility.js';
import type { InterfaceInfo, InterfaceSource } from '../interfaces/interface-info.js';
import {
  Responder,
  type NdpSource,
  type ResponderInit,
  type ClaimSource,
  type ForeignClaim,
  type FrameReason,
  type VipCounts,
} from '../responder/responder.js';
import type { OpenPacketConn, PacketConn, ReceivedFrame } from '../transport.js';

/** Plain, serialisable configuration of {@link createAnnouncer}. */
export interface AnnouncerInit {
  /**
   * Interface name patterns (regular expressions) to announce on; empty means every eligible interface.
   * @default []
   */
  readonly includeInterfaces?: readonly string[];
  /**
   * Interface name patterns never announced on; wins over `includeInterfaces`. Replacing the default drops
   * MetalLB's protection against answering on CNI and virtual interfaces.
   * @default DEFAULT_EXCLUDE_PATTERNS (MetalLB's shipped list)
   */
  readonly excludeInterfaces?: readonly string[];
  /** Wait before the first round of a burst; more delay means a longer outage after a move. @default 0 */
  readonly burstInitialDelayMs?: number;
  /** Rounds per burst; more rounds survive more loss at the cost of more broadcast traffic. @default 5 */
  readonly burstCount?: number;
  /** Spacing of rounds; at least Linux's 1 s ARP locktime so a later round lands if an early one is ignored. @default 1000 */
  readonly burstIntervalMs?: number;
  /**
   * Forms of gratuitous ARP in each IPv4 round: RFC 5227's request form, the reply form some older stacks
   * only learn from, or both (two frames per round).
   * @default ['request', 'reply']
   */
  readonly gratuitousArpForms?: readonly GratuitousArpForm[];
  /**
   * Re-check ownership (the VIP is still announced here, and `verifyOwnership` if given agrees) before each
   * announcement packet, as PureLB does; a failed check cancels the burst. Off only sends stale
   * announcements after a loss of ownership the announcer has not yet been told about.
   * @default true
   */
  readonly verifyBeforeSend?: boolean;
  /** After a burst, one more round every this many ms while owned (keepalived's refresh); 0 is off. @default 0 */
  readonly refreshIntervalMs?: number;
  /** Probe each owned VIP this often and count distinct other responders; 0 is off. @default 0 */
  readonly selfProbeIntervalMs?: number;
  /** How long a self-probe collects answers. @default 1000 */
  readonly selfProbeWaitMs?: number;
  /** Interface rescan period: how fast new, returning and failed interfaces are noticed. @default 1000 */
  readonly rescanIntervalMs?: number;
  /** Minimum spacing of `conflict-detected` events for one VIP and one foreign MAC. @default 10000 */
  readonly conflictReportIntervalMs?: number;
  /** Override flag of solicited neighbour advertisements (see {@link ResponderInit}). @default true */
  readonly ndpOverride?: boolean;
  /** IPv6 source of neighbour advertisements, the VIP or the link-local (see {@link ResponderInit}). @default 'vip' */
  readonly ndpSource?: NdpSource;
}

/** Injected capabilities of {@link createAnnouncer}. */
export interface AnnouncerComponents {
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Opens a raw-frame connection on an interface (dgram-plus on Linux, `MemoryNetwork` in tests). */
  readonly openConn: OpenPacketConn;
  /** Where interface scans come from. */
  readonly interfaces: InterfaceSource;
  /** Asked before each announcement packet when `verifyBeforeSend` is on: false cancels the burst. */
  readonly verifyOwnership?: (vip: string) => boolean;
}

/** Why a burst or refresh ended before its last round. */
export type BurstCancelReason = 'withdrawn' | 'verify-failed' | 'stopped';

/** Why an interface stopped carrying announcements. */
export type LinkLostReason = 'carrier-lost' | 'removed' | 'ineligible';

/** Events of an {@link Announcer}: past-tense facts. */
export interface AnnouncerEvents {
  /** A VIP was announced but no eligible interface matches it (yet): nobody answers for it here. */
  'announce-failed': {
    readonly vip: string;
    readonly reason: 'no-eligible-interface';
    readonly interfaces?: readonly string[];
  };
  'burst-completed': { readonly vip: string; readonly rounds: number };
  'burst-cancelled': { readonly vip: string; readonly reason: BurstCancelReason; readonly roundsSent: number };
  /** Another MAC answered or announced one of our VIPs. */
  'conflict-detected': ForeignClaim;
  /** A self-probe finished; `responders` are the other MACs that answered for the VIP (empty is healthy). */
  'self-probe-completed': { readonly vip: string; readonly interface: string; readonly responders: readonly string[] };
  /** An interface used for announcements lost carrier, went down, became ineligible or vanished. */
  'link-lost': {
    readonly interface: string;
    readonly reason: LinkLostReason;
    readonly detail?: InterfaceReason;
    readonly vips: readonly string[];
  };
  /** An interface is usable again (carrier back, or eligible and open again); its VIPs get a new burst. */
  'link-restored': { readonly interface: string; readonly vips: readonly string[] };
  /** An interface became eligible and its connection opened. */
  'interface-added': { readonly interface: string; readonly arp: boolean; readonly ndp: boolean };
  'interface-removed': { readonly interface: string; readonly reason: InterfaceReason | 'removed' };
  /** A frame could not be sent, or a connection not opened. */
  'send-failed': { readonly interface: string; readonly error: unknown };
}

/** Frames sent, by kind. */
export type SentKind = 'reply' | 'gratuitous-request' | 'gratuitous-reply' | 'unsolicited-na' | 'probe';

/** Counters of one owned VIP (MetalLB's per-IP layer 2 metrics). */
export interface VipStats extends VipCounts {
  /** Gratuitous ARP and unsolicited NA frames sent for it. */
  readonly announcements: number;
}

/** Counters of an {@link Announcer}. */
export interface AnnouncerStats {
  readonly frames: Readonly<Record<FrameReason, number>>;
  readonly sent: Readonly<Record<SentKind, number>>;
  readonly sendErrors: number;
  /** Per owned VIP, since it was last announced after a withdraw. */
  readonly vips: Readonly<Record<string, VipStats>>;
}

/** What the announcer thinks of one interface. */
export interface InterfaceState {
  readonly name: string;
  readonly index: number;
  readonly reason: InterfaceReason;
  readonly arp: boolean;
  readonly ndp: boolean;
  readonly carrier: boolean;
  readonly open: boolean;
  /** The solicited-node (and all-nodes) multicast MACs joined, with reference counts. */
  readonly groups: Readonly<Record<string, number>>;
}

interface IfaceState {
  info: InterfaceInfo;
  elig: InterfaceEligibility;
  conn: PacketConn | undefined;
  groups: Map<string, { mac: Uint8Array; count: number }>;
}

interface VipState {
  readonly text: string;
  readonly ip: IpAddress;
  readonly bytes: Uint8Array;
  restrict: ReadonlySet<string> | undefined;
  active: Set<string>;
  burstTimer: Timer | undefined;
  roundsSent: number;
  refreshTimer: Timer | undefined;
  probeTimer: Timer | undefined;
  announcements: number;
}

interface ProbeWindow {
  readonly vip: string;
  readonly iface: string;
  readonly responders: Set<string>;
}

interface Resolved {
  readonly burstInitialDelayMs: number;
  readonly burstCount: number;
  readonly burstIntervalMs: number;
  readonly forms: readonly GratuitousArpForm[];
  readonly verifyBeforeSend: boolean;
  readonly refreshIntervalMs: number;
  readonly selfProbeIntervalMs: number;
  readonly selfProbeWaitMs: number;
  readonly rescanIntervalMs: number;
  readonly conflictReportIntervalMs: number;
  readonly ndpSource: NdpSource;
}

/**
 * Layer 2 announcement of VIPs on this node: answers ARP and neighbour solicitations for owned VIPs on
 * every eligible interface, announces each newly owned VIP with a burst of gratuitous ARP / unsolicited
 * neighbour advertisements, stops answering at once on withdraw, reports other MACs claiming our VIPs and
 * interfaces losing link. Create with {@link createAnnouncer}.
 */
export class Announcer extends TypedEmitter<AnnouncerEvents> {
  readonly #cfg: Resolved;
  readonly #policy: InterfacePolicy;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #openConn: OpenPacketConn;
  readonly #source: InterfaceSource;
  readonly #verify: ((vip: string) => boolean) | undefined;
  readonly #responder: Responder;
  readonly #ifaces = new Map<string, IfaceState>();
  readonly #vips = new Map<string, VipState>();
  readonly #probes = new Map<string, ProbeWindow>();
  readonly #conflictSeen = new Map<string, number>();
  readonly #probeTimers = new Set<Timer>();
  readonly #sent: Record<SentKind, number> = {
    reply: 0,
    'gratuitous-request': 0,
    'gratuitous-reply': 0,
    'unsolicited-na': 0,
    probe: 0,
  };
  #sendErrors = 0;
  #rescanTimer: Timer | undefined;
  #scanning: Promise<void> | undefined;
  readonly #lifecycle: Lifecycle;

  /** Use {@link createAnnouncer}, which validates the configuration and fills the defaults. @internal */
  constructor(cfg: Resolved, policy: InterfacePolicy, responder: ResponderInit, components: AnnouncerComponents) {
    super();
    this.#cfg = cfg;
    this.#policy = policy;
    this.#clock = components.clock;
    this.#log = components.logger ?? silentLogger;
    this.#openConn = components.openConn;
    this.#source = components.interfaces;
    this.#verify = components.verifyOwnership;
    this.#responder = new Responder(responder);
    this.#lifecycle = new Lifecycle(
      () => this.#onStart(),
      () => this.#onStop(),
    );
  }

  /** Scans interfaces, opens connections and starts answering for VIPs already announced. */
  start(): Promise<void> {
    return this.#lifecycle.start();
  }

  /** Cancels every timer and closes every connection; owned VIPs are kept for a later start. */
  stop(): Promise<void> {
    return this.#lifecycle.stop();
  }

  /** True between a completed `start()` and the next `stop()`. */
  isStarted(): boolean {
    return this.#lifecycle.isStarted();
  }

  /**
   * Takes ownership of a VIP: answers for it at once on every eligible interface (or only those named) and
   * starts a burst of announcements. Announcing an owned VIP again updates its interfaces and, if no burst
   * is running, starts a new one (a re-assertion). Resolves when multicast groups are joined.
   */
  async announce(vip: string, iface?: string | readonly string[]): Promise<void> {
    const ip = parseVip(vip);
    const text = formatIp(ip);
    const restrict = iface === undefined ? undefined : new Set(typeof iface === 'string' ? [iface] : iface);
    if (restrict !== undefined && restrict.size === 0)
      throw new InvalidArgumentError('iface', 'an interface name or a non-empty list', iface);
    let v = this.#vips.get(text);
    if (v === undefined) {
      v = {
        text,
        ip,
        bytes: ipToBytes(ip),
        restrict,
        active: new Set(),
        burstTimer: undefined,
        roundsSent: 0,
        refreshTimer: undefined,
        probeTimer: undefined,
        announcements: 0,
      };
      this.#vips.set(text, v);
    } else {
      v.restrict = restrict;
    }
    const joins = this.#sync(v);
    if (this.isStarted()) {
      if (v.active.size === 0)
        this.emit('announce-failed', {
          vip: text,
          reason: 'no-eligible-interface',
          ...(restrict === undefined ? {} : { interfaces: [...restrict] }),
        });
      if (v.burstTimer === undefined) this.#startBurst(v);
      if (v.probeTimer === undefined) this.#armProbe(v);
    }
    await Promise.all(joins);
  }

  /** Gives up a VIP: stops answering for it at once, cancels its announcements and leaves its multicast group. */
  async withdraw(vip: string): Promise<void> {
    const text = formatIp(parseVip(vip));
    const v = this.#vips.get(text);
    if (v === undefined) return;
    this.#vips.delete(text);
    this.#responder.deleteVip(v.bytes);
    if (v.burstTimer !== undefined)
      this.emit('burst-cancelled', { vip: text, reason: 'withdrawn', roundsSent: v.roundsSent });
    this.#cancelTimers(v);
    for (const key of [...this.#probes.keys()]) if (key.startsWith(`${text}|`)) this.#probes.delete(key);
    const leaves: Promise<void>[] = [];
    for (const name of v.active) leaves.push(this.#leave(name, v));
    v.active.clear();
    await Promise.all(leaves);
  }

  /** The VIPs owned, in canonical text form. */
  owned(): string[] {
    return [...this.#vips.keys()];
  }

  /** The interfaces a VIP is answered on now (empty when owned but nowhere usable; undefined when not owned). */
  interfacesOf(vip: string): string[] | undefined {
    const v = this.#vips.get(formatIp(parseVip(vip)));
    return v === undefined ? undefined : [...v.active];
  }

  /** Every interface of the last scan with the verdict on it. */
  interfaceStates(): InterfaceState[] {
    return [...this.#ifaces.values()].map((s) => ({
      name: s.info.name,
      index: s.info.index,
      reason: s.elig.reason,
      arp: s.elig.arp,
      ndp: s.elig.ndp,
      carrier: s.info.carrier,
      open: s.conn !== undefined,
      groups: Object.fromEntries([...s.groups.values()].map((g) => [formatMac(g.mac), g.count])),
    }));
  }

  /** Counters: received frames by reason, sent frames by kind, send errors. */
  stats(): AnnouncerStats {
    const vips: Record<string, VipStats> = {};
    for (const v of this.#vips.values()) {
      const c = this.#responder.vipCounts(v.bytes) ?? { requests: 0, replies: 0 };
      vips[v.text] = { requests: c.requests, replies: c.replies, announcements: v.announcements };
    }
    return { frames: { ...this.#responder.counts }, sent: { ...this.#sent }, sendErrors: this.#sendErrors, vips };
  }

  /** Scans interfaces now instead of waiting for the next periodic rescan. */
  rescan(): Promise<void> {
    if (!this.isStarted()) return Promise.resolve();
    return this.#scan();
  }

  async #onStart(): Promise<void> {
    await this.#scanNow();
    for (const v of this.#vips.values()) {
      if (v.active.size === 0)
        this.emit('announce-failed', {
          vip: v.text,
          reason: 'no-eligible-interface',
          ...(v.restrict === undefined ? {} : { interfaces: [...v.restrict] }),
        });
      this.#startBurst(v);
      this.#armProbe(v);
    }
    this.#armRescan();
  }

  async #onStop(): Promise<void> {
    this.#rescanTimer?.cancel();
    this.#rescanTimer = undefined;
    if (this.#scanning !== undefined) await this.#scanning.catch(() => undefined);
    for (const v of this.#vips.values()) {
      if (v.burstTimer !== undefined)
        this.emit('burst-cancelled', { vip: v.text, reason: 'stopped', roundsSent: v.roundsSent });
      this.#cancelTimers(v);
      v.active.clear();
      this.#responder.deleteVip(v.bytes);
    }
    this.#probes.clear();
    for (const timer of this.#probeTimers) timer.cancel();
    this.#probeTimers.clear();
    const closes: Promise<void>[] = [];
    for (const [name, s] of this.#ifaces) {
      this.#responder.deleteInterface(name);
      if (s.conn !== undefined) closes.push(s.conn.close().catch(() => undefined));
    }
    this.#ifaces.clear();
    await Promise.all(closes);
  }

  #armRescan(): void {
    if (this.#cfg.rescanIntervalMs <= 0) return;
    this.#rescanTimer = this.#clock.setTimer(this.#cfg.rescanIntervalMs, () => {
      this.#rescanTimer = undefined;
      void this.#scan().finally(() => {
        if (this.isStarted() && this.#rescanTimer === undefined) this.#armRescan();
      });
    });
  }

  #scan(): Promise<void> {
    if (this.#scanning !== undefined) return this.#scanning;
    const p = this.#scanNow().catch((err: unknown) => this.#log.warn({ err }, 'interface scan failed'));
    this.#scanning = p.finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  async #scanNow(): Promise<void> {
    const list = await this.#source.list();
    const seen = new Set<string>();
    const restored = new Set<string>();
    for (const info of list) {
      seen.add(info.name);
      const elig = checkInterface(info, this.#policy);
      const usable = elig.arp || elig.ndp;
      const cur = this.#ifaces.get(info.name);
      if (
        cur !== undefined &&
        cur.conn !== undefined &&
        (!usable || cur.info.index !== info.index || !sameBytes(cur.info.mac, info.mac))
      ) {
        const moved = cur.info.index !== info.index || !sameBytes(cur.info.mac, info.mac);
        await this.#dropIface(
          cur,
          moved && usable ? 'removed' : 'ineligible',
          moved && usable ? undefined : elig.reason,
        );
      }
      const st = this.#ifaces.get(info.name);
      if (st === undefined || st.conn === undefined) {
        const fresh: IfaceState = { info, elig, conn: undefined, groups: new Map() };
        this.#ifaces.set(info.name, fresh);
        if (!usable) continue;
        try {
          fresh.conn = await this.#openConn({ name: info.name, index: info.index, mac: info.mac as Uint8Array });
        } catch (err) {
          this.#sendErrors++;
          this.emit('send-failed', { interface: info.name, error: err });
          continue;
        }
        if (!this.#lifecycle.isStartedOrStarting()) {
          await fresh.conn.close();
          fresh.conn = undefined;
          return;
        }
        const conn = fresh.conn;
        const name = info.name;
        conn.onFrame((f) => this.#onFrame(name, conn, f));
        this.#responder.setInterface({
          name,
          mac: info.mac as Uint8Array,
          ...(info.linkLocal === undefined ? {} : { linkLocal: info.linkLocal }),
        });
        if (elig.ndp) await this.#join(fresh, allNodesAddress());
        this.emit('interface-added', { interface: name, arp: elig.arp, ndp: elig.ndp });
        if (st !== undefined) restored.add(name);
        continue;
      }
      // Still open: follow link-local and carrier changes.
      const wasCarrier = st.info.carrier;
      const ndpChanged = st.elig.ndp !== elig.ndp;
      st.info = info;
      st.elig = elig;
      this.#responder.setInterface({
        name: info.name,
        mac: info.mac as Uint8Array,
        ...(info.linkLocal === undefined ? {} : { linkLocal: info.linkLocal }),
      });
      if (ndpChanged && elig.ndp) await this.#join(st, allNodesAddress());
      if (wasCarrier && !info.carrier) {
        this.emit('link-lost', { interface: info.name, reason: 'carrier-lost', vips: this.#vipsOn(info.name) });
      } else if (!wasCarrier && info.carrier) {
        restored.add(info.name);
      }
    }
    for (const [name, st] of [...this.#ifaces]) {
      if (seen.has(name)) continue;
      if (st.conn !== undefined) await this.#dropIface(st, 'removed', undefined);
      this.#ifaces.delete(name);
    }
    const joins: Promise<void>[] = [];
    const reburst = new Set<VipState>();
    for (const v of this.#vips.values()) {
      const before = new Set(v.active);
      joins.push(...this.#sync(v));
      for (const name of v.active) if (!before.has(name) || restored.has(name)) reburst.add(v);
    }
    await Promise.all(joins);
    for (const name of restored) this.emit('link-restored', { interface: name, vips: this.#vipsOn(name) });
    if (this.isStarted()) for (const v of reburst) this.#startBurst(v);
  }

  async #dropIface(st: IfaceState, reason: LinkLostReason, detail: InterfaceReason | undefined): Promise<void> {
    const name = st.info.name;
    const vips = this.#vipsOn(name);
    for (const v of this.#vips.values()) v.active.delete(name);
    this.#responder.deleteInterface(name);
    for (const v of this.#vips.values()) this.#responder.setVip(v.bytes, v.active);
    for (const key of [...this.#probes.keys()]) if (key.endsWith(`|${name}`)) this.#probes.delete(key);
    const conn = st.conn;
    st.conn = undefined;
    st.groups.clear();
    await conn?.close().catch(() => undefined);
    this.emit('link-lost', { interface: name, reason, ...(detail === undefined ? {} : { detail }), vips });
    this.emit('interface-removed', {
      interface: name,
      reason: reason === 'removed' ? 'removed' : (detail ?? 'removed'),
    });
  }

  #vipsOn(name: string): string[] {
    const out: string[] = [];
    for (const v of this.#vips.values()) if (v.active.has(name)) out.push(v.text);
    return out;
  }

  /** Recomputes where a VIP is answered; returns the pending multicast joins and leaves. */
  #sync(v: VipState): Promise<void>[] {
    const want = new Set<string>();
    for (const [name, st] of this.#ifaces) {
      if (st.conn === undefined) continue;
      if (v.restrict !== undefined && !v.restrict.has(name)) continue;
      if (v.ip.family === 4 ? st.elig.arp : st.elig.ndp) want.add(name);
    }
    const ops: Promise<void>[] = [];
    for (const name of v.active) if (!want.has(name)) ops.push(this.#leave(name, v));
    for (const name of want) {
      if (v.active.has(name)) continue;
      const st = this.#ifaces.get(name);
      if (st !== undefined && v.ip.family === 6) ops.push(this.#join(st, solicitedNodeAddress(v.bytes)));
    }
    v.active = want;
    this.#responder.setVip(v.bytes, want);
    return ops;
  }

  async #join(st: IfaceState, group: Uint8Array): Promise<void> {
    const mac = ipv6MulticastMac(group);
    const key = macKey(mac);
    const g = st.groups.get(key);
    if (g !== undefined) {
      g.count++;
      return;
    }
    st.groups.set(key, { mac, count: 1 });
    try {
      await st.conn?.addMembership(mac);
    } catch (err) {
      this.#sendErrors++;
      this.emit('send-failed', { interface: st.info.name, error: err });
    }
  }

  async #leave(name: string, v: VipState): Promise<void> {
    if (v.ip.family !== 6) return;
    const st = this.#ifaces.get(name);
    if (st === undefined || st.conn === undefined) return;
    const mac = ipv6MulticastMac(solicitedNodeAddress(v.bytes));
    const key = macKey(mac);
    const g = st.groups.get(key);
    if (g === undefined) return;
    if (--g.count > 0) return;
    st.groups.delete(key);
    try {
      await st.conn.dropMembership(mac);
    } catch (err) {
      this.#sendErrors++;
      this.emit('send-failed', { interface: name, error: err });
    }
  }

  #onFrame(name: string, conn: PacketConn, frame: ReceivedFrame): void {
    const d = this.#responder.handle(name, frame);
    if (d.reply !== undefined) {
      this.#sent.reply++;
      this.#send(name, conn, d.reply);
    }
    if (d.claim !== undefined) this.#onClaim(d.claim);
  }

  #onClaim(claim: ForeignClaim): void {
    this.#probes.get(`${claim.vip}|${claim.interface}`)?.responders.add(claim.theirMac);
    const key = `${claim.vip}|${claim.theirMac}`;
    const now = this.#clock.now();
    const last = this.#conflictSeen.get(key);
    if (last !== undefined && now - last < this.#cfg.conflictReportIntervalMs) return;
    if (this.#conflictSeen.size >= 4096) {
      // Bounded even under a flood of spoofed MACs: forget reports older than the interval.
      for (const [k, t] of this.#conflictSeen)
        if (now - t >= this.#cfg.conflictReportIntervalMs) this.#conflictSeen.delete(k);
    }
    this.#conflictSeen.set(key, now);
    this.#log.warn({ ...claim }, 'another MAC claims a VIP we announce');
    this.emit('conflict-detected', claim);
  }

  #send(name: string, conn: PacketConn, frame: Uint8Array): void {
    conn.send(frame).catch((err: unknown) => {
      this.#sendErrors++;
      this.emit('send-failed', { interface: name, error: err });
    });
  }

  #cancelTimers(v: VipState): void {
    v.burstTimer?.cancel();
    v.burstTimer = undefined;
    v.refreshTimer?.cancel();
    v.refreshTimer = undefined;
    v.probeTimer?.cancel();
    v.probeTimer = undefined;
  }

  #startBurst(v: VipState): void {
    v.burstTimer?.cancel();
    v.refreshTimer?.cancel();
    v.refreshTimer = undefined;
    v.roundsSent = 0;
    if (this.#cfg.burstCount === 0) return;
    // Without an initial delay the first round leaves now, not a timer tick later.
    if (this.#cfg.burstInitialDelayMs === 0) this.#burstRound(v);
    else v.burstTimer = this.#clock.setTimer(this.#cfg.burstInitialDelayMs, () => this.#burstRound(v));
  }

  #burstRound(v: VipState): void {
    v.burstTimer = undefined;
    if (!this.#sendRound(v)) {
      this.emit('burst-cancelled', { vip: v.text, reason: 'verify-failed', roundsSent: v.roundsSent });
      return;
    }
    v.roundsSent++;
    if (v.roundsSent < this.#cfg.burstCount) {
      v.burstTimer = this.#clock.setTimer(this.#cfg.burstIntervalMs, () => this.#burstRound(v));
      return;
    }
    this.emit('burst-completed', { vip: v.text, rounds: v.roundsSent });
    this.#armRefresh(v);
  }

  #armRefresh(v: VipState): void {
    if (this.#cfg.refreshIntervalMs <= 0) return;
    v.refreshTimer = this.#clock.setTimer(this.#cfg.refreshIntervalMs, () => {
      v.refreshTimer = undefined;
      if (!this.#sendRound(v)) {
        this.emit('burst-cancelled', { vip: v.text, reason: 'verify-failed', roundsSent: v.roundsSent });
        return;
      }
      this.#armRefresh(v);
    });
  }

  #owns(v: VipState): boolean {
    if (!this.#cfg.verifyBeforeSend) return true;
    if (this.#vips.get(v.text) !== v) return false;
    return this.#verify === undefined || this.#verify(v.text);
  }

  /** Sends one announcement round on every interface the VIP is answered on; false when verification failed. */
  #sendRound(v: VipState): boolean {
    for (const name of v.active) {
      const st = this.#ifaces.get(name);
      if (st === undefined || st.conn === undefined || st.info.mac === undefined) continue;
      const mac = st.info.mac;
      if (v.ip.family === 4) {
        for (const form of this.#cfg.forms) {
          if (!this.#owns(v)) return false;
          this.#sent[form === 'request' ? 'gratuitous-request' : 'gratuitous-reply']++;
          v.announcements++;
          this.#send(name, st.conn, buildGratuitousArp(form, mac, v.bytes));
        }
      } else if (st.info.linkLocal !== undefined) {
        if (!this.#owns(v)) return false;
        this.#sent['unsolicited-na']++;
        v.announcements++;
        this.#send(
          name,
          st.conn,
          buildUnsolicitedNeighborAdvertisement(
            mac,
            this.#cfg.ndpSource === 'vip' ? v.bytes : st.info.linkLocal,
            v.bytes,
          ),
        );
      }
    }
    return true;
  }

  #armProbe(v: VipState): void {
    if (this.#cfg.selfProbeIntervalMs <= 0) return;
    v.probeTimer = this.#clock.setTimer(this.#cfg.selfProbeIntervalMs, () => {
      v.probeTimer = undefined;
      if (this.#vips.get(v.text) !== v) return;
      for (const name of v.active) {
        const st = this.#ifaces.get(name);
        if (st === undefined || st.conn === undefined || st.info.mac === undefined) continue;
        let frame: Uint8Array;
        if (v.ip.family === 4) frame = buildArpProbe(st.info.mac, v.bytes);
        else if (st.info.linkLocal !== undefined)
          frame = buildNeighborSolicitation(st.info.mac, st.info.linkLocal, v.bytes);
        else continue;
        const key = `${v.text}|${name}`;
        const window: ProbeWindow = { vip: v.text, iface: name, responders: new Set() };
        this.#probes.set(key, window);
        this.#sent.probe++;
        this.#send(name, st.conn, frame);
        const timer = this.#clock.setTimer(this.#cfg.selfProbeWaitMs, () => {
          this.#probeTimers.delete(timer);
          if (this.#probes.get(key) === window) this.#probes.delete(key);
          this.emit('self-probe-completed', {
            vip: window.vip,
            interface: window.iface,
            responders: [...window.responders].sort(),
          });
        });
      }
      this.#armProbe(v);
    });
  }
}

/** Startable plumbing, shared so the announcer can also tell "starting" from "stopped". */
class Lifecycle extends StartableBase {
  readonly #start: () => Promise<void>;
  readonly #stop: () => Promise<void>;
  #starting = false;

  constructor(start: () => Promise<void>, stop: () => Promise<void>) {
    super();
    this.#start = start;
    this.#stop = stop;
  }

  isStartedOrStarting(): boolean {
    return this.#starting || this.isStarted();
  }

  protected override async onStart(): Promise<void> {
    this.#starting = true;
    try {
      await this.#start();
    } finally {
      this.#starting = false;
    }
  }

  protected override onStop(): Promise<void> {
    return this.#stop();
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function parseVip(vip: string): IpAddress {
  let ip: IpAddress;
  try {
    ip = parseIp(vip);
  } catch (err) {
    throw new InvalidArgumentError('vip', 'an IPv4 or IPv6 address', vip, { cause: err });
  }
  const b = ipToBytes(ip);
  const unusable =
    ip.family === 4
      ? b[0] === 0 || (b[0] as number) >= 224 || b[0] === 127
      : b[0] === 0xff || b.every((x, i) => x === (i === 15 ? x : 0));
  if (unusable) throw new InvalidArgumentError('vip', 'a unicast address', vip);
  return ip;
}

function nonNegative(field: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new InvalidArgumentError(field, 'a finite number >= 0', value);
  return v;
}

/**
 * Creates an {@link Announcer}. Validates `init` (each field named in the error) and fills the documented
 * defaults; call `start()` to begin.
 *
 * @example
 * ```ts
 * const announcer = createAnnouncer({ includeInterfaces: ['^eth0$'] }, { clock: realClock, openConn, interfaces });
 * await announcer.start();
 * announcer.on('conflict-detected', (c) => console.warn(c));
 * await announcer.announce('192.0.2.10');
 * ```
 */
export function createAnnouncer(init: AnnouncerInit, components: AnnouncerComponents): Announcer {
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('init', 'an object', init);
  if (components?.clock === undefined) throw new InvalidArgumentError('components.clock', 'a Clock', undefined);
  if (typeof components.openConn !== 'function')
    throw new InvalidArgumentError('components.openConn', 'a function', components.openConn);
  if (typeof components.interfaces?.list !== 'function')
    throw new InvalidArgumentError('components.interfaces', 'an InterfaceSource', components.interfaces);
  const burstCount = nonNegative('burstCount', init.burstCount, BURST_COUNT);
  if (!Number.isInteger(burstCount)) throw new InvalidArgumentError('burstCount', 'an integer >= 0', init.burstCount);
  const forms = init.gratuitousArpForms ?? (['request', 'reply'] as const);
  if (forms.length === 0 || forms.some((f) => f !== 'request' && f !== 'reply')) {
    throw new InvalidArgumentError(
      'gratuitousArpForms',
      "a non-empty list of 'request' and 'reply'",
      init.gratuitousArpForms,
    );
  }
  const burstIntervalMs = nonNegative('burstIntervalMs', init.burstIntervalMs, BURST_INTERVAL_MS);
  if (burstCount > 1 && burstIntervalMs === 0)
    throw new InvalidArgumentError('burstIntervalMs', 'a positive interval when burstCount > 1', init.burstIntervalMs);
  const cfg: Resolved = {
    burstInitialDelayMs: nonNegative('burstInitialDelayMs', init.burstInitialDelayMs, BURST_INITIAL_DELAY_MS),
    burstCount,
    burstIntervalMs,
    forms: [...new Set(forms)],
    verifyBeforeSend: init.verifyBeforeSend ?? true,
    refreshIntervalMs: nonNegative('refreshIntervalMs', init.refreshIntervalMs, REFRESH_INTERVAL_MS),
    selfProbeIntervalMs: nonNegative('selfProbeIntervalMs', init.selfProbeIntervalMs, SELF_PROBE_INTERVAL_MS),
    selfProbeWaitMs: nonNegative('selfProbeWaitMs', init.selfProbeWaitMs, SELF_PROBE_WAIT_MS),
    rescanIntervalMs: nonNegative('rescanIntervalMs', init.rescanIntervalMs, RESCAN_INTERVAL_MS),
    conflictReportIntervalMs: nonNegative(
      'conflictReportIntervalMs',
      init.conflictReportIntervalMs,
      CONFLICT_REPORT_INTERVAL_MS,
    ),
    ndpSource: init.ndpSource ?? 'vip',
  };
  if (cfg.ndpSource !== 'vip' && cfg.ndpSource !== 'link-local')
    throw new InvalidArgumentError('ndpSource', "'vip' or 'link-local'", init.ndpSource);
  if (cfg.selfProbeIntervalMs > 0 && cfg.selfProbeWaitMs >= cfg.selfProbeIntervalMs) {
    throw new InvalidArgumentError(
      'selfProbeWaitMs',
      `less than selfProbeIntervalMs (${cfg.selfProbeIntervalMs})`,
      init.selfProbeWaitMs,
    );
  }
  const policy = compileInterfacePolicy(
    init.includeInterfaces ?? [],
    init.excludeInterfaces ?? DEFAULT_EXCLUDE_PATTERNS,
  );
  return new Announcer(cfg, policy, { override: init.ndpOverride ?? true, ndpSource: cfg.ndpSource }, components);
}

export type { ClaimSource };
