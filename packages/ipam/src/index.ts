/**
 * A pure IP pool allocator for bare-metal load balancers: MetalLB's pool, sharing and dual-stack semantics,
 * bigint-exact at IPv6 scale with O(log n) allocation, plus `explain`, `plan`, exact counts and an optional
 * reuse cooldown. No I/O, no Kubernetes import: everything here can be unit-tested in isolation.
 *
 * @example
 * ```ts
 * import { createAllocator } from '@lbkit/ipam';
 *
 * const ipam = createAllocator({
 *   config: {
 *     pools: [
 *       { name: 'public', addresses: ['192.0.2.0/28', '2001:db8::/120'] },
 *       { name: 'team-a', addresses: ['198.51.100.10-198.51.100.20'], serviceAllocation: { namespaces: ['team-a'] } },
 *     ],
 *   },
 * });
 * const r = ipam.allocate({ key: 'team-a/web', namespace: 'team-a', families: [4] });
 * console.log(r.ok && r.assignment); // { key: 'team-a/web', pool: 'team-a', ips: ['198.51.100.10'] }
 * console.log(ipam.explain({ key: 'team-b/db', namespace: 'team-b', families: [4] }).pools);
 * ```
 *
 * @packageDocumentation
 */
export { createAllocator } from './alloc/allocator.js';
export { saturate } from './alloc/counts.js';
export { validateConfig } from './config/compile-config.js';
export {
  matchesLabelSelector,
  checkLabelSelector,
  isLabelKey,
  isLabelValue,
  type SelectorProblem,
} from './config/label-selector.js';
export { IpamConfigError, PoolOverlapError, IpamRequestError, ConfigConflictError } from './errors.js';
export { DEFAULT_REUSE_COOLDOWN_MS, DEFAULT_PRIORITY, SATURATION_LIMIT } from './constants.js';
export type {
  AddressOwners,
  AllocateAction,
  AllocateResult,
  Allocator,
  AllocatorComponents,
  AllocatorInit,
  Assignment,
  ConfigChangePolicy,
  ConfigChangeReport,
  Explanation,
  ExternalTrafficPolicy,
  FailureReason,
  FamilyCounts,
  InvalidationCause,
  IpamConfig,
  IpFamilyPolicy,
  LabelSelector,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  PoolConfig,
  PoolCounts,
  PoolExplanation,
  PoolReason,
  PoolReasonCode,
  PortProtocol,
  RestoreEntry,
  SaturatedFamilyCounts,
  ServiceAllocation,
  ServiceChange,
  ServicePort,
  ServiceRequest,
  SetConfigOptions,
  TimeOptions,
} from './types.js';
