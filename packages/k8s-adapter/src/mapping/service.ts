/**
 * Service → what the allocator needs to know (reference: metallb.md §2): the family set, requested IPs,
 * pool, sharing and backend keys, ports, policies, and the IPs the Service holds now. Pure.
 */
import { canonicalIp, parseIp, type IpFamily } from '@lbkit/core';
import type { Service } from '../api/core.js';
import { ANNOTATION_PREFIX, DEPRECATED_ANNOTATION_PREFIX, EVENT_REASONS, SERVICE_ANNOTATIONS } from '../constants.js';

/** Why a Service is not handled at all. */
export type ServiceIgnoreReason = 'not-load-balancer' | 'load-balancer-class-mismatch';

/** A problem with a Service's own fields; `reason` is the MetalLB event reason to emit. */
export interface ServiceProblem {
  readonly reason: string;
  readonly message: string;
}

/** One (protocol, port) of a Service, for sharing conflicts. */
export interface ServicePortKey {
  readonly protocol: string;
  readonly port: number;
}

/** The allocation-relevant view of a LoadBalancer Service. */
export interface ServiceAllocationRequest {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Families of the ClusterIPs, in ClusterIP order (empty when there is none). */
  readonly clusterIpFamilies: readonly IpFamily[];
  readonly ipFamilyPolicy: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  /** PreferDualStack's preferred single family: IPv6 when `ipFamilies[0]` is IPv6, else IPv4. */
  readonly preferredFamily: IpFamily;
  /** Specific IPs asked for (annotation or `spec.loadBalancerIP`), canonical text. */
  readonly requestedIps: readonly string[];
  readonly requestedIpsFrom: 'annotation' | 'spec' | undefined;
  /** Pool named by the `address-pool` annotation. */
  readonly pool: string | undefined;
  /** Sharing key (`allow-shared-ip`); empty means no sharing. */
  readonly sharingKey: string;
  /** For `Local` policy the canonical selector (`a=b,c=d`), else empty: only equal keys share an IP. */
  readonly backendKey: string;
  /** `spec.selector`, for backends compared by other code. */
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortKey[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** IPs in `status.loadBalancer.ingress` now, canonical text. */
  readonly currentIps: readonly string[];
  /** Deprecated annotation keys in use (one `deprecatedAnnotation` warning each). */
  readonly deprecatedAnnotations: readonly string[];
  /** Problems that prevent allocation. */
  readonly problems: readonly ServiceProblem[];
}

/** Result of {@link mapService}: handled, or ignored with a reason. */
export type ServiceMapping =
  | { readonly handled: true; readonly request: ServiceAllocationRequest }
  | { readonly handled: false; readonly reason: ServiceIgnoreReason };

/** Options of {@link mapService}. */
export interface ServiceMappingOptions {
  /**
   * The load-balancer class served. Empty: only Services without a class; set: only that class.
   * @default '' — MetalLB's default (`--lb-class` unset).
   */
  loadBalancerClass?: string;
}

/** Reads a Service annotation with MetalLB's precedence; reports which deprecated key was consulted. */
export function readAnnotation(
  annotations: Readonly<Record<string, string>> | undefined,
  name: string,
): { value: string | undefined; deprecatedKey: string | undefined } {
  const a = annotations ?? {};
  const cur = `${ANNOTATION_PREFIX}${name}`;
  const old = `${DEPRECATED_ANNOTATION_PREFIX}${name}`;
  const deprecatedKey = old in a ? old : undefined;
  if (cur in a) return { value: a[cur], deprecatedKey };
  return { value: a[old], deprecatedKey };
}

/** Canonical `k=v,…` text of a selector map (sorted keys). */
export function canonicalSelector(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(selector ?? {})
    .sort()
    .map((k) => `${k}=${(selector ?? {})[k]}`)
    .join(',');
}

/** Maps a Service to its allocation request. */
export function mapService(svc: Service, options: ServiceMappingOptions = {}): ServiceMapping {
  const spec = svc.spec ?? {};
  if (spec.type !== 'LoadBalancer') return { handled: false, reason: 'not-load-balancer' };
  const wanted = options.loadBalancerClass ?? '';
  if ((spec.loadBalancerClass ?? '') !== wanted) return { handled: false, reason: 'load-balancer-class-mismatch' };
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const annotations = svc.metadata?.annotations;
  const problems: ServiceProblem[] = [];
  const deprecated = new Set<string>();
  const read = (n: string) => {
    const r = readAnnotation(annotations, n);
    if (r.deprecatedKey !== undefined) deprecated.add(r.deprecatedKey);
    return r.value;
  };
  // Every deprecated key counts, including ones lbkit does not read (MetalLB warns on all of them).
  for (const k of Object.keys(annotations ?? {})) if (k.startsWith(DEPRECATED_ANNOTATION_PREFIX)) deprecated.add(k);

  const clusterIps = (spec.clusterIPs ?? (spec.clusterIP !== undefined ? [spec.clusterIP] : [])).filter(
    (ip) => ip !== '' && ip !== 'None',
  );
  const clusterIpFamilies: IpFamily[] = [];
  for (const ip of clusterIps) {
    try {
      clusterIpFamilies.push(parseIp(ip).family);
    } catch {
      problems.push({
        reason: EVENT_REASONS.noClusterIpsIpFamily,
        message: `invalid cluster IP ${JSON.stringify(ip)}`,
      });
    }
  }
  if (clusterIps.length === 0)
    problems.push({ reason: EVENT_REASONS.noClusterIpsIpFamily, message: 'the service has no cluster IP' });
  const rawPolicy = spec.ipFamilyPolicy;
  const policy: ServiceAllocationRequest['ipFamilyPolicy'] =
    rawPolicy === 'PreferDualStack'
      ? 'PreferDualStack'
      : rawPolicy === 'RequireDualStack'
        ? 'RequireDualStack'
        : 'SingleStack';
  if (policy === 'RequireDualStack' && clusterIpFamilies.length < 2) {
    problems.push({ reason: EVENT_REASONS.notEnoughClusterIps, message: 'RequireDualStack needs two cluster IPs' });
  }
  const preferredFamily: IpFamily = spec.ipFamilies?.[0] === 'IPv6' ? 6 : 4;

  const annotated = read(SERVICE_ANNOTATIONS.loadBalancerIPs);
  const specIp = spec.loadBalancerIP ?? '';
  let requestedIps: string[] = [];
  let requestedIpsFrom: ServiceAllocationRequest['requestedIpsFrom'];
  if (annotated !== undefined && annotated.trim() !== '' && specIp !== '') {
    problems.push({
      reason: EVENT_REASONS.loadBalancerFailed,
      message: 'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    });
  } else if (annotated !== undefined && annotated.trim() !== '') {
    requestedIpsFrom = 'annotation';
    const texts = annotated.split(',').map((s) => s.trim());
    const parsed: { text: string; family: IpFamily }[] = [];
    for (const text of texts) {
      try {
        parsed.push({ text: canonicalIp(text), family: parseIp(text).family });
      } catch {
        problems.push({
          reason: EVENT_REASONS.loadBalancerFailed,
          message: `invalid IP ${JSON.stringify(text)} in the loadBalancerIPs annotation`,
        });
      }
    }
    if (parsed.length === texts.length) {
      if (parsed.length > 2 || (parsed.length === 2 && parsed[0]!.family === parsed[1]!.family)) {
        problems.push({
          reason: EVENT_REASONS.loadBalancerFailed,
          message: 'the loadBalancerIPs annotation takes one IP, or two IPs of different families',
        });
      } else requestedIps = parsed.map((p) => p.text);
    }
  } else if (specIp !== '') {
    requestedIpsFrom = 'spec';
    try {
      requestedIps = [canonicalIp(specIp)];
    } catch {
      problems.push({
        reason: EVENT_REASONS.loadBalancerFailed,
        message: `invalid spec.loadBalancerIP ${JSON.stringify(specIp)}`,
      });
    }
  }
  if (requestedIps.length > 0 && clusterIpFamilies.length > 0) {
    const want = [...new Set(clusterIpFamilies)].sort().join(',');
    const got = requestedIps
      .map((ip) => parseIp(ip).family)
      .sort()
      .join(',');
    const dualOk = policy === 'PreferDualStack' && clusterIpFamilies.length === 2 && requestedIps.length === 1;
    if (want !== got && !dualOk) {
      problems.push({
        reason: EVENT_REASONS.noLbIpsIpFamily,
        message: `requested IPs ${requestedIps.join(',')} do not match the service's IP families (IPv${want.replace(',', ' and IPv')})`,
      });
    }
  }
  const shareRaw = readAnnotation(annotations, SERVICE_ANNOTATIONS.allowSharedIp).value;
  const etp = spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster';
  const currentIps: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip === undefined || ing.ip === '') continue;
    try {
      currentIps.push(canonicalIp(ing.ip));
    } catch {
      // An unparsable ingress IP is nothing we allocated; it is replaced on the next write.
    }
  }
  const poolName = read(SERVICE_ANNOTATIONS.addressPool);
  return {
    handled: true,
    request: {
      namespace,
      name,
      key: `${namespace}/${name}`,
      labels: { ...(svc.metadata?.labels ?? {}) },
      clusterIpFamilies,
      ipFamilyPolicy: policy,
      preferredFamily,
      requestedIps,
      requestedIpsFrom,
      pool: poolName === undefined || poolName === '' ? undefined : poolName,
      sharingKey: shareRaw ?? '',
      backendKey: etp === 'Local' ? canonicalSelector(spec.selector) : '',
      selector: { ...(spec.selector ?? {}) },
      ports: (spec.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port })),
      externalTrafficPolicy: etp,
      currentIps,
      deprecatedAnnotations: [...deprecated].sort(),
      problems,
    },
  };
}
