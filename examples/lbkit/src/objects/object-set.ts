import type { ClusterWatcher, ConfigInput, EndpointSlice, Namespace, Node, Secret, Service } from '@lbkit/k8s-adapter';

/** Every object the controller and speaker read, grouped by kind, from a cluster or from files. */
export interface ObjectSet {
  readonly config: ConfigInput;
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  readonly namespaces: readonly Namespace[];
  readonly secrets: readonly Secret[];
}

/** An empty set. */
export function emptyObjectSet(): ObjectSet {
  return { config: {}, services: [], endpointSlices: [], nodes: [], namespaces: [], secrets: [] };
}

/** Everything a cluster watcher holds now, as one set. */
export function objectSetOf(watcher: ClusterWatcher): ObjectSet {
  const config = watcher.configInput();
  return {
    config,
    services: watcher.services(),
    endpointSlices: watcher.endpointSlices(),
    nodes: watcher.nodes(),
    namespaces: (config.namespaces ?? []) as readonly Namespace[],
    secrets: config.secrets ?? [],
  };
}
