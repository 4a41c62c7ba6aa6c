/** Annotation, label and reason names of MetalLB's API (reference: metallb.md §1, §2). */

/** Current annotation prefix. */
export const ANNOTATION_PREFIX = 'metallb.io/';
/** Older prefix, still read for the same four names; the current prefix wins when both are present. */
export const DEPRECATED_ANNOTATION_PREFIX = 'metallb.universe.tf/';

/** Service annotations read (without prefix). */
export const SERVICE_ANNOTATIONS = {
  loadBalancerIPs: 'loadBalancerIPs',
  addressPool: 'address-pool',
  allowSharedIp: 'allow-shared-ip',
  /** Written by the controller; never read. */
  ipAllocatedFromPool: 'ip-allocated-from-pool',
} as const;

/** Full name of the output annotation. */
export const IP_ALLOCATED_FROM_POOL = `${ANNOTATION_PREFIX}${SERVICE_ANNOTATIONS.ipAllocatedFromPool}`;

/** Node label that keeps a node from announcing (presence, any value). */
export const EXCLUDE_FROM_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Labels of ServiceL2Status / ServiceBGPStatus / ConfigurationState objects. */
export const STATUS_LABELS = {
  node: 'metallb.io/node',
  serviceName: 'metallb.io/service-name',
  serviceNamespace: 'metallb.io/service-namespace',
  componentType: 'metallb.io/component-type',
  nodeName: 'metallb.io/node-name',
} as const;

/** Event reasons MetalLB writes on Services, so dashboards and alerts keep working. */
export const EVENT_REASONS = {
  ipAllocated: 'IPAllocated',
  clearAssignment: 'ClearAssignment',
  additionalAssignFailed: 'AdditionalAssignFailed',
  allocationFailed: 'AllocationFailed',
  loadBalancerFailed: 'LoadBalancerFailed',
  internalError: 'InternalError',
  notEnoughClusterIps: 'not enough clusterips',
  noLbIpsIpFamily: 'nolbIPsIPFamily',
  noClusterIpsIpFamily: 'noclusterIPsIPFamily',
  deprecatedAnnotation: 'deprecatedAnnotation',
  nodeAssigned: 'nodeAssigned',
  announceFailed: 'announceFailed',
} as const;

/** Event source components. */
export const EVENT_COMPONENTS = { controller: 'metallb-controller', speaker: 'metallb-speaker' } as const;
