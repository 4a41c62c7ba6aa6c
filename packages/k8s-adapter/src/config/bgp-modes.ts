import type { BgpMode } from './types.js';

/** BGPPeer and advertisement features whose support depends on the BGP implementation. */
export type BgpFeature =
  | 'dynamicASN'
  | 'localASN'
  | 'interface'
  | 'keepaliveTime'
  | 'connectTime'
  | 'bfdProfile'
  | 'enableGracefulRestart'
  | 'vrf'
  | 'dualStackAddressFamily'
  | 'disableMP'
  | 'largeCommunities'
  | 'ipv6';

const ALL: ReadonlySet<BgpFeature> = new Set<BgpFeature>([
  'dynamicASN',
  'localASN',
  'interface',
  'keepaliveTime',
  'connectTime',
  'bfdProfile',
  'enableGracefulRestart',
  'vrf',
  'dualStackAddressFamily',
  'disableMP',
  'largeCommunities',
  'ipv6',
]);

/**
 * What each mode accepts. `native` is MetalLB's own Go speaker (nothing on this list); the FRR modes accept
 * everything; `lbkit` is lbkit's speaker: BFD, graceful restart, IPv6, large communities and timers, but
 * not (yet) unnumbered peers, VRFs, dynamic or local-AS overrides.
 */
const SUPPORT: Readonly<Record<BgpMode, ReadonlySet<BgpFeature>>> = {
  native: new Set(),
  frr: ALL,
  'frr-k8s': ALL,
  lbkit: new Set<BgpFeature>([
    'keepaliveTime',
    'connectTime',
    'bfdProfile',
    'enableGracefulRestart',
    'dualStackAddressFamily',
    'disableMP',
    'largeCommunities',
    'ipv6',
  ]),
};

/** Whether a mode supports a feature. */
export function modeSupports(mode: BgpMode, feature: BgpFeature): boolean {
  return SUPPORT[mode].has(feature);
}

/** The error text for a feature a mode does not support. */
export function unsupportedText(mode: BgpMode, what = 'not supported'): string {
  return mode === 'lbkit'
    ? `${what} by lbkit's BGP speaker`
    : `${what} in native BGP mode (needs an FRR-based BGP mode)`;
}
