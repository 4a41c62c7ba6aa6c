/**
 * Writes MetalLB's status objects: ServiceL2Status (one per Service, by the announcing speaker),
 * ServiceBGPStatus (one per Service and node), ConfigurationState (one per component) and IPAddressPool
 * status counts. Status lives in the status subresource, so objects are created and then their status
 * patched; unchanged status is not written again.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { OwnerReference } from '../api/meta.js';
import type {
  ConfigurationState,
  ConfigurationStateStatus,
  IPAddressPoolStatus,
  MetalLBServiceBGPStatusStatus,
  MetalLBServiceL2StatusStatus,
  ServiceBGPStatus,
  ServiceL2Status,
} from '../api/metallb.js';
import { METALLB_GROUP } from '../api/metallb.js';
import { STATUS_LABELS } from '../constants.js';
import { isNotFound, MERGE_PATCH } from './client.js';

const V = 'v1beta1';

/** A Service named by namespace and name. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

/** Options of {@link StatusObjectWriter}. */
export interface StatusObjectWriterInit {
  /** MetalLB's namespace. */
  namespace: string;
  /** This speaker's node (for L2/BGP status and `speaker-<node>`). */
  node?: string;
  /** Owner of created objects (the component's Pod), so they are garbage-collected with it. */
  owner?: OwnerReference;
}

type Listed<T> = { items?: T[] };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Writes the status objects of one component. */
export class StatusObjectWriter {
  readonly #api: CustomObjectsApi;
  readonly #init: StatusObjectWriterInit;

