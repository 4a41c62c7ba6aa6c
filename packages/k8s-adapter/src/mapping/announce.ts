/**
 * Which nodes may announce each Service address, for the speakers (reference: metallb.md §4.1 and §6.3).
 * Pure: configuration, Services, endpoints and nodes in; per-address intents with named reasons out. The
 * election package then picks one owner per layer 2 address among the eligible nodes that are alive; BGP
 * intents are what one node advertises to its peers.
 */
import { canonicalIp, formatPrefix, parseIp, prefixMask, type IpFamily } from '@lbkit/core';
import type { Service } from '../api/core.js';
import type { LbConfig, PoolConfig } from '../config/types.js';
import { anyMatches } from '../config/selector.js';
import type { CommunityValue } from '../config/community.js';
import { ANNOTATION_PREFIX, DEPRECATED_ANNOTATION_PREFIX, IP_ALLOCATED_FROM_POOL } from '../constants.js';
import type { ServiceEndpoints } from './endpoints.js';
import { canAnnounce, type NodeInfo } from './nodes.js';

/** Why a Service's address is not announced (by anyone, or by a given node). */
export type AnnounceSkipReason =
  /** The Service has no address in its status. */
  | 'no-address'
  /** No configured pool contains the address. */
  | 'no-pool'
  /** No endpoint can serve anywhere: nobody announces, whatever the traffic policy (§4.1 step 1). */
  | 'no-serving-endpoint'
  /** No advertisement of the pool matches the Service. */
  | 'no-advertisement'
  /** `allow-shared-ip` with an advertisement that has serviceSelectors (MetalLB's `sharedIPWithServiceSelector`). */
  | 'shared-ip-with-service-selector'
  /** No node is both selected and able to announce (and, for Local, hosts a serving endpoint). */
  | 'no-eligible-node';

/** Why one node does not announce an address that other nodes may (checked in this order). */
export type NodeSkipReason =
  /** The Node has the condition NetworkUnavailable=True. */
  | 'network-unavailable'
  /** The Node carries the exclude-from-external-load-balancers label (and `ignoreExcludeLabel` is off). */
  | 'excluded'
  /** No matching advertisement's nodeSelectors select the node. */
  | 'node-selector'
  /** `externalTrafficPolicy: Local` and no serving endpoint of the Service runs on the node. */
  | 'no-local-endpoint';

/**
 * Why `node` may not announce a Service, or undefined when it may: the one rule both {@link l2Intents} and
 * {@link bgpIntents} apply per node. `selected` says whether a matching advertisement selects the node.
 */
export function nodeSkipReason(
  node: NodeInfo,
  selected: boolean,
  local: boolean,
  endpoints: ServiceEndpoints | undefined,
  options: IntentOptions = {},
): NodeSkipReason | undefined {
  if (node.networkUnavailable) return 'network-unavailable';
  if (!canAnnounce(node, options.ignoreExcludeLabel === true)) return 'excluded';
  if (!selected) return 'node-selector';
  if (local && endpoints?.servingNodes.has(node.name) !== true) return 'no-local-endpoint';
  return undefined;
}

/** One layer 2 Service as the election needs it. */
export interface L2Intent {
  /** `namespace/name`. */
  readonly key: string;
  /** The Service's addresses, canonical, in status order. */
  readonly ips: readonly string[];
  /** The address the owner hash uses: the first one, so every address of the Service moves together. */
  readonly hashIp: string;
  readonly pool: string;
  /** Nodes that may announce it, by name, sorted; empty when skipped. */
  readonly nodes: readonly string[];
  /** Preference weights of nodes (sum over the matching advertisements' preferred node selectors). */
  readonly preferences: Readonly<Record<string, number>>;
  /** The matching L2Advertisements, by name. */
  readonly advertisements: readonly string[];
  /** Every node that is not eligible, with why (filled once the Service reaches node selection). */
  readonly excludedNodes: Readonly<Record<string, NodeSkipReason>>;
  readonly skip?: AnnounceSkipReason;
}

/** Options of {@link l2Intents} and {@link bgpIntents}. */
export interface IntentOptions {
  /** MetalLB's `--ignore-exclude-lb`. @default false */
  readonly ignoreExcludeLabel?: boolean;
}

