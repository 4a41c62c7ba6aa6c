import type { BGPPeer, BGPPeerV1beta1 } from './metallb.js';

/** True when a BGPPeer object is in the deprecated v1beta1 shape. */
export function isBGPPeerV1beta1(peer: BGPPeer | BGPPeerV1beta1): peer is BGPPeerV1beta1 {
  return peer.apiVersion === 'metallb.io/v1beta1';
}

/**
 * Converts a v1beta1 BGPPeer to v1beta2. The node selector type carries the same JSON as a LabelSelector;
 * a v1beta1 port of 0 means "unset" (v1beta2 defaults it to 179).
 */
export function convertBGPPeerToV1beta2(peer: BGPPeerV1beta1): BGPPeer {
  const { peerPort, nodeSelectors, ...rest } = peer.spec;
  const spec: BGPPeer['spec'] = { ...rest };
  if (peerPort !== undefined && peerPort !== 0) spec.peerPort = peerPort;
  if (nodeSelectors !== undefined) {
    spec.nodeSelectors = nodeSelectors.map((s) => ({
      ...(s.matchLabels === undefined ? {} : { matchLabels: { ...s.matchLabels } }),
      ...(s.matchExpressions === undefined
        ? {}
        : {
            matchExpressions: s.matchExpressions.map((e) => ({
              key: e.key,
              operator: e.operator,
              values: [...e.values],
            })),
          }),
    }));
  }
  const out: BGPPeer = { ...peer, apiVersion: 'metallb.io/v1beta2', spec };
  return out;
}

/** Converts a v1beta2 BGPPeer to v1beta1, dropping the fields v1beta1 does not have. */
export function convertBGPPeerToV1beta1(peer: BGPPeer): BGPPeerV1beta1 {
  const s = peer.spec;
  const spec: BGPPeerV1beta1['spec'] = { myASN: s.myASN, peerASN: s.peerASN ?? 0, peerAddress: s.peerAddress ?? '' };
  const copy = [
    'sourceAddress',
    'peerPort',
    'holdTime',
    'keepaliveTime',
    'routerID',
    'password',
    'passwordSecret',
    'bfdProfile',
    'ebgpMultiHop',
    'vrf',
  ] as const;
  for (const k of copy) if (s[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = s[k];
  if (s.nodeSelectors !== undefined) {
    spec.nodeSelectors = s.nodeSelectors.map((sel) => ({
      ...(sel.matchLabels === undefined ? {} : { matchLabels: { ...sel.matchLabels } }),
      ...(sel.matchExpressions === undefined
        ? {}
        : {
            matchExpressions: sel.matchExpressions.map((e) => ({
              key: e.key,
              operator: e.operator,
              values: [...(e.values ?? [])],
            })),
          }),
    }));
  }
  return { ...peer, apiVersion: 'metallb.io/v1beta1', spec };
}
