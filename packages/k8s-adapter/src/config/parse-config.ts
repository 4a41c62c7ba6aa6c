/**
 * The configuration as a pure function: MetalLB's objects (plus Namespaces, Nodes and Secrets) in, a typed
 * {@link LbConfig} or the list of everything wrong out.
 */
import { modeSupports, unsupportedText } from './bgp-modes.js';
import type { Namespace, Node, Secret } from '../api/core.js';
import type {
  BFDProfile,
  BGPAdvertisement,
  BGPPeer,
  BGPPeerV1beta1,
  Community,
  IPAddressPool,
  L2Advertisement,
} from '../api/metallb.js';
import type { KubeObject } from '../api/meta.js';
import { formatCommunity, parseCommunity, type CommunityValue } from './community.js';
import { byName, isIntIn, subjectOf, type ParseContext } from './context.js';
import { IssueList } from './issue.js';
import { parseBgpAdvertisements, parseL2Advertisements } from './parse-advertisements.js';
import { parsePeers } from './parse-peers.js';
import { parsePools } from './parse-pools.js';
import type { BfdProfileConfig, BgpMode, LbConfig, ParseResult } from './types.js';

/** Every object the configuration is made from. Lists may be absent (treated as empty). */
export interface ConfigInput {
  ipAddressPools?: readonly IPAddressPool[];
  l2Advertisements?: readonly L2Advertisement[];
  bgpAdvertisements?: readonly BGPAdvertisement[];
  bgpPeers?: readonly (BGPPeer | BGPPeerV1beta1)[];
  bfdProfiles?: readonly BFDProfile[];
  communities?: readonly Community[];
  namespaces?: readonly Namespace[];
  nodes?: readonly Node[];
  secrets?: readonly Secret[];
}

/** Options of {@link parseConfig}. */
export interface ParseOptions {
  /** The namespace MetalLB's objects live in; objects elsewhere are ignored. */
  namespace: string;
  /**
   * Which BGP implementation the configuration must suit.
   * @default 'native' — MetalLB's default (`METALLB_BGP_TYPE` unset): its Go speaker's limits. The lbkit
   * binary passes `'lbkit'`: what lbkit's speaker supports (BFD, graceful restart, IPv6, large communities).
   */
  bgpMode?: BgpMode;
  /**
   * Parse for the speaker of this node: BGPPeers and BGPAdvertisements not selecting it are skipped, so a
   * problem on one node does not stop the others. Omit for the controller.
   */
  nodeName?: string;
}

/** BFD defaults FRR applies when a profile leaves a field unset. */
export const BFD_DEFAULTS = {
  receiveIntervalMs: 300,
  transmitIntervalMs: 300,
  detectMultiplier: 3,
  echoIntervalMs: 50,
  minimumTtl: 254,
} as const;

function inNamespace<T extends KubeObject>(list: readonly T[] | undefined, ns: string): T[] {
  return (list ?? []).filter((o) => (o.metadata?.namespace ?? ns) === ns);
}

function parseBfdProfiles(ctx: ParseContext, list: readonly BFDProfile[]): Map<string, BfdProfileConfig> {
  const out = new Map<string, BfdProfileConfig>();
  for (const p of byName(list)) {
    const subj = subjectOf('BFDProfile', p);
    const s = p.spec ?? {};
    const before = ctx.issues.errors.length;
    if (!modeSupports(ctx.mode, 'bfdProfile')) {
      ctx.issues.error(subj, 'spec', undefined, unsupportedText(ctx.mode, 'BFD profiles are not supported'));
      continue;
    }
    const check = (field: keyof typeof s, min: number, max: number) => {
      const v = s[field];
      if (v !== undefined && !isIntIn(v, min, max))
        ctx.issues.error(subj, `spec.${field}`, v, `must be an integer in ${min}..${max}`);
    };
    check('receiveInterval', 10, 60000);
    check('transmitInterval', 10, 60000);
    check('detectMultiplier', 2, 255);
    check('echoInterval', 10, 60000);
    check('minimumTtl', 1, 254);
    if (ctx.issues.errors.length !== before) continue;
    out.set(subj.name, {
      name: subj.name,
      receiveIntervalMs: s.receiveInterval ?? BFD_DEFAULTS.receiveIntervalMs,
      transmitIntervalMs: s.transmitInterval ?? BFD_DEFAULTS.transmitIntervalMs,
      detectMultiplier: s.detectMultiplier ?? BFD_DEFAULTS.detectMultiplier,
      echoIntervalMs: s.echoInterval ?? BFD_DEFAULTS.echoIntervalMs,
      echoMode: s.echoMode ?? false,
      passiveMode: s.passiveMode ?? false,
      minimumTtl: s.minimumTtl ?? BFD_DEFAULTS.minimumTtl,
    });
  }
  return out;
}