function serviceKey(svc: Service): string {
  return `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
}

function statusIps(svc: Service): string[] {
  const out: string[] = [];
  for (const i of svc.status?.loadBalancer?.ingress ?? []) {
    if (i.ip === undefined || i.ip === '') continue;
    try {
      out.push(canonicalIp(i.ip));
    } catch {
      /* a hostname or malformed entry is not ours to announce */
    }
  }
  return out;
}

/** The pool holding an address: the annotation's pool when it contains it, else the first pool that does. */
export function poolOfAddress(config: LbConfig, ip: string, hint?: string): PoolConfig | undefined {
  const addr = parseIp(ip);
  const contains = (p: PoolConfig): boolean =>
    p.ranges.some((r) => r.family === addr.family && r.first <= addr.value && addr.value <= r.last);
  if (hint !== undefined) {
    const p = config.pools.get(hint);
    if (p !== undefined && contains(p)) return p;
  }
  for (const p of config.pools.values()) if (contains(p)) return p;
  return undefined;
}

function sharingKey(svc: Service): string {
  const a = svc.metadata?.annotations ?? {};
  return a[`${ANNOTATION_PREFIX}allow-shared-ip`] ?? a[`${DEPRECATED_ANNOTATION_PREFIX}allow-shared-ip`] ?? '';
}

/**
 * Layer 2 intents for every LoadBalancer Service with an address: which nodes may announce it and with
 * which preferences. Liveness is not considered here: the election removes dead members.
 */
export function l2Intents(
  config: LbConfig,
  services: readonly Service[],
  endpoints: ReadonlyMap<string, ServiceEndpoints>,
  nodes: readonly NodeInfo[],
  options: IntentOptions = {},
): L2Intent[] {
  const out: L2Intent[] = [];
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const key = serviceKey(svc);
    const ips = statusIps(svc);
    const base = {
      key,
      ips,
      hashIp: ips[0] ?? '',
      pool: '',
      nodes: [] as string[],
      preferences: {},
      advertisements: [] as string[],
      excludedNodes: {},
    };
    if (ips.length === 0) {
      out.push({ ...base, skip: 'no-address' });
      continue;
    }
    const pool = poolOfAddress(config, ips[0] as string, svc.metadata?.annotations?.[IP_ALLOCATED_FROM_POOL]);
    if (pool === undefined) {
      out.push({ ...base, skip: 'no-pool' });
      continue;
    }
    const withPool = { ...base, pool: pool.name };
    const eps = endpoints.get(key);
    if (eps === undefined || !eps.servingAnywhere) {
      out.push({ ...withPool, skip: 'no-serving-endpoint' });
      continue;
    }
    const ads = config.l2Advertisements.filter(
      (ad) => ad.pools.includes(pool.name) && anyMatches(ad.serviceSelectors, svc.metadata?.labels),
    );
    if (ads.length === 0) {
      out.push({ ...withPool, skip: 'no-advertisement' });
      continue;
    }
    const advertisements = ads.map((a) => a.name);
    if (sharingKey(svc) !== '' && ads.some((a) => a.serviceSelectors.length > 0)) {
      out.push({ ...withPool, advertisements, skip: 'shared-ip-with-service-selector' });
      continue;
    }
    const local = svc.spec?.externalTrafficPolicy === 'Local';
    const excludedNodes: Record<string, NodeSkipReason> = {};
    const eligible: string[] = [];
    for (const n of nodes) {
      const why = nodeSkipReason(
        n,
        ads.some((a) => a.nodes.has(n.name)),
        local,
        eps,
        options,
      );
      if (why === undefined) eligible.push(n.name);
      else excludedNodes[n.name] = why;
    }
    eligible.sort();
    const preferences: Record<string, number> = {};
    for (const n of eligible) {
      let w = 0;
      for (const a of ads) for (const p of a.preferences) if (p.nodes.has(n)) w += p.weight;
      if (w !== 0) preferences[n] = w;
    }
    out.push({
      ...withPool,
      advertisements,
      nodes: eligible,
      preferences,
      excludedNodes,
      ...(eligible.length === 0 ? { skip: 'no-eligible-node' as const } : {}),
    });
  }
  return out;
}

/**
 * The interfaces a node announces an intent on: every interface when any matching advertisement that
 * selects the node leaves `interfaces` empty, else the union of their lists (§4.2).
 */
export function l2Interfaces(config: LbConfig, intent: L2Intent, node: string): 'all' | string[] {
  const ads = config.l2Advertisements.filter((a) => intent.advertisements.includes(a.name) && a.nodes.has(node));
  if (ads.length === 0 || ads.some((a) => a.interfaces.length === 0)) return 'all';
  return [...new Set(ads.flatMap((a) => a.interfaces))].sort();
}

/** One prefix a node advertises over BGP. */
export interface BgpPrefixIntent {
  /** `address/length`, masked to the advertisement's aggregation length. */
  readonly prefix: string;
  readonly family: IpFamily;
  readonly localPref: number;
  /** Communities of every advertisement that produced the prefix, unioned and sorted. */
  readonly communities: readonly CommunityValue[];
  /** BGPPeer names the prefix goes to; empty means every peer. */
  readonly peers: readonly string[];
  /** The Services behind the prefix. */
  readonly services: readonly string[];
}

/** The result of {@link bgpIntents}: what the node advertises, and why each Service is or is not. */
export interface BgpIntents {
  readonly prefixes: readonly BgpPrefixIntent[];
  readonly skipped: ReadonlyMap<string, AnnounceSkipReason>;
  /** For the Services skipped as `no-eligible-node`: why this node may not advertise them. */
  readonly nodeSkips: ReadonlyMap<string, NodeSkipReason>;
  /** Peers each advertised Service is handed to (for ServiceBGPStatus); empty list means every peer. */
  readonly servicePeers: ReadonlyMap<string, readonly string[]>;
}

function communityKey(c: CommunityValue): string {
  return c.type === 'standard'
    ? `s:${c.value.toString().padStart(10, '0')}`
    : `l:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/** What `node` advertises over BGP (§6.3): per address and advertisement, the aggregated prefix with its attributes. */
export function bgpIntents(
  config: LbConfig,
  services: readonly Service[],
  endpoints: ReadonlyMap<string, ServiceEndpoints>,
  node: NodeInfo,
  options: IntentOptions = {},
): BgpIntents {
  const skipped = new Map<string, AnnounceSkipReason>();
  const nodeSkips = new Map<string, NodeSkipReason>();
  const servicePeers = new Map<string, readonly string[]>();
  const byPrefix = new Map<
    string,
    {
      family: IpFamily;
      localPref: number;
      communities: Map<string, CommunityValue>;
      peers: Set<string> | 'all';
      services: Set<string>;
    }
  >();
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const key = serviceKey(svc);
    const ips = statusIps(svc);
    if (ips.length === 0) {
      skipped.set(key, 'no-address');
      continue;
    }
    const pool = poolOfAddress(config, ips[0] as string, svc.metadata?.annotations?.[IP_ALLOCATED_FROM_POOL]);
    if (pool === undefined) {
      skipped.set(key, 'no-pool');
      continue;
    }
    const ads = config.bgpAdvertisements.filter(
      (a) =>
        a.pools.includes(pool.name) && a.nodes.has(node.name) && anyMatches(a.serviceSelectors, svc.metadata?.labels),
    );
    if (ads.length === 0) {
      skipped.set(key, 'no-advertisement');
      continue;
    }
    const eps = endpoints.get(key);
    const local = svc.spec?.externalTrafficPolicy === 'Local';
    if (eps === undefined || !eps.servingAnywhere) {
      skipped.set(key, 'no-serving-endpoint');
      continue;
    }
    // The advertisements above already select this node.
    const why = nodeSkipReason(node, true, local, eps, options);
    if (why !== undefined) {
      skipped.set(key, 'no-eligible-node');
      nodeSkips.set(key, why);
      continue;
    }
    const peers = new Set<string>();
    let allPeers = false;
    for (const ip of ips) {
      const addr = parseIp(ip);
      for (const ad of ads) {
        const len = addr.family === 4 ? ad.aggregationLength : ad.aggregationLengthV6;
        const prefix = formatPrefix({
          family: addr.family,
          base: addr.value & prefixMask(addr.family, len),
          length: len,
        });
        let entry = byPrefix.get(prefix);
        if (entry === undefined) {
          entry = {
            family: addr.family,
            localPref: ad.localPref,
            communities: new Map(),
            peers: new Set(),
            services: new Set(),
          };
          byPrefix.set(prefix, entry);
        }
        for (const c of ad.communities) entry.communities.set(communityKey(c), c);
        if (ad.peers.length === 0) entry.peers = 'all';
        else if (entry.peers !== 'all') for (const p of ad.peers) entry.peers.add(p);
        entry.services.add(key);
        if (ad.peers.length === 0) allPeers = true;
        else for (const p of ad.peers) peers.add(p);
      }
    }
    servicePeers.set(key, allPeers ? [] : [...peers].sort());
  }
  const prefixes: BgpPrefixIntent[] = [...byPrefix.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([prefix, e]) => ({
      prefix,
      family: e.family,
      localPref: e.localPref,
      communities: [...e.communities.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c),
      peers: e.peers === 'all' ? [] : [...e.peers].sort(),
      services: [...e.services].sort(),
    }));
  return { prefixes, skipped, nodeSkips, servicePeers };
}
