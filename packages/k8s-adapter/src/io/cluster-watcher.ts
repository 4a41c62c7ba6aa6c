/**
 * Watches everything lbkit reads: Services, EndpointSlices (discovery.k8s.io/v1, or v1beta1 where only
 * that is served), Nodes, Namespaces, and, in MetalLB's namespace, Secrets and the metallb.io kinds. Keeps
 * a typed view and reports every change.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { silentLogger, type Logger } from '@lbkit/core';
import type { EndpointSlice, Namespace, Node, Pod, Secret, Service } from '../api/core.js';
import { METALLB_GROUP } from '../api/metallb.js';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  IPAddressPool,
  L2Advertisement,
  ServiceBGPStatus,
  ServiceL2Status,
} from '../api/metallb.js';
import type { ConfigInput } from '../config/parse-config.js';
import { ResilientInformer, type BackoffInit } from './informer.js';

/** The label EndpointSlices carry with their Service's name. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Kinds the watcher reports changes of. */
export type WatchedKind =
  | 'Service'
  | 'EndpointSlice'
  | 'Node'
  | 'Namespace'
  | 'Secret'
  | 'IPAddressPool'
  | 'L2Advertisement'
  | 'BGPAdvertisement'
  | 'BGPPeer'
  | 'BFDProfile'
  | 'Community'
  | 'ServiceL2Status'
  | 'ServiceBGPStatus'
  | 'Pod';

/** Kinds whose change can change the configuration. */
export const CONFIG_KINDS: ReadonlySet<WatchedKind> = new Set([
  'Node',
  'Namespace',
  'Secret',
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
]);

/** A change the watcher saw. */
export interface WatchChange {
  readonly kind: WatchedKind;
  readonly type: 'add' | 'update' | 'delete';
  readonly object: KubernetesObject;
}

/** Options of {@link ClusterWatcher}. */
export interface ClusterWatcherInit {
  /** MetalLB's namespace: where the metallb.io objects and BGP password Secrets live. */
  namespace: string;
  /** Watch ServiceL2Status and ServiceBGPStatus too (speakers). @default false */
  statusObjects?: boolean;
  /**
   * Watch the Pods in MetalLB's namespace that match this label selector (speakers: the other speakers,
   * whose addresses seed the membership; MetalLB's `--ml-labels`). Unset watches no Pods.
   */
  podSelector?: string;
  backoff?: BackoffInit;
}

/** Injected capabilities. */
export interface ClusterWatcherComponents {
  logger?: Logger;
  random?: () => number;
}

type Lister = () => Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }>;

const asList = (p: Promise<unknown>) => p as ReturnType<Lister>;

/** The typed view of the cluster, kept up to date by informers. */
export class ClusterWatcher {
  readonly #kc: KubeConfig;
  readonly #init: ClusterWatcherInit;
  readonly #components: ClusterWatcherComponents;
  readonly #log: Logger;
  readonly #informers = new Map<WatchedKind, ResilientInformer<KubernetesObject>>();
  readonly #slicesByService = new Map<string, Map<string, EndpointSlice>>();
  readonly #listeners = new Set<(c: WatchChange) => void>();
  #endpointSliceVersion: 'v1' | 'v1beta1' = 'v1';
  #started = false;

  constructor(kc: KubeConfig, init: ClusterWatcherInit, components: ClusterWatcherComponents = {}) {
    this.#kc = kc;
    this.#init = init;
    this.#components = components;
    this.#log = (components.logger ?? silentLogger).child({ component: 'cluster-watcher' });
  }

