import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  Community,
  IPAddressPool,
  L2Advertisement,
} from '../../src/api/metallb.js';
import type { Node, Namespace, Secret } from '../../src/api/core.js';

export const NS = 'metallb-system';
const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  namespace: NS,
  ...(labels ? { labels } : {}),
});

export const pool = (
  name: string,
  spec: Partial<IPAddressPool['spec']>,
  labels?: Record<string, string>,
): IPAddressPool => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: meta(name, labels),
  spec: { addresses: [], ...spec },
});
export const l2 = (name: string, spec: L2Advertisement['spec'] = {}): L2Advertisement => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: meta(name),
  spec,
});
export const bgpAd = (name: string, spec: BGPAdvertisement['spec'] = {}): BGPAdvertisement => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BGPAdvertisement',
  metadata: meta(name),
  spec,
});
export const peer = (name: string, spec: Partial<BGPPeer['spec']>): BGPPeer => ({
  apiVersion: 'metallb.io/v1beta2',
  kind: 'BGPPeer',
  metadata: meta(name),
  spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', ...spec },
});
export const bfd = (name: string, spec: BFDProfile['spec'] = {}): BFDProfile => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'BFDProfile',
  metadata: meta(name),
  spec,
});
export const community = (name: string, communities: { name: string; value: string }[]): Community => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'Community',
  metadata: meta(name),
  spec: { communities },
});
export const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels } });
export const namespace = (name: string, labels: Record<string, string> = {}): Namespace => ({
  metadata: { name, labels },
});
export const secret = (name: string, type: string, data: Record<string, string>): Secret => ({
  metadata: { name, namespace: NS },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});
