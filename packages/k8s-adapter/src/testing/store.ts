/**
 * The object store behind the in-process API server: one resource-version counter for everything (as
 * etcd's revision), a bounded event history that can be compacted, optimistic concurrency, status
 * subresources, defaulting and pruning of custom resources. No I/O: the HTTP side lives in `io/`.
 */
import { crdViolations, defaultAndPrune, valueViolations } from '../crds/structural.js';
import type { CustomResourceDefinition } from '../crds/manifests.js';
import { applyPatch, PatchError } from './patch.js';
import { groupVersion, resourceKey, type ResourceType } from './resources.js';
import { compileFieldSelector, compileLabelSelector } from './selectors.js';

/** A stored object: plain JSON. */
export type StoredObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
};

/** A change, as watches deliver it. */
export interface StoreEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resource: string;
  readonly object: StoredObject;
  /** The object before a MODIFIED change (to move it into or out of a watch's selector). */
  readonly previous?: StoredObject;
}

/** A Kubernetes `Status` failure with its HTTP code and reason. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
    this.name = 'ApiError';
  }

  /** The `Status` object sent to clients. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }),
      code: this.code,
    };
  }
}

/** Options of {@link ObjectStore}. */
export interface ObjectStoreInit {
  resources: readonly ResourceType[];
  /** Wall-clock milliseconds, for creation timestamps. */
  wallTime: () => number;
  /**
   * Events kept for watches that resume from an older resource version; older ones are compacted away
   * (such a watch gets 410 Gone).
   * @default 100000
   */
  historyLimit?: number;
  /** ClusterIP range handed to Services without one. @default '240.0.0.0/12' (never routable) */
  serviceIpv4Base?: number;
}

/** Selectors and scope of a list or watch. */
export interface ListOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

const clone = <T>(v: T): T => structuredClone(v);

/** The in-memory object store. */
export class ObjectStore {
  readonly resources: ReadonlyMap<string, ResourceType>;
  #rv = 1;
  #compacted = 0;
  #uid = 0;
  #nextClusterIp: number;
  readonly #objects = new Map<string, Map<string, StoredObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #historyLimit: number;
  readonly #listeners = new Set<(e: StoreEvent) => void>();
  readonly #wallTime: () => number;

  constructor(init: ObjectStoreInit) {
    this.resources = new Map(init.resources.map((r) => [resourceKey(r), r]));
    for (const k of this.resources.keys()) this.#objects.set(k, new Map());
    this.#historyLimit = init.historyLimit ?? 100_000;
    this.#wallTime = init.wallTime;
    this.#nextClusterIp = init.serviceIpv4Base ?? 0xf0000000 + 10;
  }

  /** The current resource version (etcd revision). */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** Events at or below this version are gone. */
  get compactedVersion(): number {
    return this.#compacted;
  }

