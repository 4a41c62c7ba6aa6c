import type { Clock, Logger } from '@lbkit/core';
import type { Announcer } from '@lbkit/arp';
import type { BgpSpeaker } from '@lbkit/bgp';
import type { AddressEntry, MemberEventName, MemberEvents, OwnerInfo } from '@lbkit/election';
import {
  ConfigTracker,
  anyMatches,
  bgpIntents,
  formatCommunity,
  l2Intents,
  l2Interfaces,
  mapEndpoints,
  mapNode,
  type ConfigState,
  type EndpointSlice,
  type L2Intent,
  type LbConfig,
  type PeerConfig,
  type ServiceEndpoints,
} from '@lbkit/k8s-adapter';
import type { Metrics } from '../ops/metrics.js';
import { BGP_MODE } from '../controller/controller.js';
import type { ObjectSet } from '../objects/object-set.js';

/** What the speaker needs from an election member (in-process or in a worker thread). */
export interface MemberLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  leave(lingerMs?: number): Promise<void>;
  /** Adds members to join through ("host:port") and contacts them now. */
  join(seeds: readonly string[]): unknown;
  setAddresses(entries: readonly AddressEntry[]): unknown;
  ownersFor(ips: readonly string[]): Map<string, OwnerInfo>;
  on<K extends MemberEventName>(event: K, fn: (e: MemberEvents[K]) => void): () => void;
  members(): ReadonlyArray<{ readonly name: string; readonly status: string }>;
}

/** Builds the BGP speaker of one local AS from the peers that use it. */
export type BgpSpeakerFactory = (asn: number, routerId: string, peers: readonly PeerConfig[]) => BgpSpeaker;

/** Options of {@link NodeSpeaker}. */
export interface NodeSpeakerInit {
  readonly nodeName: string;
  readonly namespace: string;
  /** This node's own address, the BGP router ID when a peer names none. */
  readonly nodeAddress: string;
  /** MetalLB's `--ignore-exclude-lb`. */
  readonly ignoreExcludeLabel?: boolean;
}

/** Injected parts. */
export interface NodeSpeakerComponents {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly member: MemberLike;
  readonly announcer: Announcer;
  readonly bgp?: BgpSpeakerFactory;
  readonly metrics?: Metrics;
}

/** One announced layer 2 Service on this node. */
interface Owned {
  readonly intent: L2Intent;
  readonly interfaces: 'all' | readonly string[];
}

/** A Service this node announces in layer 2, as ServiceL2Status reports it. */
export interface L2Announcement {
  /** `namespace/name`. */
  readonly service: string;
  readonly ips: readonly string[];
  /** Interfaces the addresses are announced on; empty means every eligible one. */
  readonly interfaces: readonly string[];
}

/** How this node learned that an address's previous owner is gone. */
type LossReason = 'claim' | 'dead' | 'left';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The speaker of one node, composed from the packages: the configuration and Services become layer 2 and
 * BGP intents (@lbkit/k8s-adapter), the election places each layer 2 address on one live node
 * (@lbkit/election), the announcer answers ARP/NDP for the addresses placed here (@lbkit/arp), and BGP
 * speakers advertise this node's prefixes to the selected peers (@lbkit/bgp). It decides nothing the
 * packages do not: it wires their outputs to each other's inputs.
 */
export class NodeSpeaker {
  readonly #init: NodeSpeakerInit;
  readonly #c: NodeSpeakerComponents;
  readonly #log: Logger;
  readonly #tracker: ConfigTracker;
  #config: LbConfig | undefined;
  #intents = new Map<string, L2Intent>();
  readonly #owned = new Map<string, Owned>();
  readonly #speakers = new Map<string, { speaker: BgpSpeaker; key: string; peers: ReadonlyMap<string, string> }>();
  #prefixes = new Map<
    string,
    { peers: ReadonlySet<string> | 'all'; communities: string[]; large: string[]; localPref: number }
  >();
  readonly #unsubscribe: Array<() => void> = [];
  #started = false;
  #lastState: ConfigState | undefined;
  #servicePeers = new Map<string, readonly string[]>();
  #loggedErrors = '';
  readonly #listeners = new Set<() => void>();
  /** Members this node saw go, with when and how: the start of a failover it may then complete. */
  readonly #lost = new Map<string, { at: number; reason: LossReason }>();

