/**
 * The texts of MetalLB's Service events, so `kubectl describe service` reads the same after a switch.
 * Quoting follows Go's `%q`: a string in double quotes, a list as `["a" "b"]`.
 */
import { EVENT_REASONS } from '../constants.js';

/** Go's `%q` of a string (ASCII subset, which covers IPs, names and keys). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%q` of a string list. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

/** An event: its type, reason and message. */
export interface ServiceEventText {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Normal `IPAllocated`: addresses given to a Service. */
export function ipAllocatedEvent(ips: readonly string[]): ServiceEventText {
  return { type: 'Normal', reason: EVENT_REASONS.ipAllocated, message: `Assigned IP ${goQuoteList(ips)}` };
}

/** Normal `IPAllocated`: PreferDualStack's second family added. */
export function additionalIpAllocatedEvent(ip: string): ServiceEventText {
  return { type: 'Normal', reason: EVENT_REASONS.ipAllocated, message: `Assigned additional IP ${goQuote(ip)}` };
}

/** Normal `AdditionalAssignFailed`: PreferDualStack could not add the second family. */
export function additionalAssignFailedEvent(error: string): ServiceEventText {
  return {
    type: 'Normal',
    reason: EVENT_REASONS.additionalAssignFailed,
    message: `cannot assign additional IP in PreferDualStack: ${error}`,
  };
}

/** Normal `ClearAssignment`: the configuration no longer allows the Service's addresses. */
export function clearAssignmentEvent(key: string, error: string): ServiceEventText {
  return {
    type: 'Normal',
    reason: EVENT_REASONS.clearAssignment,
    message: `current IP for ${goQuote(key)} not allowed by config, will attempt for new IP assignment: ${error}`,
  };
}

/** Warning `AllocationFailed`. */
export function allocationFailedEvent(key: string, error: string): ServiceEventText {
  return {
    type: 'Warning',
    reason: EVENT_REASONS.allocationFailed,
    message: `Failed to allocate IP for ${goQuote(key)}: ${error}`,
  };
}

/** Warning `LoadBalancerFailed`: the requested IPs cannot be read. */
export function loadBalancerFailedEvent(error: string): ServiceEventText {
  return {
    type: 'Warning',
    reason: EVENT_REASONS.loadBalancerFailed,
    message: `invalid requested loadbalancer IPs: ${error}`,
  };
}

/** Warning `not enough clusterips`: RequireDualStack with one ClusterIP. */
export function notEnoughClusterIpsEvent(clusterIps: readonly string[]): ServiceEventText {
  return {
    type: 'Warning',
    reason: EVENT_REASONS.notEnoughClusterIps,
    message: `Service requires dual stack but not enough clusterips [${clusterIps.join(' ')}]`,
  };
}

/** Warning `deprecatedAnnotation`, one per deprecated key. */
export function deprecatedAnnotationEvent(key: string): ServiceEventText {
  return {
    type: 'Warning',
    reason: EVENT_REASONS.deprecatedAnnotation,
    message: `Service uses deprecated annotation ${key}`,
  };
}

/** Normal `nodeAssigned` (speaker): this node announces the Service. */
export function nodeAssignedEvent(node: string, protocol: 'layer2' | 'bgp'): ServiceEventText {
  return {
    type: 'Normal',
    reason: EVENT_REASONS.nodeAssigned,
    message: `announcing from node ${goQuote(node)} with protocol ${goQuote(protocol)}`,
  };
}

/** Warning `announceFailed` (speaker): none of the selected interfaces exists on the winning node. */
export function announceFailedEvent(ip: string, node: string): ServiceEventText {
  return {
    type: 'Warning',
    reason: EVENT_REASONS.announceFailed,
    message: `the interfaces specified by LB IP ${goQuote(ip)} doesn't exist in assigned node ${goQuote(node)} with protocol "layer2"`,
  };
}