  /** The resource type for a key (`services`, `leases.coordination.k8s.io`), or a 404. */
  resource(key: string): ResourceType {
    const r = this.resources.get(key);
    if (r === undefined)
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${key})`);
    return r;
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Drops the whole event history: watches resuming from any earlier version get 410 Gone. */
  compact(): void {
    this.#compacted = this.#rv;
    this.#history.length = 0;
  }

  /** Events after `rv` for one resource; throws 410 Expired when they were compacted away. */
  eventsSince(resource: string, rv: number): StoreEvent[] {
    if (rv < this.#compacted) {
      throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.#compacted})`);
    }
    return this.#history
      .filter((e) => e.rv > rv && e.resource === resource)
      .map((e) => ({ ...e, object: clone(e.object) }));
  }

  #map(resource: string): Map<string, StoredObject> {
    return this.#objects.get(resource) as Map<string, StoredObject>;
  }

  #key(r: ResourceType, ns: string | undefined, name: string): string {
    return r.namespaced ? `${ns ?? ''}/${name}` : name;
  }

  #notFound(r: ResourceType, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${resourceKey(r)} "${name}" not found`, {
      name,
      group: r.group,
      kind: r.plural,
    });
  }

  #conflict(r: ResourceType, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resourceKey(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: r.group, kind: r.plural },
    );
  }

  #emit(e: StoreEvent): void {
    this.#history.push(e);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#compacted = (dropped[dropped.length - 1] as StoreEvent).rv;
    }
    for (const fn of this.#listeners) fn(e);
  }

  /** Serves an object in the requested version (conversion strategy None: only apiVersion changes). */
  present(r: ResourceType, obj: StoredObject, version?: string): StoredObject {
    const out = clone(obj);
    out.apiVersion = groupVersion(r.group, version ?? (r.versions[0] as string));
    out.kind = r.kind;
    return out;
  }

  #timestamp(): string {
    return new Date(this.#wallTime()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  #nextUid(): string {
    this.#uid++;
    const hex = this.#uid.toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${hex}`;
  }

  #admit(r: ResourceType, obj: StoredObject, version: string | undefined): void {
    const schema = r.schemas?.[version ?? (r.versions[0] as string)];
    if (schema !== undefined) {
      defaultAndPrune(schema, obj);
      const problems = valueViolations(schema, obj, '').map((p) => p.replace(/^\./, ''));
      if (problems.length > 0) {
        const name = obj.metadata?.name ?? '';
        throw new ApiError(422, 'Invalid', `${r.kind}.${r.group} "${name}" is invalid: ${problems.join(', ')}`, {
          name,
          group: r.group,
          kind: r.kind,
          causes: problems.map((message) => ({ reason: 'FieldValueInvalid', message })),
        });
      }
    }
    if (resourceKey(r) === 'services') this.#defaultService(obj);
    if (resourceKey(r) === 'customresourcedefinitions.apiextensions.k8s.io') {
      // Stored, not served: the metallb.io kinds are built in. Rejected like a real server when not structural.
      const problems = crdViolations(obj as unknown as CustomResourceDefinition);
      if (problems.length > 0) {
        const name = obj.metadata?.name ?? '';
        throw new ApiError(
          422,
          'Invalid',
          `CustomResourceDefinition.apiextensions.k8s.io "${name}" is invalid: ${problems.join(', ')}`,
        );
      }
    }
  }

  /** The defaults the API server gives a Service: ClusterIP, families, policies, protocols. */
  #defaultService(obj: StoredObject): void {
    const spec = (obj['spec'] ??= {}) as Record<string, unknown>;
    spec['type'] ??= 'ClusterIP';
    if (spec['type'] !== 'ExternalName') {
      if (spec['clusterIP'] === undefined && spec['clusterIPs'] === undefined) {
        const n = this.#nextClusterIp++;
        spec['clusterIP'] = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      }
      if (spec['clusterIPs'] === undefined) spec['clusterIPs'] = [spec['clusterIP']];
      if (spec['clusterIP'] === undefined) spec['clusterIP'] = (spec['clusterIPs'] as string[])[0];
      const ips = (spec['clusterIPs'] as string[]).filter((ip) => ip !== 'None');
      spec['ipFamilies'] ??= ips.length > 0 ? ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4')) : ['IPv4'];
      spec['ipFamilyPolicy'] ??= (spec['ipFamilies'] as string[]).length > 1 ? 'RequireDualStack' : 'SingleStack';
    }
    if (spec['type'] === 'LoadBalancer' || spec['type'] === 'NodePort') spec['externalTrafficPolicy'] ??= 'Cluster';
    for (const p of (spec['ports'] ?? []) as Record<string, unknown>[]) p['protocol'] ??= 'TCP';
  }

  /** Creates an object; `generateName` is honoured. */
  create(resource: string, ns: string | undefined, body: StoredObject, version?: string): StoredObject {
    const r = this.resource(resource);
    const obj = clone(body);
    const meta = (obj.metadata ??= {});
    if (r.namespaced) {
      if (meta.namespace !== undefined && ns !== undefined && meta.namespace !== ns) {
        throw new ApiError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = ns ?? meta.namespace ?? 'default';
    } else delete meta.namespace;
    if ((meta.name ?? '') === '' && typeof meta['generateName'] === 'string') {
      meta.name = `${meta['generateName']}${(this.#uid + 1).toString(36).padStart(5, '0')}`;
    }
    if ((meta.name ?? '') === '') {
      throw new ApiError(
        422,
        'Invalid',
        `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
      );
    }
    const key = this.#key(r, meta.namespace, meta.name as string);
    if (this.#map(resource).has(key)) {
      throw new ApiError(409, 'AlreadyExists', `${resourceKey(r)} "${meta.name}" already exists`, {
        name: meta.name,
        group: r.group,
        kind: r.plural,
      });
    }
    this.#admit(r, obj, version);
    if (r.status && r.statusKeeps === 'all-but-status') delete obj['status'];
    if (resourceKey(r) === 'customresourcedefinitions.apiextensions.k8s.io') {
      const ts = this.#timestamp();
      obj['status'] = {
        conditions: [
          {
            type: 'NamesAccepted',
            status: 'True',
            reason: 'NoConflicts',
            message: 'no conflicts found',
            lastTransitionTime: ts,
          },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
            lastTransitionTime: ts,
          },
        ],
        acceptedNames: (obj['spec'] as { names?: unknown } | undefined)?.names ?? {},
        storedVersions: (
          (obj['spec'] as { versions?: { name: string; storage?: boolean }[] } | undefined)?.versions ?? []
        )
          .filter((v) => v.storage)
          .map((v) => v.name),
      };
    }
    this.#rv++;
    meta.uid = this.#nextUid();
    meta.resourceVersion = String(this.#rv);
    meta['creationTimestamp'] = this.#timestamp();
    meta['generation'] = 1;
    delete obj.apiVersion;
    delete obj.kind;
    this.#map(resource).set(key, obj);
    this.#emit({ rv: this.#rv, type: 'ADDED', resource, object: clone(obj) });
    return this.present(r, obj, version);
  }

  /** Reads one object. */
  get(resource: string, ns: string | undefined, name: string, version?: string): StoredObject {
    const r = this.resource(resource);
    const obj = this.#map(resource).get(this.#key(r, ns, name));
    if (obj === undefined) throw this.#notFound(r, name);
    return this.present(r, obj, version);
  }

  /** Lists objects, with the current resource version. */
  list(
    resource: string,
    options: ListOptions = {},
    version?: string,
  ): { items: StoredObject[]; resourceVersion: string } {
    const r = this.resource(resource);
    const labels = compileLabelSelectorOr400(options.labelSelector);
    const fields = compileFieldSelectorOr400(options.fieldSelector);
    const items: StoredObject[] = [];
    for (const obj of this.#map(resource).values()) {
      if (options.namespace !== undefined && r.namespaced && obj.metadata?.namespace !== options.namespace) continue;
      if (!labels(obj.metadata?.labels ?? {}) || !fields(obj)) continue;
      items.push(this.present(r, obj, version));
    }
    items.sort((a, b) => {
      const x = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
      const y = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return { items, resourceVersion: String(this.#rv) };
  }

  /** Replaces an object (PUT), or its status with `subresource: 'status'`. */
  update(
    resource: string,
    ns: string | undefined,
    name: string,
    body: StoredObject,
    subresource?: 'status',
    version?: string,
  ): StoredObject {
    const r = this.resource(resource);
    const key = this.#key(r, ns, name);
    const old = this.#map(resource).get(key);
    if (old === undefined) throw this.#notFound(r, name);
    if (body.metadata?.name !== undefined && body.metadata.name !== name) {
      throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    }
    const wantRv = body.metadata?.resourceVersion;
    if (wantRv !== undefined && wantRv !== '' && wantRv !== old.metadata?.resourceVersion)
      throw this.#conflict(r, name);
    return this.#commit(r, resource, key, old, clone(body), subresource, version);
  }

  /** Patches an object or its status; a `metadata.resourceVersion` in the patch is a precondition. */
  patch(
    resource: string,
    ns: string | undefined,
    name: string,
    contentType: string,
    patch: unknown,
    subresource?: 'status',
    version?: string,
  ): StoredObject {
    const r = this.resource(resource);
    const key = this.#key(r, ns, name);
    const old = this.#map(resource).get(key);
    if (old === undefined) throw this.#notFound(r, name);
    let next: StoredObject;
    try {
      next = applyPatch(contentType, this.present(r, old, version), patch) as StoredObject;
    } catch (err) {
      if (err instanceof PatchError)
        throw new ApiError(err.status, err.status === 415 ? 'UnsupportedMediaType' : 'Invalid', err.message);
      throw err;
    }
    const wantRv = next.metadata?.resourceVersion;
    if (wantRv !== undefined && wantRv !== old.metadata?.resourceVersion) throw this.#conflict(r, name);
    return this.#commit(r, resource, key, old, next, subresource, version);
  }

  #commit(
    r: ResourceType,
    resource: string,
    key: string,
    old: StoredObject,
    next: StoredObject,
    subresource: 'status' | undefined,
    version: string | undefined,
  ): StoredObject {
    if (subresource === 'status' && !r.status) throw this.#notFound(r, `${old.metadata?.name ?? ''}/status`);
    let merged: StoredObject;
    if (subresource === 'status') {
      if (r.statusKeeps === 'all-but-status') {
        merged = clone(old);
        if (next['status'] === undefined) delete merged['status'];
        else merged['status'] = next['status'];
      } else {
        merged = next;
        if (old['spec'] === undefined) delete merged['spec'];
        else merged['spec'] = clone(old['spec']);
      }
    } else {
      merged = next;
      // With a status subresource, writes to the main resource cannot change status.
      if (r.status) {
        if (old['status'] === undefined) delete merged['status'];
        else merged['status'] = clone(old['status']);
      }
    }
    const meta = (merged.metadata ??= {});
    const om = old.metadata ?? {};
    // Identity and system fields cannot be changed by a client.
    meta.name = om.name as string;
    if (r.namespaced) meta.namespace = om.namespace as string;
    meta.uid = om['uid'];
    meta['creationTimestamp'] = om['creationTimestamp'];
    delete merged.apiVersion;
    delete merged.kind;
    this.#admit(r, merged, version);
    const body = (o: StoredObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });
    meta['generation'] = (om['generation'] as number) + (body(merged) !== body(old) ? 1 : 0);
    const strip = (o: StoredObject) =>
      JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
    if (strip(merged) === strip(old)) return this.present(r, old, version); // a no-op write does not bump the version
    this.#rv++;
    meta.resourceVersion = String(this.#rv);
    this.#map(resource).set(key, merged);
    this.#emit({ rv: this.#rv, type: 'MODIFIED', resource, object: clone(merged), previous: clone(old) });
    return this.present(r, merged, version);
  }

  /** Deletes an object and returns it as it was. */
  delete(
    resource: string,
    ns: string | undefined,
    name: string,
    version?: string,
    preconditionRv?: string,
  ): StoredObject {
    const r = this.resource(resource);
    const key = this.#key(r, ns, name);
    const old = this.#map(resource).get(key);
    if (old === undefined) throw this.#notFound(r, name);
    if (preconditionRv !== undefined && preconditionRv !== old.metadata?.resourceVersion) throw this.#conflict(r, name);
    this.#map(resource).delete(key);
    this.#rv++;
    const gone = clone(old);
    (gone.metadata ??= {}).resourceVersion = String(this.#rv);
    this.#emit({ rv: this.#rv, type: 'DELETED', resource, object: gone });
    return this.present(r, gone, version);
  }

  /** Number of objects of a resource. */
  count(resource: string): number {
    return this.#map(resource).size;
  }
}

function compileLabelSelectorOr400(text: string | undefined) {
  try {
    return compileLabelSelector(text);
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `unable to parse requirement: ${(err as Error).message}`);
  }
}

function compileFieldSelectorOr400(text: string | undefined) {
  try {
    return compileFieldSelector(text);
  } catch (err) {
    throw new ApiError(400, 'BadRequest', (err as Error).message);
  }
}

export { compileLabelSelector, compileFieldSelector };