  constructor(kc: KubeConfig, init: StatusObjectWriterInit) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#init = init;
  }

  #node(): string {
    if (this.#init.node === undefined) throw new Error('StatusObjectWriter needs `node` for per-node status objects');
    return this.#init.node;
  }

  async #list<T>(plural: string, labelSelector: string): Promise<T[]> {
    const r = (await this.#api.listNamespacedCustomObject({
      group: METALLB_GROUP,
      version: V,
      namespace: this.#init.namespace,
      plural,
      labelSelector,
    })) as Listed<T>;
    return r.items ?? [];
  }

  async #delete(plural: string, name: string): Promise<void> {
    try {
      await this.#api.deleteNamespacedCustomObject({
        group: METALLB_GROUP,
        version: V,
        namespace: this.#init.namespace,
        plural,
        name,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #patchStatus(plural: string, name: string, status: unknown): Promise<void> {
    await this.#api.patchNamespacedCustomObjectStatus(
      { group: METALLB_GROUP, version: V, namespace: this.#init.namespace, plural, name, body: { status } },
      MERGE_PATCH,
    );
  }

  async #create(
    plural: string,
    kind: string,
    meta: { name?: string; generateName?: string; labels: Record<string, string> },
  ): Promise<string> {
    const body = {
      apiVersion: `${METALLB_GROUP}/${V}`,
      kind,
      metadata: {
        ...meta,
        namespace: this.#init.namespace,
        ...(this.#init.owner === undefined ? {} : { ownerReferences: [this.#init.owner] }),
      },
      spec: {},
    };
    const made = (await this.#api.createNamespacedCustomObject({
      group: METALLB_GROUP,
      version: V,
      namespace: this.#init.namespace,
      plural,
      body,
    })) as {
      metadata?: { name?: string };
    };
    return made.metadata?.name ?? meta.name ?? '';
  }

  #serviceLabels(svc: ServiceRef): Record<string, string> {
    return {
      [STATUS_LABELS.node]: this.#node(),
      [STATUS_LABELS.serviceName]: svc.name,
      [STATUS_LABELS.serviceNamespace]: svc.namespace,
    };
  }

  #serviceSelector(svc: ServiceRef): string {
    return `${STATUS_LABELS.serviceName}=${svc.name},${STATUS_LABELS.serviceNamespace}=${svc.namespace}`;
  }

  /**
   * This node announces `svc` in layer 2 on `interfaces` (empty: all): makes sure exactly one
   * ServiceL2Status exists for the Service, ours, with that content; others' objects for it are removed.
   */
  async announceL2(svc: ServiceRef, interfaces: readonly string[]): Promise<'created' | 'updated' | 'unchanged'> {
    const node = this.#node();
    const existing = await this.#list<ServiceL2Status>('servicel2statuses', this.#serviceSelector(svc));
    const status: MetalLBServiceL2StatusStatus = {
      node,
      serviceName: svc.name,
      serviceNamespace: svc.namespace,
      interfaces: interfaces.map((name) => ({ name })),
    };
    let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
    let mine = existing.find((o) => o.metadata?.labels?.[STATUS_LABELS.node] === node);
    for (const o of existing) if (o !== mine) await this.#delete('servicel2statuses', o.metadata?.name ?? '');
    let name = mine?.metadata?.name;
    if (name === undefined) {
      name = await this.#create('servicel2statuses', 'ServiceL2Status', {
        generateName: 'l2-',
        labels: this.#serviceLabels(svc),
      });
      mine = undefined;
      outcome = 'created';
    }
    if (!same(mine?.status, status)) {
      await this.#patchStatus('servicel2statuses', name, status);
      if (outcome === 'unchanged') outcome = 'updated';
    }
    return outcome;
  }

  /** This node no longer announces `svc` in layer 2: removes our ServiceL2Status for it. */
  async withdrawL2(svc: ServiceRef): Promise<number> {
    const node = this.#node();
    const mine = await this.#list<ServiceL2Status>(
      'servicel2statuses',
      `${this.#serviceSelector(svc)},${STATUS_LABELS.node}=${node}`,
    );
    for (const o of mine) await this.#delete('servicel2statuses', o.metadata?.name ?? '');
    return mine.length;
  }

  /** This node intends to advertise `svc` to `peers` (sorted on write); an empty list removes the object. */
  async setBgp(svc: ServiceRef, peers: readonly string[]): Promise<'created' | 'updated' | 'unchanged' | 'deleted'> {
    const node = this.#node();
    const mine = await this.#list<ServiceBGPStatus>(
      'servicebgpstatuses',
      `${this.#serviceSelector(svc)},${STATUS_LABELS.node}=${node}`,
    );
    if (peers.length === 0) {
      for (const o of mine) await this.#delete('servicebgpstatuses', o.metadata?.name ?? '');
      return mine.length > 0 ? 'deleted' : 'unchanged';
    }
    const status: MetalLBServiceBGPStatusStatus = {
      node,
      serviceName: svc.name,
      serviceNamespace: svc.namespace,
      peers: [...peers].sort(),
    };
    const [first, ...extra] = mine;
    for (const o of extra) await this.#delete('servicebgpstatuses', o.metadata?.name ?? '');
    if (first === undefined) {
      const name = await this.#create('servicebgpstatuses', 'ServiceBGPStatus', {
        generateName: 'bgp-',
        labels: this.#serviceLabels(svc),
      });
      await this.#patchStatus('servicebgpstatuses', name, status);
      return 'created';
    }
    if (same(first.status, status)) return 'unchanged';
    await this.#patchStatus('servicebgpstatuses', first.metadata?.name ?? '', status);
    return 'updated';
  }

  /**
   * Writes this component's ConfigurationState (`controller`, or `speaker-<node>` when `node` is set),
   * creating it if missing (it self-heals when deleted).
   */
  async writeConfigurationState(status: ConfigurationStateStatus): Promise<'created' | 'updated' | 'unchanged'> {
    const speaker = this.#init.node !== undefined;
    const name = speaker ? `speaker-${this.#init.node}` : 'controller';
    const labels: Record<string, string> = speaker
      ? { [STATUS_LABELS.componentType]: 'speaker', [STATUS_LABELS.nodeName]: this.#init.node as string }
      : { [STATUS_LABELS.componentType]: 'controller' };
    let current: ConfigurationState | undefined;
    try {
      current = (await this.#api.getNamespacedCustomObject({
        group: METALLB_GROUP,
        version: V,
        namespace: this.#init.namespace,
        plural: 'configurationstates',
        name,
      })) as ConfigurationState;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
    if (current === undefined) {
      await this.#create('configurationstates', 'ConfigurationState', { name, labels });
      outcome = 'created';
    }
    if (!same(current?.status, status)) {
      await this.#patchStatus('configurationstates', name, status);
      if (outcome === 'unchanged') outcome = 'updated';
    }
    return outcome;
  }

  /** Writes an IPAddressPool's counters unless they are unchanged (`known` is the cached pool status). */
  async writePoolStatus(
    pool: string,
    status: IPAddressPoolStatus,
    known?: IPAddressPoolStatus,
  ): Promise<'updated' | 'unchanged' | 'gone'> {
    if (known !== undefined && same(known, status)) return 'unchanged';
    try {
      await this.#patchStatus('ipaddresspools', pool, status);
      return 'updated';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw err;
    }
  }
}
