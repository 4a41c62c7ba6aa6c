/** Nodes → what announcing needs: labels, NetworkUnavailable, the exclude-from-load-balancers label. Pure. */
import type { Node } from '../api/core.js';
import { EXCLUDE_FROM_LB_LABEL } from '../constants.js';

/** A node as the speakers see it. */
export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Condition `NetworkUnavailable=True`. */
  readonly networkUnavailable: boolean;
  /** Carries `node.kubernetes.io/exclude-from-external-load-balancers` (any value). */
  readonly excludedFromLoadBalancers: boolean;
}

/** Maps a Node. */
export function mapNode(node: Node): NodeInfo {
  const labels = { ...(node.metadata?.labels ?? {}) };
  return {
    name: node.metadata?.name ?? '',
    labels,
    networkUnavailable: (node.status?.conditions ?? []).some(
      (c) => c.type === 'NetworkUnavailable' && c.status === 'True',
    ),
    excludedFromLoadBalancers: EXCLUDE_FROM_LB_LABEL in labels,
  };
}

/**
 * True when a node may announce: not NetworkUnavailable and, unless `ignoreExcludeLabel` (MetalLB's
 * `--ignore-exclude-lb`), not labelled exclude-from-external-load-balancers. Other conditions (NotReady,
 * taints, cordon) are not considered, as in MetalLB.
 */
export function canAnnounce(node: NodeInfo, ignoreExcludeLabel = false): boolean {
  return !node.networkUnavailable && (ignoreExcludeLabel || !node.excludedFromLoadBalancers);
}
