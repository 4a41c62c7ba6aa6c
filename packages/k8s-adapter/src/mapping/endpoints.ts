/** EndpointSlices → which endpoints can serve, per node (reference: metallb.md §2). Pure. */
import type { EndpointSlice } from '../api/core.js';

/** Topology key older (v1beta1) slices carried the node name in. */
const HOSTNAME_TOPOLOGY = 'kubernetes.io/hostname';

/** One endpoint address with its node and state. */
export interface EndpointInfo {
  readonly address: string;
  readonly node: string | undefined;
  readonly ready: boolean;
  readonly serving: boolean;
}

/** The serving state of one Service's endpoints. */
export interface ServiceEndpoints {
  readonly endpoints: readonly EndpointInfo[];
  /** True when any endpoint can serve (required before any node announces, even with Cluster policy). */
  readonly servingAnywhere: boolean;
  /** Nodes hosting at least one endpoint that can serve (for Local policy). */
  readonly servingNodes: ReadonlySet<string>;
}

/**
 * An endpoint can serve when `ready` is unset or true, or `serving` is true (terminating-but-serving
 * counts), as MetalLB decides.
 */
export function canServe(
  conditions: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null } | undefined,
): boolean {
  const ready = conditions?.ready;
  return ready === undefined || ready === null || ready === true || conditions?.serving === true;
}

/** Folds a Service's EndpointSlices into per-node serving state. */
export function mapEndpoints(slices: readonly EndpointSlice[]): ServiceEndpoints {
  const endpoints: EndpointInfo[] = [];
  const servingNodes = new Set<string>();
  let servingAnywhere = false;
  for (const s of slices) {
    for (const ep of s.endpoints ?? []) {
      const node = ep.nodeName ?? ep.topology?.[HOSTNAME_TOPOLOGY];
      const serving = canServe(ep.conditions);
      const ready = ep.conditions?.ready !== false;
      for (const address of ep.addresses ?? []) {
        endpoints.push({ address, node, ready, serving });
        if (serving) {
          servingAnywhere = true;
          if (node !== undefined) servingNodes.add(node);
        }
      }
    }
  }
  return { endpoints, servingAnywhere, servingNodes };
}
