import { modeSupports, unsupportedText } from './bgp-modes.js';
import type { BGPAdvertisement, L2Advertisement } from '../api/metallb.js';
import type { LabelSelector } from '../api/meta.js';
import { parseCommunity, formatCommunity, type CommunityValue } from './community.js';
import {
  byName,
  checkDuplicates,
  isIntIn,
  ownNodeLabels,
  resolveNodes,
  subjectOf,
  type ParseContext,
} from './context.js';
import type { IssueSubject } from './issue.js';
import { anyMatches, parseSelector, parseSelectorList } from './selector.js';
import type { BgpAdvertisementConfig, L2AdvertisementConfig, NodePreference, PoolConfig } from './types.js';

/** MetalLB's default aggregation lengths: one host route per address. */
export const DEFAULT_AGGREGATION_LENGTH = 32;
export const DEFAULT_AGGREGATION_LENGTH_V6 = 128;

function selectPools(
  ctx: ParseContext,
  subj: IssueSubject,
  names: readonly string[] | undefined,
  selectors: readonly LabelSelector[] | undefined,
  pools: ReadonlyMap<string, PoolConfig>,
): string[] | undefined {
  const unique = checkDuplicates(names, subj, 'spec.ipAddressPools', 'pool name', ctx.issues);
  const sel = parseSelectorList(selectors, subj, 'spec.ipAddressPoolSelectors', ctx.issues);
  if (sel === undefined) return undefined;
  if (unique.length === 0 && sel.length === 0) return [...pools.keys()].sort();
  const out = new Set<string>();
  unique.forEach((n) => {
    if (pools.has(n)) out.add(n);
    else ctx.issues.warn(subj, 'spec.ipAddressPools', n, 'no IPAddressPool of this name; ignored until one exists');
  });
  if (sel.length > 0) for (const p of pools.values()) if (sel.some((s) => s.matches(p.labels))) out.add(p.name);
  return [...out].sort();
}

/** Parses every L2Advertisement against the parsed pools. */
export function parseL2Advertisements(
  ctx: ParseContext,
  list: readonly L2Advertisement[] | undefined,
  pools: ReadonlyMap<string, PoolConfig>,
): L2AdvertisementConfig[] {
  const out: L2AdvertisementConfig[] = [];
  for (const ad of byName(list)) {
    const subj = subjectOf('L2Advertisement', ad);
    const spec = ad.spec ?? {};
    const before = ctx.issues.errors.length;
    const selected = selectPools(ctx, subj, spec.ipAddressPools, spec.ipAddressPoolSelectors, pools);
    const nodeSel = parseSelectorList(spec.nodeSelectors, subj, 'spec.nodeSelectors', ctx.issues);
    const svcSel = parseSelectorList(spec.serviceSelectors, subj, 'spec.serviceSelectors', ctx.issues);
    const nodes = nodeSel === undefined ? new Set<string>() : resolveNodes(ctx, nodeSel);
    const preferences: NodePreference[] = [];
    (spec.preferredNodeSelectors ?? []).forEach((p, i) => {
      const f = `spec.preferredNodeSelectors[${i}]`;
      if (!isIntIn(p.weight, 1, 100))
        ctx.issues.error(subj, `${f}.weight`, p.weight, 'weight must be an integer in 1..100');
      if (p.preference === undefined || p.preference === null) {
        ctx.issues.error(subj, `${f}.preference`, p.preference, 'preference is required');
        return;
      }
      const sel = parseSelector(p.preference, subj, `${f}.preference`, ctx.issues);
      if (sel === undefined) return;
      const matched = new Set<string>();
      for (const n of ctx.nodes) {
        const name = n.metadata?.name;
        if (name !== undefined && nodes.has(name) && sel.matches(n.metadata?.labels)) matched.add(name);
      }
      preferences.push({ weight: p.weight, selector: sel, nodes: matched });
    });
    if (ctx.issues.errors.length !== before || selected === undefined || nodeSel === undefined || svcSel === undefined)
      continue;
    out.push({
      name: subj.name,
      pools: selected,
      nodeSelectors: nodeSel,
      nodes,
      interfaces: [...(spec.interfaces ?? [])],
      serviceSelectors: svcSel,
      preferences,
    });
  }
  return out;
}

