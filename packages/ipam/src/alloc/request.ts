import { ParseError, parseIp, type IpAddress, type IpFamily } from '@lbkit/core';
import { IpamRequestError } from '../errors.js';
import type { ExternalTrafficPolicy, IpFamilyPolicy, ServiceRequest } from '../types.js';

const POLICIES: ReadonlySet<string> = new Set(['SingleStack', 'PreferDualStack', 'RequireDualStack']);
const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);
const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
// Shared empty lists: a service record lives as long as the service, so its small arrays matter.
const NONE: readonly IpAddress[] = Object.freeze([]);
const NO_PORTS: readonly string[] = Object.freeze([]);

/** A validated request with derived keys. */
export interface NormalizedRequest {
  readonly key: string;
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly families: readonly IpFamily[];
  readonly policy: IpFamilyPolicy;
  /** Two families and a dual-stack policy: one address of each family is wanted. */
  readonly wantDual: boolean;
  readonly requested: readonly IpAddress[];
  readonly requestedPool: string | undefined;
  readonly sharingKey: string;
  /** `PROTOCOL/port` strings. */
  readonly ports: readonly string[];
  readonly trafficPolicy: ExternalTrafficPolicy;
  /** Canonical selector for Local services, '' for Cluster (metallb.md §3.4 rule 2). */
  readonly backendKey: string;
}

/** Validates a request; throws {@link IpamRequestError} naming the service, the field and the value. */
export function normalizeRequest(req: ServiceRequest): NormalizedRequest {
  if (typeof req !== 'object' || req === null) throw new IpamRequestError('', 'request', 'a request object', req);
  const key = req.key;
  if (typeof key !== 'string' || key.length === 0) throw new IpamRequestError('', 'key', 'a non-empty string', key);
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new IpamRequestError(key, field, expected, value);
  };
  if (typeof req.namespace !== 'string') fail('namespace', 'a string', req.namespace);
  const namespaceLabels = checkLabels(key, 'namespaceLabels', req.namespaceLabels);
  const labels = checkLabels(key, 'labels', req.labels);
  if (!Array.isArray(req.families)) fail('families', 'an array of 4 and/or 6', req.families);
  const families = req.families;
  if (
    families.length > 2 ||
    families.some((f) => f !== 4 && f !== 6) ||
    (families.length === 2 && families[0] === families[1])
  ) {
    fail('families', 'at most one of each of 4 and 6', families);
  }
  const policy = req.ipFamilyPolicy ?? 'SingleStack';
  if (!POLICIES.has(policy)) fail('ipFamilyPolicy', 'SingleStack, PreferDualStack or RequireDualStack', policy);
  if (policy === 'SingleStack' && families.length > 1) fail('families', 'one family for SingleStack', families);
  const requested: IpAddress[] = [];
  if (req.requestedIPs !== undefined) {
    if (!Array.isArray(req.requestedIPs)) fail('requestedIPs', 'an array of addresses', req.requestedIPs);
    const list = req.requestedIPs;
    if (list.length > 2) fail('requestedIPs', 'one address, or two of different families', list);
    for (let i = 0; i < list.length; i++) {
      const text = list[i];
      try {
        requested.push(parseIp(typeof text === 'string' ? text.trim() : (text as string)));
      } catch (err) {
        fail(`requestedIPs[${i}]`, err instanceof ParseError ? 'a valid IP address' : 'a string', text);
      }
    }
    if (requested.length === 2 && requested[0]?.family === requested[1]?.family) {
      fail('requestedIPs', 'two addresses of different families', list);
    }
    if (requested.length > 0 && families.length > 0) {
      const want = [...families].sort().join(',');
      const got = requested
        .map((a) => a.family)
        .sort()
        .join(',');
      if (want !== got)
        fail('requestedIPs', `addresses of the service's families (IPv${families.join(' + IPv')})`, list);
    }
  }
  if (req.requestedPool !== undefined && (typeof req.requestedPool !== 'string' || req.requestedPool === '')) {
    fail('requestedPool', 'a non-empty pool name', req.requestedPool);
  }
  const sharingKey = req.sharingKey ?? '';
  if (typeof sharingKey !== 'string') fail('sharingKey', 'a string', sharingKey);
  const ports: string[] = [];
  if (req.ports !== undefined) {
    if (!Array.isArray(req.ports)) fail('ports', 'an array of { protocol, port }', req.ports);
    for (let i = 0; i < req.ports.length; i++) {
      const p = req.ports[i];
      if (typeof p !== 'object' || p === null) fail(`ports[${i}]`, 'an object', p);
      const protocol = p?.protocol ?? 'TCP';
      if (!PROTOCOLS.has(protocol)) fail(`ports[${i}].protocol`, 'TCP, UDP or SCTP', protocol);
      const port = p?.port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
        fail(`ports[${i}].port`, 'an integer in 1..65535', port);
      const id = `${protocol}/${port}`;
      if (!ports.includes(id)) ports.push(id);
    }
  }
  const trafficPolicy = req.externalTrafficPolicy ?? 'Cluster';
  if (trafficPolicy !== 'Cluster' && trafficPolicy !== 'Local')
    fail('externalTrafficPolicy', 'Cluster or Local', trafficPolicy);
  const selector = checkLabels(key, 'selector', req.selector);
  const backendKey = trafficPolicy === 'Local' ? canonicalLabels(selector) : '';
  return {
    key,
    namespace: req.namespace,
    namespaceLabels,
    labels,
    families,
    policy,
    wantDual: families.length === 2 && policy !== 'SingleStack',
    requested: requested.length === 0 ? NONE : requested,
    requestedPool: req.requestedPool,
    sharingKey,
    ports: ports.length === 0 ? NO_PORTS : ports.slice(),
    trafficPolicy,
    backendKey,
  };
}

function checkLabels(key: string, field: string, labels: unknown): Readonly<Record<string, string>> {
  if (labels === undefined) return EMPTY;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new IpamRequestError(key, field, 'an object of string labels', labels);
  }
  const record = labels as Record<string, unknown>;
  for (const k in record) {
    if (Object.hasOwn(record, k) && typeof record[k] !== 'string') {
      throw new IpamRequestError(key, `${field}[${JSON.stringify(k)}]`, 'a string value', record[k]);
    }
  }
  return labels as Readonly<Record<string, string>>;
}

/** Sorted `k=v` pairs joined by commas: the backend identity of a Local service. */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
