/**
 * TypeScript shapes of MetalLB's `metallb.io` API, field for field (reference: metallb.md §1). Optional
 * fields are optional here too; defaults are applied by the configuration parser, not by these types.
 */
import type { Condition, KubeObject, LabelSelector, ObjectMeta, SecretReference } from './meta.js';

/** The API group of every MetalLB kind. */
export const METALLB_GROUP = 'metallb.io';

/** `IPAddressPool.spec.serviceAllocation`: which Services may take addresses from the pool, and in what order. */
export interface ServiceAllocation {
  /** Lower positive numbers are tried first; 0 or unset is tried last among pinned pools. */
  priority?: number;
  namespaces?: string[];
  namespaceSelectors?: LabelSelector[];
  serviceSelectors?: LabelSelector[];
}

/** `IPAddressPool.spec` (metallb.io/v1beta1). */
export interface IPAddressPoolSpec {
  /** CIDRs (`192.0.2.0/24`) or inclusive ranges (`192.0.2.10-192.0.2.20`). Required, non-empty. */
  addresses: string[];
  /** @default true */
  autoAssign?: boolean;
  /** @default false */
  avoidBuggyIPs?: boolean;
  serviceAllocation?: ServiceAllocation;
}

/** `IPAddressPool.status`, written by the controller. */
export interface IPAddressPoolStatus {
  assignedIPv4?: number;
  assignedIPv6?: number;
  availableIPv4?: number;
  availableIPv6?: number;
}

/** An address pool (metallb.io/v1beta1 IPAddressPool). */
export interface IPAddressPool extends KubeObject {
  metadata?: ObjectMeta;
  spec: IPAddressPoolSpec;
  status?: IPAddressPoolStatus;
}

/** One weighted soft preference of `L2Advertisement.spec.preferredNodeSelectors`. */
export interface PreferredNodeSelector {
  /** 1..100. */
  weight: number;
  preference: LabelSelector;
}

/** `L2Advertisement.spec` (metallb.io/v1beta1). */
export interface L2AdvertisementSpec {
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  interfaces?: string[];
  serviceSelectors?: LabelSelector[];
  preferredNodeSelectors?: PreferredNodeSelector[];
}

/** A layer-2 advertisement (metallb.io/v1beta1 L2Advertisement). */
export interface L2Advertisement extends KubeObject {
  metadata?: ObjectMeta;
  spec?: L2AdvertisementSpec;
}

/** `BGPAdvertisement.spec` (metallb.io/v1beta1). */
export interface BGPAdvertisementSpec {
  /** @default 32 */
  aggregationLength?: number;
  /** @default 128 */
  aggregationLengthV6?: number;
  /** @default 0 */
  localPref?: number;
  communities?: string[];
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  peers?: string[];
  serviceSelectors?: LabelSelector[];
}

/** A BGP advertisement (metallb.io/v1beta1 BGPAdvertisement). */
export interface BGPAdvertisement extends KubeObject {
  metadata?: ObjectMeta;
  spec?: BGPAdvertisementSpec;
}

/** `BGPPeer.spec` in its storage version, metallb.io/v1beta2. Durations are Go duration strings (`90s`). */
export interface BGPPeerSpec {
  myASN: number;
  peerASN?: number;
  dynamicASN?: 'internal' | 'external' | (string & {});
  localASN?: number;
  peerAddress?: string;
  interface?: string;
  sourceAddress?: string;
  /** @default 179 */
  peerPort?: number;
  holdTime?: string;
  keepaliveTime?: string;
  connectTime?: string;
  routerID?: string;
  nodeSelectors?: LabelSelector[];
  password?: string;
  passwordSecret?: SecretReference;
  bfdProfile?: string;
  enableGracefulRestart?: boolean;
  ebgpMultiHop?: boolean;
  vrf?: string;
  disableMP?: boolean;
  dualStackAddressFamily?: boolean;
}

/** A BGP peer (metallb.io/v1beta2 BGPPeer). */
export interface BGPPeer extends KubeObject {
  metadata?: ObjectMeta;
  spec: BGPPeerSpec;
}

/** v1beta1 BGPPeer node selector: its own type, with `matchExpressions` values of at least one item. */
export interface BGPPeerV1beta1NodeSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
}

/** `BGPPeer.spec` in the deprecated metallb.io/v1beta1 shape (accepted and converted). */
export interface BGPPeerV1beta1Spec {
  myASN: number;
  peerASN: number;
  peerAddress: string;
  sourceAddress?: string;
  peerPort?: number;
  holdTime?: string;
  keepaliveTime?: string;
  routerID?: string;
  nodeSelectors?: BGPPeerV1beta1NodeSelector[];
  password?: string;
  passwordSecret?: SecretReference;
  bfdProfile?: string;
  ebgpMultiHop?: boolean;
  vrf?: string;
}

