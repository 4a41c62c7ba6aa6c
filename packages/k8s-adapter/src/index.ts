/**
 * MetalLB's Kubernetes API for lbkit, unchanged for the user: the `metallb.io` types and our CRDs, the
 * configuration as a pure function (every parse and admission rule, last good configuration kept,
 * ConfigurationState), Service/EndpointSlice/Node mapping onto @lbkit/ipam's inputs, resilient watches
 * through `@kubernetes/client-node` informers, and the writes back: Service status and annotation,
 * events, ServiceL2Status/ServiceBGPStatus, pool counts, and a Lease-based leader election.
 *
 * @example
 * ```ts
 * import { parseConfig } from '@lbkit/k8s-adapter';
 *
 * const result = parseConfig(
 *   {
 *     ipAddressPools: [
 *       { metadata: { name: 'public', namespace: 'metallb-system' }, spec: { addresses: ['192.0.2.0/24', '192.0.2.128/25'] } },
 *     ],
 *   },
 *   { namespace: 'metallb-system' },
 * );
 * if (!result.ok) console.log(result.errors.map((e) => e.message));
 * // [ 'IPAddressPool public: spec.addresses[1] "192.0.2.128/25": overlaps "192.0.2.0/24" of the same pool' ]
 * ```
 *
 * @packageDocumentation
 */
