import type { IpFamily } from '@lbkit/core';

// ---------------------------------------------------------------------------------------------------------
// Configuration: plain serialisable data, shaped like MetalLB's IPAddressPool spec (metallb.md §1.1).
// ---------------------------------------------------------------------------------------------------------

/** Operators of a Kubernetes label-selector requirement. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One `matchExpressions` entry of a Kubernetes label selector. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Required and non-empty for `In`/`NotIn`; must be empty or absent for `Exists`/`DoesNotExist`. */
  readonly values?: readonly string[];
}

/**
 * A Kubernetes `metav1.LabelSelector`: every `matchLabels` pair and every `matchExpressions` entry must hold
 * (AND). An empty selector matches every label set.
 */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Who may use a pool and in which order (`IPAddressPool.spec.serviceAllocation`). Its mere presence, even
 * empty, takes the pool out of the generic fallback set.
 */
export interface ServiceAllocation {
  /**
   * Lower positive numbers are tried first; 0 or unset comes after every positive value. Ties are broken by
   * pool name (MetalLB leaves them random).
   * @default 0
   */
  readonly priority?: number;
  /** Namespaces whose services may use the pool (OR-ed with `namespaceSelectors`). */
  readonly namespaces?: readonly string[];
  /** Selectors over namespace labels (OR-ed with each other and with `namespaces`). */
  readonly namespaceSelectors?: readonly LabelSelector[];
  /** Selectors over service labels; one must match (AND-ed with the namespace fence). */
  readonly serviceSelectors?: readonly LabelSelector[];
}

/** One address pool, as in `IPAddressPool` (name + spec). */
export interface PoolConfig {
  /** Unique pool name. */
  readonly name: string;
  /**
   * CIDRs (`192.0.2.0/24`, `2001:db8::/64`) and inclusive ranges (`192.0.2.10-192.0.2.20`, spaces around the
   * dash allowed). IPv4 and IPv6 may be mixed (a dual-stack pool). A CIDR with host bits set is rejected.
   */
  readonly addresses: readonly string[];
  /**
   * Whether the pool serves automatic allocation. When false, only services that name the pool or request
   * one of its IPs get addresses from it.
   * @default true
   */
  readonly autoAssign?: boolean;
  /**
   * IPv4 only: never hand out addresses ending in .0 or .255 (some old clients treat them as broadcast).
   * @default false
   */
  readonly avoidBuggyIPs?: boolean;
  /** Restrictions and priority; absent means a generic fallback pool. */
  readonly serviceAllocation?: ServiceAllocation;
}

/** The whole allocator configuration: the pools, in any order (order never matters; names break ties). */
export interface IpamConfig {
  readonly pools: readonly PoolConfig[];
}

// ---------------------------------------------------------------------------------------------------------
// Requests: what a Service carries (metallb.md §2).
// ---------------------------------------------------------------------------------------------------------

/** `spec.ipFamilyPolicy`. */
export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** `spec.externalTrafficPolicy`. */
export type ExternalTrafficPolicy = 'Cluster' | 'Local';

/** A transport protocol of a service port. */
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

/** One `spec.ports[]` entry, as far as sharing cares. */
export interface ServicePort {
  /** @default 'TCP' */
  readonly protocol?: PortProtocol;
  readonly port: number;
}