function parseCommunityAliases(ctx: ParseContext, list: readonly Community[]): Map<string, CommunityValue> {
  const out = new Map<string, CommunityValue>();
  const owner = new Map<string, string>();
  for (const c of byName(list)) {
    const subj = subjectOf('Community', c);
    (c.spec?.communities ?? []).forEach((alias, i) => {
      const f = `spec.communities[${i}]`;
      if (typeof alias.name !== 'string' || alias.name === '') {
        ctx.issues.error(subj, `${f}.name`, alias.name, 'alias name must not be empty');
        return;
      }
      const prev = owner.get(alias.name);
      if (prev !== undefined) {
        ctx.issues.error(
          subj,
          `${f}.name`,
          alias.name,
          prev === subj.name ? 'duplicate alias name' : `duplicate alias name, already defined by Community ${prev}`,
        );
        return;
      }
      owner.set(alias.name, subj.name);
      const r = parseCommunity(String(alias.value ?? ''));
      if (!r.ok) {
        ctx.issues.error(subj, `${f}.value`, alias.value, r.reason);
        return;
      }
      if (r.community.type === 'large' && !modeSupports(ctx.mode, 'largeCommunities')) {
        ctx.issues.error(
          subj,
          `${f}.value`,
          alias.value,
          ctx.mode === 'native'
            ? 'large communities are not supported in native BGP mode'
            : unsupportedText(ctx.mode, 'large communities are not supported'),
        );
        return;
      }
      out.set(alias.name, r.community);
    });
  }
  return out;
}

/**
 * Builds the typed configuration. Pure: the same input always gives the same result, errors included
 * (in a stable order).
 */
export function parseConfig(input: ConfigInput, options: ParseOptions): ParseResult {
  const ns = options.namespace;
  const issues = new IssueList();
  const ctx: ParseContext = {
    namespace: ns,
    mode: options.bgpMode ?? 'native',
    nodeName: options.nodeName,
    nodes: input.nodes ?? [],
    namespaces: input.namespaces ?? [],
    secrets: input.secrets ?? [],
    issues,
  };
  const communities = parseCommunityAliases(ctx, inNamespace(input.communities, ns));
  const bfdProfiles = parseBfdProfiles(ctx, inNamespace(input.bfdProfiles, ns));
  const pools = parsePools(ctx, inNamespace(input.ipAddressPools, ns));
  const l2Advertisements = parseL2Advertisements(ctx, inNamespace(input.l2Advertisements, ns), pools);
  const bgpAdvertisements = parseBgpAdvertisements(ctx, inNamespace(input.bgpAdvertisements, ns), pools, communities);
  const peers = parsePeers(ctx, inNamespace(input.bgpPeers, ns), inNamespace(input.bfdProfiles, ns));

  // BFD echo mode is IPv4-only in FRR: a peer with an echo profile must not receive IPv6 prefixes.
  for (const peer of peers) {
    const profile = peer.bfdProfile === undefined ? undefined : bfdProfiles.get(peer.bfdProfile);
    if (profile === undefined || !profile.echoMode) continue;
    for (const ad of bgpAdvertisements) {
      if (ad.peers.length > 0 && !ad.peers.includes(peer.name)) continue;
      const v6 = ad.pools.find((p) => pools.get(p)?.ranges.some((r) => r.family === 6));
      if (v6 !== undefined) {
        issues.error(
          { kind: 'BGPPeer', namespace: ns, name: peer.name },
          'spec.bfdProfile',
          peer.bfdProfile,
          `BFD echo mode cannot be used with IPv6: BGPAdvertisement ${ad.name} sends IPAddressPool ${v6} to this peer`,
        );
        break;
      }
    }
  }
  if (issues.errors.length > 0) return { ok: false, errors: issues.errors, warnings: issues.warnings };
  const config: LbConfig = { pools, l2Advertisements, bgpAdvertisements, peers, bfdProfiles, communities };
  return { ok: true, config, warnings: issues.warnings };
}

/** Text of a community alias map, for logs. */
export function describeCommunities(m: ReadonlyMap<string, CommunityValue>): string {
  return [...m.entries()].map(([k, v]) => `${k}=${formatCommunity(v)}`).join(',');
}