/** A BGP peer in the deprecated metallb.io/v1beta1 shape. */
export interface BGPPeerV1beta1 extends KubeObject {
  metadata?: ObjectMeta;
  spec: BGPPeerV1beta1Spec;
}

/** `BFDProfile.spec` (metallb.io/v1beta1); intervals in milliseconds. */
export interface BFDProfileSpec {
  receiveInterval?: number;
  transmitInterval?: number;
  detectMultiplier?: number;
  echoInterval?: number;
  echoMode?: boolean;
  passiveMode?: boolean;
  minimumTtl?: number;
}

/** A BFD profile (metallb.io/v1beta1 BFDProfile). */
export interface BFDProfile extends KubeObject {
  metadata?: ObjectMeta;
  spec?: BFDProfileSpec;
}

/** One alias of a Community object. */
export interface CommunityAlias {
  name: string;
  value: string;
}

/** A set of community aliases (metallb.io/v1beta1 Community). */
export interface Community extends KubeObject {
  metadata?: ObjectMeta;
  spec?: { communities?: CommunityAlias[] };
}

/** An interface named in a ServiceL2Status. */
export interface InterfaceInfo {
  name: string;
}

/** `ServiceL2Status.status`: which node announces a Service in layer 2, on which interfaces. */
export interface MetalLBServiceL2StatusStatus {
  node?: string;
  serviceName?: string;
  serviceNamespace?: string;
  /** Empty means all interfaces. */
  interfaces?: InterfaceInfo[];
}

/** Status-only object written by the announcing speaker (metallb.io/v1beta1 ServiceL2Status). */
export interface ServiceL2Status extends KubeObject {
  metadata?: ObjectMeta;
  spec?: Record<string, never>;
  status?: MetalLBServiceL2StatusStatus;
}

/** `ServiceBGPStatus.status`: a node's intent to advertise a Service, and to which peers. */
export interface MetalLBServiceBGPStatusStatus {
  node?: string;
  serviceName?: string;
  serviceNamespace?: string;
  /** Sorted BGPPeer names. */
  peers?: string[];
}

/** Status-only object, one per (Service, node) (metallb.io/v1beta1 ServiceBGPStatus). */
export interface ServiceBGPStatus extends KubeObject {
  metadata?: ObjectMeta;
  spec?: Record<string, never>;
  status?: MetalLBServiceBGPStatusStatus;
}

/** The summary result of a component's configuration. */
export type ConfigurationResult = 'Valid' | 'Invalid' | 'Unknown';

/** `ConfigurationState.status`. */
export interface ConfigurationStateStatus {
  conditions?: Condition[];
  result?: ConfigurationResult;
  errorSummary?: string;
}

/** Status-only object, one per component (metallb.io/v1beta1 ConfigurationState). */
export interface ConfigurationState extends KubeObject {
  metadata?: ObjectMeta;
  spec?: Record<string, never>;
  status?: ConfigurationStateStatus;
}

/** Description of one metallb.io kind: names as the API server serves them. */
export interface MetalLBKindInfo {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly versions: readonly string[];
  readonly storageVersion: string;
  readonly statusSubresource: boolean;
}

/** Every metallb.io kind, its plural and served versions. */
export const METALLB_KINDS = {
  IPAddressPool: {
    kind: 'IPAddressPool',
    plural: 'ipaddresspools',
    singular: 'ipaddresspool',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: true,
  },
  L2Advertisement: {
    kind: 'L2Advertisement',
    plural: 'l2advertisements',
    singular: 'l2advertisement',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: false,
  },
  BGPAdvertisement: {
    kind: 'BGPAdvertisement',
    plural: 'bgpadvertisements',
    singular: 'bgpadvertisement',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: false,
  },
  BGPPeer: {
    kind: 'BGPPeer',
    plural: 'bgppeers',
    singular: 'bgppeer',
    versions: ['v1beta1', 'v1beta2'],
    storageVersion: 'v1beta2',
    statusSubresource: false,
  },
  BFDProfile: {
    kind: 'BFDProfile',
    plural: 'bfdprofiles',
    singular: 'bfdprofile',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: false,
  },
  Community: {
    kind: 'Community',
    plural: 'communities',
    singular: 'community',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: false,
  },
  ServiceL2Status: {
    kind: 'ServiceL2Status',
    plural: 'servicel2statuses',
    singular: 'servicel2status',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: true,
  },
  ServiceBGPStatus: {
    kind: 'ServiceBGPStatus',
    plural: 'servicebgpstatuses',
    singular: 'servicebgpstatus',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: true,
  },
  ConfigurationState: {
    kind: 'ConfigurationState',
    plural: 'configurationstates',
    singular: 'configurationstate',
    versions: ['v1beta1'],
    storageVersion: 'v1beta1',
    statusSubresource: true,
  },
} as const satisfies Record<string, MetalLBKindInfo>;

/** Name of a metallb.io kind. */
export type MetalLBKind = keyof typeof METALLB_KINDS;