  constructor(init: NodeSpeakerInit, components: NodeSpeakerComponents) {
    this.#init = init;
    this.#c = components;
    this.#log = components.logger;
    this.#tracker = new ConfigTracker(
      { component: 'speaker', namespace: init.namespace, nodeName: init.nodeName, bgpMode: BGP_MODE },
      { clock: components.clock },
    );
  }

  /** The configuration state after the last update. */
  get configState(): ConfigState | undefined {
    return this.#lastState;
  }

  /** The layer 2 addresses this node announces now, by Service key. */
  announced(): Map<string, readonly string[]> {
    return new Map([...this.#owned.entries()].map(([, o]) => [o.intent.key, o.intent.ips]));
  }

  /** The Services this node announces in layer 2 now, sorted by Service. */
  l2Announcements(): L2Announcement[] {
    return [...this.#owned.values()]
      .map((o) => ({
        service: o.intent.key,
        ips: o.intent.ips,
        interfaces: o.interfaces === 'all' ? [] : [...o.interfaces],
      }))
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  }

  /**
   * The BGP peers (by name) this node intends to advertise each Service to, as ServiceBGPStatus reports
   * it: only this node's peers, and only Services with at least one.
   */
  bgpServicePeers(): Map<string, readonly string[]> {
    return new Map(this.#servicePeers);
  }

  /**
   * Calls `fn` after anything {@link l2Announcements} or {@link bgpServicePeers} report may have changed
   * (an update, an ownership change). Returns the unsubscribe function.
   */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    for (const fn of this.#listeners) {
      try {
        fn();
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'change listener failed');
      }
    }
  }

  /** Prefixes this node advertises over BGP now. */
  advertised(): string[] {
    return [...this.#prefixes.keys()].sort();
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe.push(
      this.#c.member.on('owner-changed', (e) => void this.#onOwner(e.info, e.previous).then(() => this.#changed())),
    );
    this.#unsubscribe.push(this.#c.member.on('claim', (e) => this.#noteLoss(e.owner, 'claim')));
    for (const ev of ['member-alive', 'member-suspect', 'member-dead', 'member-left'] as const) {
      this.#unsubscribe.push(
        this.#c.member.on(ev, (e) => {
          this.#log.info({ member: e.member.name, event: ev }, 'membership changed');
          if (ev === 'member-dead') this.#noteLoss(e.member.name, 'dead');
          else if (ev === 'member-left') this.#noteLoss(e.member.name, 'left');
          else if (ev === 'member-alive') this.#lost.delete(e.member.name);
          this.#syncMemberMetrics();
        }),
      );
    }
    this.#unsubscribe.push(
      this.#c.announcer.on('conflict-detected', (c) =>
        this.#log.warn({ vip: c.vip, theirMac: c.theirMac }, 'another host answers for an address this node announces'),
      ),
    );
    await this.#c.announcer.start();
    await this.#c.member.start();
  }

  /**
   * Stops. `graceful` leaves the membership first, so the next owner of every address takes over at once,
   * and closes BGP sessions with a shutdown message.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    for (const u of this.#unsubscribe.splice(0)) u();
    // Stop answering and cancel any announcement burst still running before the leave lingers, so nothing
    // re-announces this node after the next owner's announcement. Clients whose entry points here keep
    // reaching this node until the next owner's announcement moves them.
    for (const [ip, o] of [...this.#owned]) await this.#withdraw(ip, o);
    if (options.graceful === true) await this.#c.member.leave().catch(() => undefined);
    for (const s of this.#speakers.values())
      await s.speaker.stop({ message: `lbkit speaker on ${this.#init.nodeName} stopping` }).catch(() => undefined);
    this.#speakers.clear();
    await this.#c.announcer.stop();
    await this.#c.member.stop();
  }

  /** Applies a new view of the objects: configuration, Services with their status, endpoints, nodes. */
  async update(objects: ObjectSet): Promise<void> {
    const state = this.#tracker.update(objects.config);
    this.#lastState = state;
    if (this.#c.metrics !== undefined) {
      this.#c.metrics.k8s.configLoaded.set(state.loaded ? 1 : 0);
      this.#c.metrics.k8s.configStale.set(state.stale ? 1 : 0);
    }
    // Each distinct set of errors is logged once, not again on every update while it lasts.
    const errorText = state.errors.map((e) => e.message).join('\n');
    if (errorText !== this.#loggedErrors)
      for (const e of state.errors) this.#log.error({ kind: e.kind, object: e.name, field: e.field }, e.message);
    this.#loggedErrors = errorText;
    if (state.config === undefined) return;
    this.#config = state.config;
    const endpoints = endpointsByService(objects.endpointSlices);
    const nodes = objects.nodes.map(mapNode);

    // Layer 2: every speaker places every address; the election tells each one which it owns.
    const intents = l2Intents(state.config, objects.services, endpoints, nodes, {
      ignoreExcludeLabel: this.#init.ignoreExcludeLabel ?? false,
    });
    this.#intents = new Map(intents.filter((i) => i.skip === undefined).map((i) => [i.hashIp, i]));
    await this.#c.member.setAddresses(
      [...this.#intents.values()].map((i) => ({ ip: i.hashIp, nodes: i.nodes, preferences: i.preferences })),
    );
    const owners = this.#c.member.ownersFor([...this.#intents.keys()]);
    for (const info of owners.values()) await this.#onOwner(info, undefined);
    for (const [ip, o] of [...this.#owned]) if (!this.#intents.has(ip)) await this.#withdraw(ip, o);

    // BGP: this node's prefixes to its selected peers.
    const me = nodes.find((n) => n.name === this.#init.nodeName) ?? {
      name: this.#init.nodeName,
      labels: {},
      networkUnavailable: false,
      excludedFromLoadBalancers: false,
    };
    // Only the peers whose node selectors match this node (all peers when a peer has none).
    const myPeers = state.config.peers.filter((p) => anyMatches(p.nodeSelectors, me.labels));
    const bgp = bgpIntents(state.config, objects.services, endpoints, me, {
      ignoreExcludeLabel: this.#init.ignoreExcludeLabel ?? false,
    });
    const names = myPeers.map((p) => p.name).sort();
    this.#servicePeers = new Map();
    for (const [svc, peers] of bgp.servicePeers) {
      const to = peers.length === 0 ? names : peers.filter((p) => names.includes(p));
      if (to.length > 0) this.#servicePeers.set(svc, to);
    }
    if (this.#c.bgp !== undefined) await this.#syncBgp(myPeers, bgp);
    this.#changed();
  }

  /** Remembers when this node learned that `member` is gone, unless it already knew. */
  #noteLoss(member: string, reason: LossReason): void {
    if (!this.#lost.has(member)) this.#lost.set(member, { at: this.#c.clock.now(), reason });
  }

  async #onOwner(info: OwnerInfo, previous: string | undefined): Promise<void> {
    const intent = this.#intents.get(info.ip);
    const held = this.#owned.get(info.ip);
    if (intent === undefined || !this.#started) return;
    if (info.local) {
      const interfaces = this.#config === undefined ? 'all' : l2Interfaces(this.#config, intent, this.#init.nodeName);
      if (held !== undefined && held.intent.ips.join() === intent.ips.join()) return;
      if (held !== undefined) await this.#withdraw(info.ip, held);
      this.#owned.set(info.ip, { intent, interfaces });
      for (const ip of intent.ips) {
        await this.#c.announcer.announce(ip, interfaces === 'all' ? undefined : interfaces);
        this.#c.metrics?.speaker.announced.set(
          { service: intent.key, protocol: 'layer2', node: this.#init.nodeName, ip },
          1,
        );
      }
      this.#c.metrics?.lbkit.ownershipChanges.inc({ reason: info.localReason });
      // A failover this node completes: from when it learned the previous owner was gone to now, announced.
      const loss = previous === undefined ? undefined : this.#lost.get(previous);
      const failoverMs = loss === undefined ? undefined : this.#c.clock.now() - loss.at;
      if (loss !== undefined && failoverMs !== undefined)
        this.#c.metrics?.lbkit.failoverSeconds.observe({ service: intent.key, reason: loss.reason }, failoverMs / 1000);
      this.#log.info(
        {
          service: intent.key,
          ips: intent.ips,
          reason: info.reason,
          standby: info.standby,
          ...(previous === undefined ? {} : { previous }),
          ...(failoverMs === undefined ? {} : { failoverMs, lossReason: loss?.reason }),
        },
        'announcing (layer 2)',
      );
    } else if (held !== undefined) {
      await this.#withdraw(info.ip, held);
      this.#c.metrics?.lbkit.ownershipChanges.inc({ reason: info.localReason });
      this.#log.info(
        { service: held.intent.key, ips: held.intent.ips, owner: info.owner, reason: info.localReason },
        'stopped announcing (layer 2)',
      );
    }
  }

  async #withdraw(hashIp: string, held: Owned): Promise<void> {
    this.#owned.delete(hashIp);
    for (const ip of held.intent.ips) {
      await this.#c.announcer.withdraw(ip);
      this.#c.metrics?.speaker.announced.remove({
        service: held.intent.key,
        protocol: 'layer2',
        node: this.#init.nodeName,
        ip,
      });
    }
  }

  async #syncBgp(myPeers: readonly PeerConfig[], intents: ReturnType<typeof bgpIntents>): Promise<void> {
    const factory = this.#c.bgp;
    if (factory === undefined) return;
    // One BGP speaker per local AS and router ID; a change of its peers' configuration rebuilds it.
    const groups = new Map<string, PeerConfig[]>();
    for (const p of myPeers) {
      const id = p.routerID ?? this.#init.nodeAddress;
      const k = `${p.myASN}|${id}`;
      groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    for (const [k, s] of [...this.#speakers]) {
      const peers = groups.get(k);
      if (peers === undefined || JSON.stringify(peers.map(peerKey)) !== s.key) {
        await s.speaker.stop({ message: 'configuration changed' }).catch(() => undefined);
        this.#speakers.delete(k);
      }
    }
    for (const [k, peers] of groups) {
      if (this.#speakers.has(k)) continue;
      const [asn, routerId] = k.split('|') as [string, string];
      const speaker = factory(Number(asn), routerId, peers);
      const names = new Map(peers.map((p) => [p.address ?? '', p.name]));
      this.#speakers.set(k, { speaker, key: JSON.stringify(peers.map(peerKey)), peers: names });
      speaker.on('session-state-changed', (e) => {
        const name = names.get(e.peer) ?? e.peer;
        this.#c.metrics?.bgp.sessionUp.set({ peer: name }, e.to === 'established' ? 1 : 0);
        this.#log.info({ peer: name, from: e.from, to: e.to, reason: e.reason }, 'BGP session');
      });
      await speaker.start();
      for (const [prefix, p] of this.#prefixes) speaker.announce(prefix, bgpAttributes(p));
    }
    const next = new Map(
      intents.prefixes.map((p) => [
        p.prefix,
        {
          peers: p.peers.length === 0 ? ('all' as const) : new Set(p.peers),
          communities: p.communities.filter((c) => c.type === 'standard').map(formatCommunity),
          large: p.communities.filter((c) => c.type === 'large').map((c) => formatCommunity(c).replace(/^large:/, '')),
          localPref: p.localPref,
        },
      ]),
    );
    for (const prefix of this.#prefixes.keys())
      if (!next.has(prefix)) for (const s of this.#speakers.values()) s.speaker.withdraw(prefix);
    for (const [prefix, p] of next)
      for (const s of this.#speakers.values()) s.speaker.announce(prefix, bgpAttributes(p));
    this.#prefixes = next;
    for (const s of this.#speakers.values())
      for (const name of s.peers.values())
        this.#c.metrics?.bgp.pendingPrefixes.set(
          { peer: name },
          [...next.values()].filter((p) => p.peers === 'all' || p.peers.has(name)).length,
        );
  }

  /** Every BGP session of this node: peer name, address and state. */
  bgpSessions(): Array<{ peer: string; address: string; state: string }> {
    const out: Array<{ peer: string; address: string; state: string }> = [];
    for (const s of this.#speakers.values())
      for (const st of s.speaker.sessions())
        out.push({ peer: s.peers.get(st.peer) ?? st.peer, address: st.peer, state: st.state });
    return out.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  }

  /** Export policy for a speaker: a prefix goes only to the peers its advertisements name. */
  allowsExport(prefix: string, peerName: string): boolean {
    const p = this.#prefixes.get(prefix);
    return p !== undefined && (p.peers === 'all' || p.peers.has(peerName));
  }

  #syncMemberMetrics(): void {
    const m = this.#c.metrics;
    if (m === undefined) return;
    m.lbkit.members.reset();
    const counts = new Map<string, number>();
    for (const x of this.#c.member.members()) counts.set(x.status, (counts.get(x.status) ?? 0) + 1);
    for (const [state, n] of counts) m.lbkit.members.set({ state }, n);
  }
}

function bgpAttributes(p: { communities: string[]; large: string[]; localPref: number }): {
  communities: string[];
  largeCommunities: string[];
  localPref: number;
} {
  return { communities: p.communities, largeCommunities: p.large, localPref: p.localPref };
}

function peerKey(p: PeerConfig): unknown[] {
  return [
    p.name,
    p.address,
    p.peerASN,
    p.port,
    p.holdTimeS,
    p.keepaliveTimeS,
    p.password ?? '',
    p.ebgpMultiHop,
    p.sourceAddress ?? '',
    p.enableGracefulRestart,
    p.bfdProfile ?? '',
  ];
}

/** Groups EndpointSlices by their Service (`kubernetes.io/service-name` label) and folds each group. */
export function endpointsByService(slices: readonly EndpointSlice[]): Map<string, ServiceEndpoints> {
  const groups = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined) continue;
    const key = `${s.metadata?.namespace ?? 'default'}/${svc}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return new Map([...groups].map(([k, v]) => [k, mapEndpoints(v)]));
}
