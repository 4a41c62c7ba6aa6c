/** A {@link LeaseStore} over the coordination.k8s.io/v1 API. */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { LeaseRecord, LeaseStore } from '../election/lease-elector.js';
import { isNotFound } from './client.js';

function toRecord(l: V1Lease): LeaseRecord {
  const s = l.spec ?? {};
  const t = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '');
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: t(s.acquireTime),
    renewTime: t(s.renewTime),
    leaseTransitions: s.leaseTransitions ?? 0,
    ...(l.metadata?.resourceVersion === undefined ? {} : { resourceVersion: l.metadata.resourceVersion }),
  };
}

/** Creates a store for the Lease `namespace/name`. */
export function createLeaseStore(kc: KubeConfig, namespace: string, name: string): LeaseStore {
  const api = kc.makeApiClient(CoordinationV1Api);
  // MicroTime strings pass through client-node's serializer untouched (it has no model for the type).
  const spec = (r: LeaseRecord) =>
    ({
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: r.acquireTime,
      renewTime: r.renewTime,
      leaseTransitions: r.leaseTransitions,
    }) as unknown as NonNullable<V1Lease['spec']>;
  return {
    async get() {
      try {
        return toRecord(await api.readNamespacedLease({ namespace, name }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(r) {
      const body: V1Lease = { metadata: { name, namespace }, spec: spec(r) };
      return toRecord(await api.createNamespacedLease({ namespace, body }));
    },
    async update(r) {
      const body: V1Lease = {
        metadata: {
          name,
          namespace,
          ...(r.resourceVersion === undefined ? {} : { resourceVersion: r.resourceVersion }),
        },
        spec: spec(r),
      };
      return toRecord(await api.replaceNamespacedLease({ namespace, name, body }));
    },
  };
}
