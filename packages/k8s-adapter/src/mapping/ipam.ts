/**
 * The typed configuration and Service view → @lbkit/ipam's configuration, requests and restore entries.
 * Pure.
 */
import { formatIp, formatPrefix } from '@lbkit/core';
import type {
  IpamConfig,
  LabelSelector as IpamLabelSelector,
  PoolConfig as IpamPoolConfig,
  PortProtocol,
  RestoreEntry,
  ServiceAllocation as IpamServiceAllocation,
  ServiceRequest as IpamServiceRequest,
} from '@lbkit/ipam';
import type { Namespace } from '../api/core.js';
import type { LabelSelector } from '../api/meta.js';
import type { LbConfig, PoolConfig } from '../config/types.js';
import type { ServiceAllocationRequest } from './service.js';

function selector(s: LabelSelector): IpamLabelSelector {
  return {
    ...(s.matchLabels === undefined ? {} : { matchLabels: { ...s.matchLabels } }),
    ...(s.matchExpressions === undefined
      ? {}
      : {
          matchExpressions: s.matchExpressions.map((e) => ({
            key: e.key,
            operator: e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist',
            ...(e.values === undefined ? {} : { values: [...e.values] }),
          })),
        }),
  };
}

/** One validated pool as an ipam pool. CIDRs with host bits set are passed masked (MetalLB masks them). */
export function toIpamPool(pool: PoolConfig): IpamPoolConfig {
  const addresses = pool.ranges.map((r) => {
    if (r.text.includes('/')) return formatPrefix(r.prefixes[0]!);
    return `${formatIp({ family: r.family, value: r.first })}-${formatIp({ family: r.family, value: r.last })}`;
  });
  let serviceAllocation: IpamServiceAllocation | undefined;
  const sa = pool.serviceAllocation?.spec;
  if (sa !== undefined) {
    serviceAllocation = {
      ...(sa.priority === undefined ? {} : { priority: sa.priority }),
      ...(sa.namespaces === undefined ? {} : { namespaces: [...new Set(sa.namespaces)] }),
      ...(sa.namespaceSelectors === undefined ? {} : { namespaceSelectors: sa.namespaceSelectors.map(selector) }),
      ...(sa.serviceSelectors === undefined ? {} : { serviceSelectors: sa.serviceSelectors.map(selector) }),
    };
  }
  return {
    name: pool.name,
    addresses,
    autoAssign: pool.autoAssign,
    avoidBuggyIPs: pool.avoidBuggyIPs,
    ...(serviceAllocation === undefined ? {} : { serviceAllocation }),
  };
}

/** The whole pool set as an ipam configuration (pools in name order). */
export function toIpamConfig(config: LbConfig): IpamConfig {
  return { pools: [...config.pools.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(toIpamPool) };
}

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/** A Service's allocation view as an ipam request; `namespaces` supply the namespace's labels. */
export function toIpamRequest(
  req: ServiceAllocationRequest,
  namespaces: readonly Namespace[] = [],
): IpamServiceRequest {
  const ns = namespaces.find((n) => n.metadata?.name === req.namespace);
  return {
    key: req.key,
    namespace: req.namespace,
    namespaceLabels: { ...(ns?.metadata?.labels ?? {}) },
    labels: req.labels,
    families: req.ipFamilyPolicy === 'SingleStack' ? req.clusterIpFamilies.slice(0, 1) : req.clusterIpFamilies,
    ipFamilyPolicy: req.ipFamilyPolicy,
    ...(req.requestedIps.length === 0 ? {} : { requestedIPs: req.requestedIps }),
    ...(req.pool === undefined ? {} : { requestedPool: req.pool }),
    ...(req.sharingKey === '' ? {} : { sharingKey: req.sharingKey }),
    ports: req.ports
      .filter((p) => PROTOCOLS.has(p.protocol))
      .map((p) => ({ protocol: p.protocol as PortProtocol, port: p.port })),
    externalTrafficPolicy: req.externalTrafficPolicy,
    selector: req.selector,
  };
}

/** What a Service held before a restart, for `Allocator.restore`. */
export function toRestoreEntry(req: ServiceAllocationRequest, namespaces: readonly Namespace[] = []): RestoreEntry {
  return { request: toIpamRequest(req, namespaces), ips: req.currentIps };
}

/** An ipam pool's counts as IPAddressPool status (saturated numbers, as MetalLB reports huge IPv6 pools). */
export function poolStatusFromCounts(counts: {
  readonly saturated: {
    readonly ipv4: { assigned: number; available: number };
    readonly ipv6: { assigned: number; available: number };
  };
}): { assignedIPv4: number; assignedIPv6: number; availableIPv4: number; availableIPv6: number } {
  return {
    assignedIPv4: counts.saturated.ipv4.assigned,
    assignedIPv6: counts.saturated.ipv6.assigned,
    availableIPv4: counts.saturated.ipv4.available,
    availableIPv6: counts.saturated.ipv6.available,
  };
}
