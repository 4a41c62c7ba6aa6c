import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ConfigInput } from '@lbkit/k8s-adapter';
import type { ObjectSet } from './object-set.js';

/** A document that could not be used, with where it came from. */
export interface LoadProblem {
  readonly file: string;
  /** 0-based position of the document in its file. */
  readonly document: number;
  readonly message: string;
}

/** Objects read from files, and the documents that were refused. */
export interface LoadResult {
  readonly objects: ObjectSet;
  readonly problems: readonly LoadProblem[];
  readonly files: readonly string[];
}

type Bucket = keyof Omit<ConfigInput, never> | 'services' | 'endpointSlices';

const KINDS: Readonly<
  Record<string, { group: readonly string[]; bucket: Bucket | 'nodes' | 'namespaces' | 'secrets' }>
> = {
  IPAddressPool: { group: ['metallb.io/v1beta1'], bucket: 'ipAddressPools' },
  L2Advertisement: { group: ['metallb.io/v1beta1'], bucket: 'l2Advertisements' },
  BGPAdvertisement: { group: ['metallb.io/v1beta1'], bucket: 'bgpAdvertisements' },
  BGPPeer: { group: ['metallb.io/v1beta1', 'metallb.io/v1beta2'], bucket: 'bgpPeers' },
  BFDProfile: { group: ['metallb.io/v1beta1'], bucket: 'bfdProfiles' },
  Community: { group: ['metallb.io/v1beta1'], bucket: 'communities' },
  Service: { group: ['v1'], bucket: 'services' },
  EndpointSlice: { group: ['discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1'], bucket: 'endpointSlices' },
  Node: { group: ['v1'], bucket: 'nodes' },
  Namespace: { group: ['v1'], bucket: 'namespaces' },
  Secret: { group: ['v1'], bucket: 'secrets' },
};

/** Expands directories into their `.yaml`, `.yml` and `.json` files (sorted, not recursive). */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.(ya?ml|json)$/.test(f)) out.push(join(p, f));
    } else {
      out.push(p);
    }
  }
  return out;
}

/**
 * Reads Kubernetes objects from YAML or JSON files (several documents per file, `List` objects unwrapped)
 * and sorts them by kind. Kinds the load balancer does not read are reported, not silently dropped; a file
 * that does not parse is reported with its document number and the parser's message.
 */
export function loadObjects(paths: readonly string[]): LoadResult {
  const files = expandPaths(paths);
  const buckets: Record<string, unknown[]> = {};
  const problems: LoadProblem[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        problems.push({ file, document: index, message: doc.errors.map((e) => e.message).join('; ') });
        return;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) return;
      addObject(value, file, index, buckets, problems);
    });
  }
  const take = <T>(name: string): T[] => (buckets[name] ?? []) as T[];
  return {
    files,
    problems,
    objects: {
      config: {
        ipAddressPools: take('ipAddressPools'),
        l2Advertisements: take('l2Advertisements'),
        bgpAdvertisements: take('bgpAdvertisements'),
        bgpPeers: take('bgpPeers'),
        bfdProfiles: take('bfdProfiles'),
        communities: take('communities'),
        namespaces: take('namespaces'),
        nodes: take('nodes'),
        secrets: take('secrets'),
      },
      services: take('services'),
      endpointSlices: take('endpointSlices'),
      nodes: take('nodes'),
      namespaces: take('namespaces'),
      secrets: take('secrets'),
    },
  };
}

function addObject(
  value: unknown,
  file: string,
  document: number,
  buckets: Record<string, unknown[]>,
  problems: LoadProblem[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ file, document, message: 'expected a Kubernetes object (a mapping with apiVersion and kind)' });
    return;
  }
  const obj = value as { apiVersion?: unknown; kind?: unknown; items?: unknown };
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
    for (const item of obj.items) addObject(item, file, document, buckets, problems);
    return;
  }
  if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
    problems.push({ file, document, message: 'missing apiVersion or kind' });
    return;
  }
  const info = KINDS[obj.kind];
  if (info === undefined) {
    problems.push({ file, document, message: `kind ${obj.kind} (${obj.apiVersion}) is not read by lbkit` });
    return;
  }
  if (!info.group.includes(obj.apiVersion)) {
    problems.push({
      file,
      document,
      message: `${obj.kind} has apiVersion ${JSON.stringify(obj.apiVersion)}, expected ${info.group.join(' or ')}`,
    });
    return;
  }
  (buckets[info.bucket] ??= []).push(value);
}
