/** The typed configuration the parser produces from MetalLB's objects. */
import type { IpFamily, Prefix } from '@lbkit/core';
import type { CommunityValue } from './community.js';
import type { ConfigIssue } from './issue.js';
import type { Selector } from './selector.js';
import type { ServiceAllocation } from '../api/metallb.js';

/** One `spec.addresses` entry of a pool: its text, its inclusive bounds and the covering prefixes. */
export interface PoolAddressRange {
  readonly text: string;
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** The minimal prefixes covering `first..last`, in address order. */
  readonly prefixes: readonly Prefix[];
}

/** `serviceAllocation` of a pool with its namespace selectors resolved. */
export interface PoolServiceAllocation {
  readonly priority: number;
  /** Union of `namespaces` and the namespaces matched by `namespaceSelectors` now. */
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelectors: readonly Selector[];
  readonly serviceSelectors: readonly Selector[];
  /** The object's `serviceAllocation` as written, for consumers that evaluate selectors themselves. */
  readonly spec: ServiceAllocation;
}

/** A validated IPAddressPool. */
export interface PoolConfig {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ranges: readonly PoolAddressRange[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  /** Absent when the object has no `serviceAllocation` (the pool is a generic fallback pool). */
  readonly serviceAllocation?: PoolServiceAllocation;
}

/** A weighted node preference of an L2Advertisement, resolved to node names. */
export interface NodePreference {
  readonly weight: number;
  readonly selector: Selector;
  readonly nodes: ReadonlySet<string>;
}

/** A validated L2Advertisement. */
export interface L2AdvertisementConfig {
  readonly name: string;
  /** Names of the pools it applies to (resolved from names and selectors; all pools when both are empty). */
  readonly pools: readonly string[];
  readonly nodeSelectors: readonly Selector[];
  /** Nodes matched by `nodeSelectors` now (all known nodes when the list is empty). */
  readonly nodes: ReadonlySet<string>;
  /** Empty means every interface. */
  readonly interfaces: readonly string[];
  readonly serviceSelectors: readonly Selector[];
  readonly preferences: readonly NodePreference[];
}

/** A validated BGPAdvertisement. */
export interface BgpAdvertisementConfig {
  readonly name: string;
  readonly pools: readonly string[];
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  readonly localPref: number;
  /** Resolved community values, aliases expanded, sorted and de-duplicated. */
  readonly communities: readonly CommunityValue[];
  readonly nodeSelectors: readonly Selector[];
  readonly nodes: ReadonlySet<string>;
  /** BGPPeer names; empty means every peer. */
  readonly peers: readonly string[];
  readonly serviceSelectors: readonly Selector[];
}

/** A validated BGPPeer (v1beta2 semantics; v1beta1 objects are converted first). */
export interface PeerConfig {
  readonly name: string;
  readonly myASN: number;
  readonly peerASN?: number;
  readonly dynamicASN?: 'internal' | 'external';
  readonly localASN?: number;
  readonly address?: string;
  readonly interface?: string;
  readonly sourceAddress?: string;
  readonly port: number;
  /** Hold time in seconds (0 disables keepalives). */
  readonly holdTimeS: number;
  readonly keepaliveTimeS: number;
  readonly connectTimeS?: number;
  readonly routerID?: string;
  readonly nodeSelectors: readonly Selector[];
  readonly nodes: ReadonlySet<string>;
  readonly password?: string;
  readonly bfdProfile?: string;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  readonly vrf: string;
  readonly dualStackAddressFamily: boolean;
}

/** A validated BFDProfile with the FRR defaults filled in. */
export interface BfdProfileConfig {
  readonly name: string;
  readonly receiveIntervalMs: number;
  readonly transmitIntervalMs: number;
  readonly detectMultiplier: number;
  readonly echoIntervalMs: number;
  readonly echoMode: boolean;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
}

/** The whole typed configuration. Maps are keyed by object name; lists are in name order. */
export interface LbConfig {
  readonly pools: ReadonlyMap<string, PoolConfig>;
  readonly l2Advertisements: readonly L2AdvertisementConfig[];
  readonly bgpAdvertisements: readonly BgpAdvertisementConfig[];
  readonly peers: readonly PeerConfig[];
  readonly bfdProfiles: ReadonlyMap<string, BfdProfileConfig>;
  /** Community aliases by name. */
  readonly communities: ReadonlyMap<string, CommunityValue>;
}

/** Which BGP implementation the configuration is checked for (MetalLB's `METALLB_BGP_TYPE`). */
export type BgpMode = 'native' | 'frr' | 'frr-k8s' | 'lbkit';

/** The outcome of parsing: a configuration, or the errors that prevent one. Warnings come with both. */
export type ParseResult =
  | { readonly ok: true; readonly config: LbConfig; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[]; readonly warnings: readonly ConfigIssue[] };