/** Everything the allocator needs to know about one Service. */
export interface ServiceRequest {
  /** Stable identity of the service, conventionally `namespace/name`. */
  readonly key: string;
  /** The service's namespace (matched by `serviceAllocation.namespaces`). */
  readonly namespace: string;
  /** Labels of the namespace (matched by `serviceAllocation.namespaceSelectors`). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** `metadata.labels` of the service (matched by `serviceAllocation.serviceSelectors`). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The families of the service's ClusterIPs, in `spec.ipFamilies` order (`[4]`, `[6]`, `[4, 6]`, `[6, 4]`).
   * Empty means the service has no ClusterIP and cannot be allocated.
   */
  readonly families: readonly IpFamily[];
  /** @default 'SingleStack' */
  readonly ipFamilyPolicy?: IpFamilyPolicy;
  /**
   * Specific IPs wanted: the `metallb.io/loadBalancerIPs` annotation (one IP, or two of different families)
   * or `spec.loadBalancerIP`. The family set must equal `families`.
   */
  readonly requestedIPs?: readonly string[];
  /** The `metallb.io/address-pool` annotation: allocate only from this pool. */
  readonly requestedPool?: string;
  /** The `metallb.io/allow-shared-ip` annotation. Only equal non-empty keys may share an IP. */
  readonly sharingKey?: string;
  /** The service's ports; two services sharing an IP must not use the same protocol and port. */
  readonly ports?: readonly ServicePort[];
  /** @default 'Cluster' */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /** `spec.selector`: for `Local` services, sharing requires identical selectors. */
  readonly selector?: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------------
// Results.
// ---------------------------------------------------------------------------------------------------------

/** The addresses a service holds and the pool they come from. */
export interface Assignment {
  readonly key: string;
  readonly pool: string;
  /** Canonical text, one per family, in the order of the request's `families`. */
  readonly ips: readonly string[];
}

/** How a successful call got its result. */
export type AllocateAction =
  /** The service already held valid addresses; nothing changed. */
  | 'kept'
  /** The service had nothing and got addresses. */
  | 'allocated'
  /** The service's previous addresses were no longer valid (or no longer wanted) and it got new ones. */
  | 'changed'
  /** PreferDualStack: an address of the missing family was added from the same pool. */
  | 'extended';

/** Why a service got no address. */
export type FailureReason =
  /** The request has no ClusterIP family. */
  | 'no-cluster-ip'
  /** RequireDualStack with fewer than two ClusterIP families. */
  | 'not-enough-cluster-ips'
  /** The configuration has no pools at all. */
  | 'no-pools'
  /** `requestedPool` names no configured pool. */
  | 'unknown-pool'
  /** The named pool (or the pool holding the requested IPs) does not admit this service. */
  | 'pool-not-allowed'
  /** A requested IP is in no pool (or is a .0/.255 of an `avoidBuggyIPs` pool). */
  | 'requested-ip-not-in-pool'
  /** The requested IPs are in different pools, or not in `requestedPool`. */
  | 'requested-ip-wrong-pool'
  /** A requested IP is held by a service it may not share with. */
  | 'requested-ip-in-use'
  /** No eligible pool has a free or shareable address of the needed families. */
  | 'no-available-ips';

/** The outcome of {@link Allocator.allocate} for one service. */
export type AllocateResult =
  | {
      readonly ok: true;
      readonly key: string;
      readonly action: AllocateAction;
      readonly assignment: Assignment;
      /** What the service held before, when the call changed it. */
      readonly previous?: Assignment;
      /** PreferDualStack with two families but only one could be given (MetalLB's `AdditionalAssignFailed`). */
      readonly partial?: boolean;
    }
  | {
      readonly ok: false;
      readonly key: string;
      readonly reason: FailureReason;
      /** A sentence for events and logs. */
      readonly message: string;
      /** What the service held before this call and lost (its old addresses were cleared). */
      readonly previous?: Assignment;
    };

/** A service's state before a restart, for {@link Allocator.restore}. */
export interface RestoreEntry {
  readonly request: ServiceRequest;
  /** The addresses in `status.loadBalancer.ingress` (empty or absent when the service had none). */
  readonly ips?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------
// Explain.
// ---------------------------------------------------------------------------------------------------------

/** Why a pool was or was not used for a request. */
export type PoolReasonCode =
  /** The request names another pool. */
  | 'not-requested-pool'
  /** The service's namespace is outside the pool's `namespaces`/`namespaceSelectors`. */
  | 'namespace-fence'
  /** No `serviceSelectors` entry matches the service's labels. */
  | 'service-selector-mismatch'
  /** `autoAssign: false` and the request names neither the pool nor one of its IPs. */
  | 'auto-assign-off'
  /** A `serviceAllocation` whose fence or selectors exclude the service keeps it out of automatic choice. */
  | 'not-generic'
  /** The pool has no addresses of a family the service needs. */
  | 'family-missing'
  /** Every address of the family is taken by services this one may not share with. */
  | 'exhausted'
  /** A requested IP is not in this pool. */
  | 'requested-ip-outside-pool'
  /** A requested IP is .0/.255 and the pool avoids such addresses. */
  | 'buggy-ip'
  /** The IP is held by another service and the sharing keys differ or one is empty. */
  | 'sharing-key-conflict'
  /** The IP is held by another service using the same protocol and port. */
  | 'port-clash'
  /** The IP is held by a service with another backend (Local policy needs identical selectors). */
  | 'backend-mismatch'
  /** An earlier pool in the order already satisfied the request. */
  | 'earlier-pool-chosen'
  /** The pool could give only part of a dual-stack request and a better pool existed or none was needed. */
  | 'partial-family'
  /** The pool holds the service's current, still valid addresses. */
  | 'current';

/** One reason, with the details that make it actionable. */
export interface PoolReason {
  readonly code: PoolReasonCode;
  /** The family the reason is about, if any. */
  readonly family?: IpFamily;
  /** The address concerned, if any. */
  readonly ip?: string;
  /** The services holding that address, if any. */
  readonly heldBy?: readonly string[];
  /** A sentence for people. */
  readonly message: string;
}

/** The evaluation of one pool for one request. */
export interface PoolExplanation {
  readonly pool: string;
  /** `chosen`: the decision uses this pool. `usable`: it could have served. `rejected`: it could not. */
  readonly verdict: 'chosen' | 'usable' | 'rejected';
  /** Position in the automatic-choice order (pinned pools first, then generic ones), if it has one. */
  readonly order?: number;
  /** The address of each family this pool would give (when usable). */
  readonly candidates?: readonly string[];
  readonly reasons: readonly PoolReason[];
}

/** What {@link Allocator.explain} returns: the decision {@link Allocator.allocate} would take now, and why. */
export interface Explanation {
  readonly key: string;
  readonly decision: AllocateResult;
  /** How the pools were considered: `requested-ips`, `requested-pool`, `automatic`, or `current` (kept). */
  readonly mode: 'requested-ips' | 'requested-pool' | 'automatic' | 'current' | 'none';
  /** Every configured pool, in automatic-choice order, then the others by name. */
  readonly pools: readonly PoolExplanation[];
  /** Request-level problems (for example a requested IP outside every pool). */
  readonly notes: readonly PoolReason[];
}

// ---------------------------------------------------------------------------------------------------------
// Config changes and plans.
// ---------------------------------------------------------------------------------------------------------

/**
 * What to do when a new configuration no longer admits a service's addresses.
 * - `reallocate` (MetalLB's behaviour): the service's addresses are released and it is given new ones
 *   (or becomes pending); the change report lists it.
 * - `reject`: the configuration change is refused with a {@link ConfigConflictError} listing the services
 *   that would lose their addresses; nothing changes (the "block removal of in-use pools" policy).
 */
export type ConfigChangePolicy = 'reallocate' | 'reject';

/** How one service is affected by a configuration change. */
export interface ServiceChange {
  readonly key: string;
  /**
   * - `changed`: it had addresses and gets different ones.
   * - `pending`: it had addresses and gets none.
   * - `satisfied`: it was pending and now gets addresses.
   * - `rehomed`: same addresses, now counted under another pool.
   */
  readonly kind: 'changed' | 'pending' | 'satisfied' | 'rehomed';
  readonly before?: Assignment;
  readonly after?: Assignment;
  /** Why the old assignment stopped being valid (for `changed` and `pending`). */
  readonly cause?: InvalidationCause;
  /** Why no new address could be given (for `pending`). */
  readonly failure?: FailureReason;
}

/** Why an existing assignment is no longer valid. */
export type InvalidationCause =
  | 'pool-removed'
  | 'ip-left-pool'
  | 'ips-split-across-pools'
  | 'buggy-ip'
  | 'pool-not-allowed'
  | 'sharing-conflict'
  | 'family-mismatch'
  | 'requested-pool-changed'
  | 'requested-ips-changed';

/** The outcome of {@link Allocator.setConfig} and {@link Allocator.plan}. */
export interface ConfigChangeReport {
  /** Every service whose addresses or pool change, in key order. */
  readonly changes: readonly ServiceChange[];
  /** Services that keep their addresses and pool. */
  readonly unchanged: number;
}

// ---------------------------------------------------------------------------------------------------------
// Counts.
// ---------------------------------------------------------------------------------------------------------

/** Exact address counts of one family of one pool. */
export interface FamilyCounts {
  /** Addresses the pool can hand out (minus .0/.255 under `avoidBuggyIPs`). */
  readonly capacity: bigint;
  /** Distinct addresses in use (a shared address counts once). */
  readonly assigned: bigint;
  /** Released addresses still in their reuse cooldown. */
  readonly quarantined: bigint;
  /** `capacity - assigned - quarantined`. */
  readonly available: bigint;
}

/** Exact counts of one pool, and the same figures saturated to safe JavaScript numbers for metrics. */
export interface PoolCounts {
  readonly pool: string;
  readonly ipv4: FamilyCounts;
  readonly ipv6: FamilyCounts;
  /** Services holding at least one address of the pool. */
  readonly services: number;
  /** The figures above as numbers, saturated at `Number.MAX_SAFE_INTEGER`. */
  readonly saturated: {
    readonly ipv4: SaturatedFamilyCounts;
    readonly ipv6: SaturatedFamilyCounts;
  };
}

/** {@link FamilyCounts} as numbers, saturated at `Number.MAX_SAFE_INTEGER`. */
export interface SaturatedFamilyCounts {
  readonly capacity: number;
  readonly assigned: number;
  readonly quarantined: number;
  readonly available: number;
}

/** Who holds one address. */
export interface AddressOwners {
  readonly ip: string;
  readonly pool: string;
  /** Service keys, sorted. */
  readonly services: readonly string[];
  /** The sharing key the holders use ('' when the sole holder has none). */
  readonly sharingKey: string;
}

// ---------------------------------------------------------------------------------------------------------
// The allocator.
// ---------------------------------------------------------------------------------------------------------

/** Options of calls that may need the time. */
export interface TimeOptions {
  /**
   * The current time in milliseconds on the allocator clock's scale. Overrides the injected clock; needed
   * when `reuseCooldownMs` > 0 and no clock was injected.
   */
  readonly now?: number;
}

/** Options of {@link Allocator.setConfig}. */
export interface SetConfigOptions extends TimeOptions {
  /** Overrides the allocator's `configChangePolicy` for this call. */
  readonly policy?: ConfigChangePolicy;
}

/** The pool allocator. Every method is synchronous and pure over the allocator's own state. */
export interface Allocator {
  /**
   * Converges one service (metallb.md §3.1): re-validates what it holds (idempotent when still valid),
   * honours requested IPs and pool, or picks a pool and address automatically. The request is remembered:
   * a service that gets nothing stays pending and is retried by {@link Allocator.setConfig}. Throws an
   * {@link IpamRequestError} for a malformed request, leaving the state unchanged.
   */
  allocate(request: ServiceRequest, options?: TimeOptions): AllocateResult;
  /**
   * Forgets a service and frees its addresses (shared ones only when it was the last holder). With a reuse
   * cooldown, freed addresses are quarantined for everyone but this service key. Returns what it held.
   */
  release(key: string, options?: TimeOptions): Assignment | undefined;
  /**
   * Rebuilds state after a restart from what services held (their `status.loadBalancer.ingress`): first every
   * service keeps its addresses where the configuration allows, so no service can take another's address;
   * then services left without addresses are allocated, in key order. Results are in the input order.
   * Malformed entries throw before anything changes.
   */
  restore(entries: readonly RestoreEntry[], options?: TimeOptions): AllocateResult[];
  /**
   * Replaces the configuration. Under `reallocate`, services whose addresses are no longer admitted are
   * re-homed (same addresses, another pool) or given new addresses, and pending services are retried; under
   * `reject`, a change that would take any service's addresses throws {@link ConfigConflictError}. Invalid
   * configuration throws {@link IpamConfigError} or {@link PoolOverlapError}; either way state is unchanged.
   */
  setConfig(config: IpamConfig, options?: SetConfigOptions): ConfigChangeReport;
  /** {@link Allocator.setConfig} as a dry run under the `reallocate` policy: what would change. */
  plan(config: IpamConfig, options?: TimeOptions): ConfigChangeReport;
  /** The decision {@link Allocator.allocate} would take now, with every pool's evaluation. Changes nothing. */
  explain(request: ServiceRequest, options?: TimeOptions): Explanation;
  /** What a service holds, if anything. */
  lookup(key: string): Assignment | undefined;
  /** Who holds an address, if anyone. */
  owners(ip: string): AddressOwners | undefined;
  /** Every current assignment, in key order. */
  assignments(): Assignment[];
  /** Keys of services that asked and got nothing, in key order. */
  pending(): string[];
  /** Exact counts per pool, in pool-name order. */
  counts(): PoolCounts[];
  /** The configuration in force. */
  readonly config: IpamConfig;
}

/** Plain configuration of {@link createAllocator}. */
export interface AllocatorInit {
  /**
   * The pools to start with.
   * @default { pools: [] } — every request fails with `no-pools` until {@link Allocator.setConfig}.
   */
  readonly config?: IpamConfig;
  /**
   * How long a released address stays reserved for the service that held it before anyone else may get it,
   * in milliseconds. Longer protects clients with cached DNS/ARP entries and gives recreated services their
   * old address back; it also keeps addresses out of use for that long.
   * @default 0 — MetalLB's behaviour: a freed address is the next one handed out.
   */
  readonly reuseCooldownMs?: number;
  /**
   * What {@link Allocator.setConfig} does when a new configuration evicts services.
   * @default 'reallocate' — MetalLB's controller behaviour.
   */
  readonly configChangePolicy?: ConfigChangePolicy;
}

/** Injected capabilities of {@link createAllocator}. */
export interface AllocatorComponents {
  /** Time source for the reuse cooldown; calls may pass `now` instead. */
  readonly clock?: { now(): number };
}