export type {
  ObjectMeta,
  OwnerReference,
  LabelSelector,
  LabelSelectorRequirement,
  Condition,
  KubeObject,
  SecretReference,
} from './api/meta.js';
export {
  METALLB_GROUP,
  METALLB_KINDS,
  type MetalLBKind,
  type MetalLBKindInfo,
  type IPAddressPool,
  type IPAddressPoolSpec,
  type IPAddressPoolStatus,
  type ServiceAllocation,
  type L2Advertisement,
  type L2AdvertisementSpec,
  type PreferredNodeSelector,
  type BGPAdvertisement,
  type BGPAdvertisementSpec,
  type BGPPeer,
  type BGPPeerSpec,
  type BGPPeerV1beta1,
  type BGPPeerV1beta1Spec,
  type BGPPeerV1beta1NodeSelector,
  type BFDProfile,
  type BFDProfileSpec,
  type Community,
  type CommunityAlias,
  type ServiceL2Status,
  type MetalLBServiceL2StatusStatus,
  type InterfaceInfo,
  type ServiceBGPStatus,
  type MetalLBServiceBGPStatusStatus,
  type ConfigurationState,
  type ConfigurationStateStatus,
  type ConfigurationResult,
} from './api/metallb.js';
export type {
  Service,
  ServiceSpec,
  ServicePort,
  LoadBalancerIngress,
  EndpointSlice,
  Endpoint,
  Node,
  NodeCondition,
  Namespace,
  Secret,
  Pod,
  Lease,
  LeaseSpec,
  CoreEvent,
} from './api/core.js';
export { convertBGPPeerToV1beta2, convertBGPPeerToV1beta1, isBGPPeerV1beta1 } from './api/convert.js';
export {
  ANNOTATION_PREFIX,
  DEPRECATED_ANNOTATION_PREFIX,
  SERVICE_ANNOTATIONS,
  IP_ALLOCATED_FROM_POOL,
  EXCLUDE_FROM_LB_LABEL,
  STATUS_LABELS,
  EVENT_REASONS,
  EVENT_COMPONENTS,
} from './constants.js';
export { metallbCrds, crdFileName, type CustomResourceDefinition, type CrdVersion } from './crds/manifests.js';
export { renderCrdFiles, renderAllCrds } from './crds/render.js';
export type { JSONSchemaProps } from './crds/schema.js';
export { structuralViolations, crdViolations, valueViolations, defaultAndPrune } from './crds/structural.js';
export { parseConfig, BFD_DEFAULTS, type ConfigInput, type ParseOptions } from './config/parse-config.js';
export type {
  LbConfig,
  PoolConfig,
  PoolAddressRange,
  PoolServiceAllocation,
  L2AdvertisementConfig,
  NodePreference,
  BgpAdvertisementConfig,
  PeerConfig,
  BfdProfileConfig,
  BgpMode,
  ParseResult,
} from './config/types.js';
export { IssueList, makeIssue, type ConfigIssue, type IssueSubject } from './config/issue.js';
export { parseSelector, parseSelectorList, anyMatches, MATCH_ALL, type Selector } from './config/selector.js';
export { parseCommunity, formatCommunity, type CommunityValue, type CommunityParse } from './config/community.js';
export { parseGoDuration, formatGoDuration } from './config/duration.js';
export { DEFAULT_AGGREGATION_LENGTH, DEFAULT_AGGREGATION_LENGTH_V6 } from './config/parse-advertisements.js';
export {
  DEFAULT_BGP_PORT,
  DEFAULT_HOLD_TIME_S,
  DISABLE_MP_WARNING,
  BASIC_AUTH_SECRET_TYPE,
} from './config/parse-peers.js';
export { parseAddressEntry } from './config/parse-pools.js';
export {
  ConfigTracker,
  configKey,
  CONDITION_TYPES,
  CONDITION_REASONS,
  type ConfigState,
  type ConfigStateReason,
  type ConfigTrackerInit,
  type ComponentType,
} from './config/tracker.js';
export {
  admit,
  ADMISSION_KINDS,
  type AdmissionKind,
  type AdmissionRequest,
  type AdmissionResponse,
} from './config/admission.js';
export {
  mapService,
  readAnnotation,
  canonicalSelector,
  type ServiceAllocationRequest,
  type ServiceMapping,
  type ServiceMappingOptions,
  type ServiceIgnoreReason,
  type ServiceProblem,
  type ServicePortKey,
} from './mapping/service.js';
export { mapEndpoints, canServe, type EndpointInfo, type ServiceEndpoints } from './mapping/endpoints.js';
export { mapNode, canAnnounce, type NodeInfo } from './mapping/nodes.js';
export { memberSeeds } from './mapping/seeds.js';
export {
  l2Intents,
  l2Interfaces,
  bgpIntents,
  poolOfAddress,
  nodeSkipReason,
  type NodeSkipReason,
  type L2Intent,
  type BgpIntents,
  type BgpPrefixIntent,
  type IntentOptions,
  type AnnounceSkipReason,
} from './mapping/announce.js';
export { toIpamConfig, toIpamPool, toIpamRequest, toRestoreEntry, poolStatusFromCounts } from './mapping/ipam.js';
export {
  goQuote,
  goQuoteList,
  ipAllocatedEvent,
  additionalIpAllocatedEvent,
  additionalAssignFailedEvent,
  clearAssignmentEvent,
  allocationFailedEvent,
  loadBalancerFailedEvent,
  notEnoughClusterIpsEvent,
  deprecatedAnnotationEvent,
  nodeAssignedEvent,
  announceFailedEvent,
  type ServiceEventText,
} from './writes/event-messages.js';
export { serviceStatusPatch, statusMatches, type DesiredServiceStatus } from './writes/service-status.js';
export {
  LeaseElector,
  formatMicroTime,
  type LeaseRecord,
  type LeaseStore,
  type LeaseElectorInit,
  type LeaseElectorComponents,
  type LeaseElectionEvent,
} from './election/lease-elector.js';
export {
  ResilientInformer,
  type InformerHandler,
  type ResilientInformerInit,
  type ResilientInformerComponents,
  type BackoffInit,
  type InformerStats,
} from './io/informer.js';
export {
  ClusterWatcher,
  CONFIG_KINDS,
  SERVICE_NAME_LABEL,
  type ClusterWatcherInit,
  type ClusterWatcherComponents,
  type WatchChange,
  type WatchedKind,
} from './io/cluster-watcher.js';
export {
  ServiceStatusWriter,
  type ServiceStatusWriterInit,
  type StatusWriteOutcome,
  type StatusWriteResult,
} from './io/service-status-writer.js';
export { EventRecorder, type EventRecorderInit } from './io/event-recorder.js';
export { ConfigLoop, type ConfigLoopInit, type ConfigLoopComponents } from './io/config-loop.js';
export { StatusObjectWriter, type StatusObjectWriterInit, type ServiceRef } from './io/status-objects.js';
export { createLeaseStore } from './io/lease-store.js';
export {
  ensureMemberlistSecret,
  memberlistKey,
  MEMBERLIST_SECRET_NAME,
  MEMBERLIST_SECRET_KEY,
} from './io/memberlist-secret.js';
export { MERGE_PATCH, httpStatus, isConflict, isNotFound, isRetryable } from './io/client.js';
