/**
 * What the controller writes on a Service (reference: metallb.md §2, §3.1 step 10): the ingress IPs in
 * `status.loadBalancer.ingress` and the `metallb.io/ip-allocated-from-pool` annotation, in one merge patch
 * of the status subresource, guarded by the resource version. Pure.
 */
import { canonicalIp } from '@lbkit/core';
import type { LoadBalancerIngress, Service } from '../api/core.js';
import { IP_ALLOCATED_FROM_POOL } from '../constants.js';

/** The allocation a Service should show; `undefined` ips/pool clear it. */
export interface DesiredServiceStatus {
  /** IPs, canonical text, in family order; empty clears the status. */
  readonly ips: readonly string[];
  /** Pool name for the annotation; absent when `ips` is empty. */
  readonly pool?: string;
  /** `ipMode` to write with each entry (servers before 1.29 drop it). */
  readonly ipMode?: 'VIP' | 'Proxy';
}

function currentIps(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => {
    try {
      return canonicalIp(i.ip ?? '');
    } catch {
      return i.ip ?? '';
    }
  });
}

/** True when the Service already shows the desired state (so no write is needed). */
export function statusMatches(svc: Service, desired: DesiredServiceStatus): boolean {
  const ips = currentIps(svc);
  const hostnames = (svc.status?.loadBalancer?.ingress ?? []).some(
    (i) => i.hostname !== undefined && i.hostname !== '',
  );
  if (hostnames || ips.length !== desired.ips.length || ips.some((ip, i) => ip !== desired.ips[i])) return false;
  const annotation = svc.metadata?.annotations?.[IP_ALLOCATED_FROM_POOL];
  return desired.ips.length === 0 ? annotation === undefined : annotation === desired.pool;
}

/**
 * The merge patch that moves a Service to the desired state. It carries the resource version it was
 * computed from, so a concurrent change makes the server answer 409 instead of losing either write.
 */
export function serviceStatusPatch(svc: Service, desired: DesiredServiceStatus): Record<string, unknown> {
  const ingress: LoadBalancerIngress[] = desired.ips.map((ip) =>
    desired.ipMode === undefined ? { ip } : { ip, ipMode: desired.ipMode },
  );
  const annotations = {
    [IP_ALLOCATED_FROM_POOL]: desired.ips.length === 0 || desired.pool === undefined ? null : desired.pool,
  };
  return {
    metadata: {
      ...(svc.metadata?.resourceVersion === undefined ? {} : { resourceVersion: svc.metadata.resourceVersion }),
      annotations,
    },
    // An empty loadBalancer object, as Kubernetes shows a Service without ingress.
    status: { loadBalancer: desired.ips.length === 0 ? { ingress: null } : { ingress } },
  };
}
