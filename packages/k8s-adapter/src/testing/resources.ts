/** The resource types the in-process API server serves. */
import { metallbCrds } from '../crds/manifests.js';
import type { JSONSchemaProps } from '../crds/schema.js';

/** One served resource type. */
export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  /** Served versions, storage version first. */
  readonly versions: readonly string[];
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** True when the resource has a `/status` subresource. */
  readonly status: boolean;
  /**
   * What a write to `/status` keeps from the stored object: Services (and most core kinds) keep only the
   * stored spec, so metadata changes pass; custom resources keep everything but `status`.
   */
  readonly statusKeeps: 'spec' | 'all-but-status';
  /** OpenAPI schema per version, for defaulting, pruning and validation of custom resources. */
  readonly schemas?: Readonly<Record<string, JSONSchemaProps>>;
  readonly shortNames?: readonly string[];
}

/** `plural.group` (or `plural` for the core group): how resources are named in kubectl and in this server. */
export function resourceKey(r: Pick<ResourceType, 'group' | 'plural'>): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

/** `group/version`, or `version` for the core group. */
export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

const core = (plural: string, kind: string, namespaced: boolean, status: boolean): ResourceType => ({
  group: '',
  versions: ['v1'],
  plural,
  kind,
  namespaced,
  status,
  statusKeeps: 'spec',
});

/** Options for the built-in resource set. */
export interface ResourceSetOptions {
  /**
   * Served EndpointSlice versions: `['v1']` as on current servers, `['v1beta1']` as on 1.20, or both.
   * @default ['v1']
   */
  endpointSliceVersions?: readonly ('v1' | 'v1beta1')[];
}

/** Core kinds, EndpointSlices, Leases and every metallb.io kind with its schemas. */
export function defaultResources(options: ResourceSetOptions = {}): ResourceType[] {
  const out: ResourceType[] = [
    core('namespaces', 'Namespace', false, true),
    core('nodes', 'Node', false, true),
    core('services', 'Service', true, true),
    core('endpoints', 'Endpoints', true, false),
    core('secrets', 'Secret', true, false),
    core('configmaps', 'ConfigMap', true, false),
    core('pods', 'Pod', true, true),
    core('events', 'Event', true, false),
    {
      group: 'discovery.k8s.io',
      versions: options.endpointSliceVersions ?? ['v1'],
      plural: 'endpointslices',
      kind: 'EndpointSlice',
      namespaced: true,
      status: false,
      statusKeeps: 'spec',
    },
    {
      group: 'coordination.k8s.io',
      versions: ['v1'],
      plural: 'leases',
      kind: 'Lease',
      namespaced: true,
      status: false,
      statusKeeps: 'spec',
    },
    {
      group: 'apiextensions.k8s.io',
      versions: ['v1'],
      plural: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      namespaced: false,
      status: true,
      statusKeeps: 'all-but-status',
      shortNames: ['crd', 'crds'],
    },
  ];
  for (const crd of metallbCrds()) {
    const storage = crd.spec.versions.find((v) => v.storage);
    const versions = [storage!.name, ...crd.spec.versions.filter((v) => !v.storage).map((v) => v.name)];
    out.push({
      group: crd.spec.group,
      versions,
      plural: crd.spec.names.plural,
      kind: crd.spec.names.kind,
      namespaced: crd.spec.scope === 'Namespaced',
      status: crd.spec.versions.some((v) => v.subresources?.status !== undefined),
      statusKeeps: 'all-but-status',
      schemas: Object.fromEntries(crd.spec.versions.map((v) => [v.name, v.schema.openAPIV3Schema])),
    });
  }
  return out;
}
