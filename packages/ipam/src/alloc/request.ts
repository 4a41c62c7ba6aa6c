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
  const src = fieldsOf(req);
  const key = src.key;
  if (typeof key !== 'string' || key.length === 0) throw new IpamRequestError('', 'key', 'a non-empty string', key);
  if (typeof src.namespace !== 'string') bad(key, 'namespace', 'a string', src.namespace);
  const namespaceLabels = checkLabels(key, 'namespaceLabels', src.namespaceLabels);
  const labels = checkLabels(key, 'labels', src.labels);
  if (!Array.isArray(src.families)) bad(key, 'families', 'an array of 4 and/or 6', src.families);
  const families = src.families;
  if (
    families.length > 2 ||
    (families.length > 0 && families[0] !== 4 && families[0] !== 6) ||
    (families.length === 2 && families[1] !== 4 && families[1] !== 6) ||
    (families.length === 2 && families[0] === families[1])
  ) {
    bad(key, 'families', 'at most one of each of 4 and 6', families);
  }
  const policy = src.ipFamilyPolicy ?? 'SingleStack';
  if (!POLICIES.has(policy)) bad(key, 'ipFamilyPolicy', 'SingleStack, PreferDualStack or RequireDualStack', policy);
  if (policy === 'SingleStack' && families.length > 1) bad(key, 'families', 'one family for SingleStack', families);
  const requested: IpAddress[] = [];
  if (src.requestedIPs !== undefined) {
    if (!Array.isArray(src.requestedIPs)) bad(key, 'requestedIPs', 'an array of addresses', src.requestedIPs);
    const list = src.requestedIPs;
    if (list.length > 2) bad(key, 'requestedIPs', 'one address, or two of different families', list);
    for (let i = 0; i < list.length; i++) {
      const text = list[i];
      try {
        requested.push(parseIp(typeof text === 'string' ? text.trim() : (text as string)));
      } catch (err) {
        bad(key, `requestedIPs[${i}]`, err instanceof ParseError ? 'a valid IP address' : 'a string', text);
      }
    }
    if (requested.length === 2 && requested[0]?.family === requested[1]?.family) {
      bad(key, 'requestedIPs', 'two addresses of different families', list);
    }
    if (requested.length > 0 && families.length > 0) {
      const want = [...families].sort().join(',');
      const got = requested
        .map((a) => a.family)
        .sort()
        .join(',');
      if (want !== got)
        bad(key, 'requestedIPs', `addresses of the service's families (IPv${families.join(' + IPv')})`, list);
    }
  }
  if (src.requestedPool !== undefined && (typeof src.requestedPool !== 'string' || src.requestedPool === '')) {
    bad(key, 'requestedPool', 'a non-empty pool name', src.requestedPool);
  }
  const sharingKey = src.sharingKey ?? '';
  if (typeof sharingKey !== 'string') bad(key, 'sharingKey', 'a string', sharingKey);
  const ports: string[] = [];
  if (src.ports !== undefined) {
    if (!Array.isArray(src.ports)) bad(key, 'ports', 'an array of { protocol, port }', src.ports);
    for (let i = 0; i < src.ports.length; i++) {
      const p = src.ports[i];
      if (typeof p !== 'object' || p === null) bad(key, `ports[${i}]`, 'an object', p);
      const protocol = p?.protocol ?? 'TCP';
      if (!PROTOCOLS.has(protocol)) bad(key, `ports[${i}].protocol`, 'TCP, UDP or SCTP', protocol);
      const port = p?.port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
        bad(key, `ports[${i}].port`, 'an integer in 1..65535', port);
      const id = `${protocol}/${port}`;
      if (!ports.includes(id)) ports.push(id);
    }
  }
  const trafficPolicy = src.externalTrafficPolicy ?? 'Cluster';
  if (trafficPolicy !== 'Cluster' && trafficPolicy !== 'Local')
    bad(key, 'externalTrafficPolicy', 'Cluster or Local', trafficPolicy);
  const selector = checkLabels(key, 'selector', src.selector);
  const backendKey = trafficPolicy === 'Local' ? canonicalLabels(selector) : '';
  return {
    key,
    namespace: src.namespace,
    namespaceLabels,
    labels,
    families,
    policy,
    wantDual: families.length === 2 && policy !== 'SingleStack',
    requested: requested.length === 0 ? NONE : requested,
    requestedPool: src.requestedPool,
    sharingKey,
    ports: ports.length === 0 ? NO_PORTS : ports.slice(),
    trafficPolicy,
    backendKey,
  };
}

/** The fields of a request, every one present (undefined when absent). */
type RequestFields = { -readonly [K in keyof ServiceRequest]-?: ServiceRequest[K] | undefined };

/**
 * Reads the fields of a plain-object request in one pass over its keys. Callers build requests in many
 * shapes (optional fields present or not), which makes direct reads megamorphic, and a megamorphic read of
 * an absent field is a slow full lookup: with a dozen optional fields that was most of the cost of a
 * request. Other objects (class instances, null prototype) are read field by field as before.
 */
function fieldsOf(req: ServiceRequest): RequestFields {
  const f: RequestFields = {
    key: undefined,
    namespace: undefined,
    namespaceLabels: undefined,
    labels: undefined,
    families: undefined,
    ipFamilyPolicy: undefined,
    requestedIPs: undefined,
    requestedPool: undefined,
    sharingKey: undefined,
    ports: undefined,
    externalTrafficPolicy: undefined,
    selector: undefined,
  };
  if (Object.getPrototypeOf(req) !== Object.prototype) {
    f.key = req.key;
    f.namespace = req.namespace;
    f.namespaceLabels = req.namespaceLabels;
    f.labels = req.labels;
    f.families = req.families;
    f.ipFamilyPolicy = req.ipFamilyPolicy;
    f.requestedIPs = req.requestedIPs;
    f.requestedPool = req.requestedPool;
    f.sharingKey = req.sharingKey;
    f.ports = req.ports;
    f.externalTrafficPolicy = req.externalTrafficPolicy;
    f.selector = req.selector;
    return f;
  }
  // Own and inherited enumerable keys: what a direct read would find on a plain object.
  const any = f as Record<string, unknown>;
  for (const k in req) {
    switch (k) {
      case 'key':
      case 'namespace':
      case 'namespaceLabels':
      case 'labels':
      case 'families':
      case 'ipFamilyPolicy':
      case 'requestedIPs':
      case 'requestedPool':
      case 'sharingKey':
      case 'ports':
      case 'externalTrafficPolicy':
      case 'selector':
        any[k] = (req as unknown as Record<string, unknown>)[k];
        break;
    }
  }
  return f;
}

/** Throws the request error (a plain function: no closure is built per request on the hot path). */
function bad(key: string, field: string, expected: string, value: unknown): never {
  throw new IpamRequestError(key, field, expected, value);
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