  /** The EndpointSlice version in use (decided at start from discovery). */
  get endpointSliceVersion(): 'v1' | 'v1beta1' {
    return this.#endpointSliceVersion;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(fn: (c: WatchChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Starts every informer; resolves once all caches hold their first list. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const core = this.#kc.makeApiClient(CoreV1Api);
    const custom = this.#kc.makeApiClient(CustomObjectsApi);
    const discovery = this.#kc.makeApiClient(DiscoveryV1Api);
    const ns = this.#init.namespace;
    try {
      await custom.getAPIResources({ group: 'discovery.k8s.io', version: 'v1' });
      this.#endpointSliceVersion = 'v1';
    } catch {
      this.#endpointSliceVersion = 'v1beta1';
      this.#log.info('discovery.k8s.io/v1 not served; using EndpointSlice v1beta1');
    }
    const crd = (kind: WatchedKind, plural: string, version = 'v1beta1') =>
      this.#add(kind, `/apis/${METALLB_GROUP}/${version}/namespaces/${ns}/${plural}`, () =>
        asList(custom.listNamespacedCustomObject({ group: METALLB_GROUP, version, namespace: ns, plural })),
      );
    this.#add('Service', '/api/v1/services', () => asList(core.listServiceForAllNamespaces()));
    if (this.#endpointSliceVersion === 'v1') {
      this.#add('EndpointSlice', '/apis/discovery.k8s.io/v1/endpointslices', () =>
        asList(discovery.listEndpointSliceForAllNamespaces()),
      );
    } else {
      this.#add('EndpointSlice', '/apis/discovery.k8s.io/v1beta1/endpointslices', () =>
        asList(
          custom.listClusterCustomObject({ group: 'discovery.k8s.io', version: 'v1beta1', plural: 'endpointslices' }),
        ),
      );
    }
    this.#add('Node', '/api/v1/nodes', () => asList(core.listNode()));
    this.#add('Namespace', '/api/v1/namespaces', () => asList(core.listNamespace()));
    this.#add('Secret', `/api/v1/namespaces/${ns}/secrets`, () => asList(core.listNamespacedSecret({ namespace: ns })));
    crd('IPAddressPool', 'ipaddresspools');
    crd('L2Advertisement', 'l2advertisements');
    crd('BGPAdvertisement', 'bgpadvertisements');
    crd('BGPPeer', 'bgppeers', 'v1beta2');
    crd('BFDProfile', 'bfdprofiles');
    crd('Community', 'communities');
    if (this.#init.statusObjects === true) {
      crd('ServiceL2Status', 'servicel2statuses');
      crd('ServiceBGPStatus', 'servicebgpstatuses');
    }
    if (this.#init.podSelector !== undefined)
      this.#add(
        'Pod',
        `/api/v1/namespaces/${ns}/pods`,
        () => asList(core.listNamespacedPod({ namespace: ns, labelSelector: this.#init.podSelector as string })),
        this.#init.podSelector,
      );
    await Promise.all([...this.#informers.values()].map((i) => i.start()));
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
  }

  #add(kind: WatchedKind, path: string, list: Lister, labelSelector?: string): void {
    const inf = new ResilientInformer<KubernetesObject>(
      this.#kc,
      {
        path,
        list,
        name: kind,
        ...(labelSelector === undefined ? {} : { labelSelector }),
        ...(this.#init.backoff === undefined ? {} : { backoff: this.#init.backoff }),
      },
      { logger: this.#log, ...(this.#components.random === undefined ? {} : { random: this.#components.random }) },
    );
    const emit = (type: WatchChange['type']) => (object: KubernetesObject) => {
      if (kind === 'EndpointSlice') this.#indexSlice(object as EndpointSlice, type);
      for (const fn of this.#listeners) fn({ kind, type, object });
    };
    inf.on('add', emit('add'));
    inf.on('update', emit('update'));
    inf.on('delete', emit('delete'));
    this.#informers.set(kind, inf);
  }

  #indexSlice(slice: EndpointSlice, type: WatchChange['type']): void {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc === undefined) return;
    const key = `${slice.metadata?.namespace ?? ''}/${svc}`;
    const name = slice.metadata?.name ?? '';
    let m = this.#slicesByService.get(key);
    if (type === 'delete') {
      m?.delete(name);
      if (m !== undefined && m.size === 0) this.#slicesByService.delete(key);
      return;
    }
    if (m === undefined) {
      m = new Map();
      this.#slicesByService.set(key, m);
    }
    m.set(name, slice);
  }

  /** The informer of a kind (for stats and tests). */
  informer(kind: WatchedKind): ResilientInformer<KubernetesObject> | undefined {
    return this.#informers.get(kind);
  }

  #list<T>(kind: WatchedKind): T[] {
    return [...(this.#informers.get(kind)?.list() ?? [])] as T[];
  }

  /** Every Service. */
  services(): Service[] {
    return this.#list<Service>('Service');
  }

  /** One Service. */
  service(namespace: string, name: string): Service | undefined {
    return this.#informers.get('Service')?.get(name, namespace) as Service | undefined;
  }

  /** Every EndpointSlice. */
  endpointSlices(): EndpointSlice[] {
    return this.#list<EndpointSlice>('EndpointSlice');
  }

  /** The EndpointSlices of one Service. */
  endpointSlicesOf(namespace: string, service: string): EndpointSlice[] {
    return [...(this.#slicesByService.get(`${namespace}/${service}`)?.values() ?? [])];
  }

  /** Every Node. */
  nodes(): Node[] {
    return this.#list<Node>('Node');
  }

  /** The Pods matching `podSelector` (empty when not watched). */
  pods(): Pod[] {
    return this.#list<Pod>('Pod');
  }

  /** Status objects (when watched). */
  l2Statuses(): ServiceL2Status[] {
    return this.#list<ServiceL2Status>('ServiceL2Status');
  }

  /** Status objects (when watched). */
  bgpStatuses(): ServiceBGPStatus[] {
    return this.#list<ServiceBGPStatus>('ServiceBGPStatus');
  }

  /** Everything the configuration parser needs, as cached now. */
  configInput(): ConfigInput {
    return {
      ipAddressPools: this.#list<IPAddressPool>('IPAddressPool'),
      l2Advertisements: this.#list<L2Advertisement>('L2Advertisement'),
      bgpAdvertisements: this.#list<BGPAdvertisement>('BGPAdvertisement'),
      bgpPeers: this.#list<BGPPeer>('BGPPeer'),
      bfdProfiles: this.#list<BFDProfile>('BFDProfile'),
      communities: this.#list<Community>('Community'),
      namespaces: this.#list<Namespace>('Namespace'),
      nodes: this.nodes(),
      secrets: this.#list<Secret>('Secret'),
    };
  }
}
