import type { ConfigInput, EndpointSlice, Namespace, Node, Secret, Service } from '@lbkit/k8s-adapter';

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