/** Parses every BGPAdvertisement against the parsed pools and community aliases. */
export function parseBgpAdvertisements(
  ctx: ParseContext,
  list: readonly BGPAdvertisement[] | undefined,
  pools: ReadonlyMap<string, PoolConfig>,
  aliases: ReadonlyMap<string, CommunityValue>,
): BgpAdvertisementConfig[] {
  const out: BgpAdvertisementConfig[] = [];
  const own = ownNodeLabels(ctx);
  for (const ad of byName(list)) {
    const subj = subjectOf('BGPAdvertisement', ad);
    const spec = ad.spec ?? {};
    const before = ctx.issues.errors.length;
    const nodeSel = parseSelectorList(spec.nodeSelectors, subj, 'spec.nodeSelectors', ctx.issues);
    // A speaker parses only the advertisements that select its own node, so one node's problem does not
    // stop every other node.
    if (own !== undefined && nodeSel !== undefined && !anyMatches(nodeSel, own)) continue;
    const selected = selectPools(ctx, subj, spec.ipAddressPools, spec.ipAddressPoolSelectors, pools);
    const svcSel = parseSelectorList(spec.serviceSelectors, subj, 'spec.serviceSelectors', ctx.issues);
    const agg = spec.aggregationLength ?? DEFAULT_AGGREGATION_LENGTH;
    const agg6 = spec.aggregationLengthV6 ?? DEFAULT_AGGREGATION_LENGTH_V6;
    if (!isIntIn(agg, 1, 32))
      ctx.issues.error(
        subj,
        'spec.aggregationLength',
        spec.aggregationLength,
        'aggregation length must be an integer in 1..32',
      );
    if (!isIntIn(agg6, 1, 128)) {
      ctx.issues.error(
        subj,
        'spec.aggregationLengthV6',
        spec.aggregationLengthV6,
        'aggregation length must be an integer in 1..128',
      );
    }
    const localPref = spec.localPref ?? 0;
    if (!isIntIn(localPref, 0, 4294967295))
      ctx.issues.error(subj, 'spec.localPref', spec.localPref, 'local preference must be an integer in 0..4294967295');
    if ((svcSel?.length ?? 0) > 0 && (agg !== DEFAULT_AGGREGATION_LENGTH || agg6 !== DEFAULT_AGGREGATION_LENGTH_V6)) {
      ctx.issues.error(
        subj,
        'spec.serviceSelectors',
        spec.serviceSelectors,
        'serviceSelectors can only be used with the default aggregation lengths (32 and 128)',
      );
    }
    const communities = new Map<string, CommunityValue>();
    const seen = new Set<string>();
    (spec.communities ?? []).forEach((text, i) => {
      const f = `spec.communities[${i}]`;
      if (seen.has(text)) ctx.issues.error(subj, f, text, 'duplicate community');
      seen.add(text);
      let c = aliases.get(text);
      if (c === undefined) {
        const r = parseCommunity(text);
        if (!r.ok) {
          if (r.shape === 'unknown') ctx.issues.transient(subj, f, text, r.reason);
          else ctx.issues.error(subj, f, text, r.reason);
          return;
        }
        c = r.community;
      }
      if (c.type === 'large' && !modeSupports(ctx.mode, 'largeCommunities')) {
        ctx.issues.error(
          subj,
          f,
          text,
          ctx.mode === 'native'
            ? 'large communities are not supported in native BGP mode'
            : unsupportedText(ctx.mode, 'large communities are not supported'),
        );
        return;
      }
      communities.set(formatCommunity(c), c);
    });
    const peers = checkDuplicates(spec.peers, subj, 'spec.peers', 'peer name', ctx.issues);
    if (selected !== undefined && isIntIn(agg, 1, 32) && isIntIn(agg6, 1, 128)) {
      for (const name of selected) {
        const pool = pools.get(name);
        if (pool === undefined) continue;
        for (const r of pool.ranges) {
          const want = r.family === 4 ? agg : agg6;
          const shortest = Math.min(...r.prefixes.map((p) => p.length));
          if (want < shortest) {
            ctx.issues.error(
              subj,
              r.family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6',
              want,
              `aggregation length is shorter than prefix length ${shortest} of addresses ${JSON.stringify(r.text)} of IPAddressPool ${name}`,
            );
          }
          if (r.family === 6 && !modeSupports(ctx.mode, 'ipv6')) {
            ctx.issues.error(
              subj,
              'spec.ipAddressPools',
              name,
              `native BGP mode does not support IPv6: IPAddressPool ${name} has IPv6 addresses`,
            );
            break;
          }
        }
      }
    }
    if (ctx.issues.errors.length !== before || selected === undefined || nodeSel === undefined || svcSel === undefined)
      continue;
    out.push({
      name: subj.name,
      pools: selected,
      aggregationLength: agg,
      aggregationLengthV6: agg6,
      localPref,
      communities: [...communities.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c),
      nodeSelectors: nodeSel,
      nodes: resolveNodes(ctx, nodeSel),
      peers: [...peers].sort(),
      serviceSelectors: svcSel,
    });
  }
  checkLocalPrefConflicts(ctx, out, pools);
  return out;
}

function intersects<T>(a: ReadonlySet<T> | readonly T[], b: ReadonlySet<T> | readonly T[]): boolean {
  const bs = b instanceof Set ? b : new Set(b as readonly T[]);
  for (const x of a) if (bs.has(x)) return true;
  return false;
}

/**
 * Two advertisements that can put the same prefix on the same session from the same node must agree on
 * LOCAL_PREF. With serviceSelectors the conflict depends on the Service, so it is left to announce time.
 */
function checkLocalPrefConflicts(
  ctx: ParseContext,
  ads: BgpAdvertisementConfig[],
  pools: ReadonlyMap<string, PoolConfig>,
): void {
  for (let i = 0; i < ads.length; i++) {
    for (let j = i + 1; j < ads.length; j++) {
      const a = ads[i]!;
      const b = ads[j]!;
      if (a.localPref === b.localPref || a.serviceSelectors.length > 0 || b.serviceSelectors.length > 0) continue;
      if (a.peers.length > 0 && b.peers.length > 0 && !intersects(a.peers, b.peers)) continue;
      if (!intersects(a.nodes, b.nodes)) continue;
      const shared = a.pools.filter((p) => b.pools.includes(p));
      const clash = shared.find((name) => {
        const pool = pools.get(name);
        if (pool === undefined) return false;
        const v4 = pool.ranges.some((r) => r.family === 4);
        const v6 = pool.ranges.some((r) => r.family === 6);
        return (
          (v4 && a.aggregationLength === b.aggregationLength) || (v6 && a.aggregationLengthV6 === b.aggregationLengthV6)
        );
      });
      if (clash !== undefined) {
        ctx.issues.error(
          { kind: 'BGPAdvertisement', namespace: ctx.namespace, name: b.name },
          'spec.localPref',
          b.localPref,
          `conflicts with localPref ${a.localPref} of BGPAdvertisement ${a.name} for IPAddressPool ${clash}`,
        );
      }
    }
  }
}
