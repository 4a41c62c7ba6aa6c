import { parseIp, parsePrefix, rangeToPrefixes, formatPrefix, prefixLast, type IpFamily } from '@lbkit/core';
import type { IPAddressPool } from '../api/metallb.js';
import { byName, checkDuplicates, isIntIn, subjectOf, type ParseContext } from './context.js';
import { anyMatches, parseSelectorList } from './selector.js';
import type { PoolAddressRange, PoolConfig, PoolServiceAllocation } from './types.js';

/** Parses one `spec.addresses` entry; the problem text when it is invalid. */
export function parseAddressEntry(text: string): { range: PoolAddressRange; hostBits: boolean } | string {
  if (typeof text !== 'string') return 'expected a CIDR or an address range';
  if (text.includes('/')) {
    let strict = true;
    let p;
    try {
      p = parsePrefix(text.trim());
    } catch {
      try {
        p = parsePrefix(text.trim(), { strict: false });
        strict = false;
      } catch {
        return 'not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)';
      }
    }
    return {
      range: { text, family: p.family, first: p.base, last: prefixLast(p), prefixes: [p] },
      hostBits: !strict,
    };
  }
  const dash = text.indexOf('-');
  if (dash === -1) return 'not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)';
  let a, b;
  try {
    a = parseIp(text.slice(0, dash).trim());
    b = parseIp(text.slice(dash + 1).trim());
  } catch {
    return 'not a CIDR (192.0.2.0/24) or an address range (192.0.2.10-192.0.2.20)';
  }
  if (a.family !== b.family) return 'range mixes IPv4 and IPv6';
  if (a.value > b.value) return 'range start is after its end';
  return {
    range: {
      text,
      family: a.family,
      first: a.value,
      last: b.value,
      prefixes: rangeToPrefixes(a.family, a.value, b.value),
    },
    hostBits: false,
  };
}

/** Parses every IPAddressPool, including the cross-pool overlap check. */
export function parsePools(ctx: ParseContext, pools: readonly IPAddressPool[] | undefined): Map<string, PoolConfig> {
  const { issues } = ctx;
  const out = new Map<string, PoolConfig>();
  const all: { pool: string; index: number; range: PoolAddressRange }[] = [];
  for (const p of byName(pools)) {
    const subj = subjectOf('IPAddressPool', p);
    const spec = p.spec ?? ({} as IPAddressPool['spec']);
    const before = issues.errors.length;
    const addresses = spec.addresses ?? [];
    if (!Array.isArray(addresses) || addresses.length === 0) {
      issues.error(subj, 'spec.addresses', spec.addresses, 'pool has no prefixes defined');
    }
    const ranges: PoolAddressRange[] = [];
    (Array.isArray(addresses) ? addresses : []).forEach((text, i) => {
      const r = parseAddressEntry(text);
      if (typeof r === 'string') {
        issues.error(subj, `spec.addresses[${i}]`, text, r);
        return;
      }
      if (r.hostBits) {
        issues.warn(
          subj,
          `spec.addresses[${i}]`,
          text,
          `host bits set; the whole network ${formatPrefix(r.range.prefixes[0]!)} is used`,
        );
      }
      ranges.push(r.range);
      all.push({ pool: subj.name, index: i, range: r.range });
    });
    if (spec.autoAssign !== undefined && typeof spec.autoAssign !== 'boolean') {
      issues.error(subj, 'spec.autoAssign', spec.autoAssign, 'expected a boolean');
    }
    if (spec.avoidBuggyIPs !== undefined && typeof spec.avoidBuggyIPs !== 'boolean') {
      issues.error(subj, 'spec.avoidBuggyIPs', spec.avoidBuggyIPs, 'expected a boolean');
    }
    let serviceAllocation: PoolServiceAllocation | undefined;
    const sa = spec.serviceAllocation;
    if (sa !== undefined && sa !== null) {
      const priority = sa.priority ?? 0;
      if (!isIntIn(priority, -2147483648, 2147483647)) {
        issues.error(subj, 'spec.serviceAllocation.priority', sa.priority, 'expected an integer');
      }
      const names = checkDuplicates(sa.namespaces, subj, 'spec.serviceAllocation.namespaces', 'namespace', issues);
      const nsSel = parseSelectorList(sa.namespaceSelectors, subj, 'spec.serviceAllocation.namespaceSelectors', issues);
      const svcSel = parseSelectorList(sa.serviceSelectors, subj, 'spec.serviceAllocation.serviceSelectors', issues);
      const namespaces = new Set(names);
      if (nsSel !== undefined && nsSel.length > 0) {
        for (const ns of ctx.namespaces) {
          const n = ns.metadata?.name;
          if (n !== undefined && anyMatches(nsSel, ns.metadata?.labels)) namespaces.add(n);
        }
      }
      serviceAllocation = {
        priority: typeof priority === 'number' ? priority : 0,
        namespaces,
        namespaceSelectors: nsSel ?? [],
        serviceSelectors: svcSel ?? [],
        spec: structuredClone(sa),
      };
    }
    if (issues.errors.length !== before) continue;
    const cfg: PoolConfig = {
      name: subj.name,
      labels: { ...(p.metadata?.labels ?? {}) },
      ranges,
      autoAssign: spec.autoAssign ?? true,
      avoidBuggyIPs: spec.avoidBuggyIPs ?? false,
      ...(serviceAllocation === undefined ? {} : { serviceAllocation }),
    };
    out.set(subj.name, cfg);
  }
  // No address may belong to two entries, in one pool or across pools: sweep each family in address order.
  for (const family of [4, 6] as IpFamily[]) {
    const list = all
      .filter((e) => e.range.family === family)
      .sort((x, y) => (x.range.first < y.range.first ? -1 : x.range.first > y.range.first ? 1 : 0));
    let widest: (typeof list)[number] | undefined;
    for (const e of list) {
      if (widest !== undefined && e.range.first <= widest.range.last) {
        const other = widest.pool === e.pool ? 'of the same pool' : `of IPAddressPool ${widest.pool}`;
        const ns = ctx.namespace;
        issues.error(
          { kind: 'IPAddressPool', namespace: ns, name: e.pool },
          `spec.addresses[${e.index}]`,
          e.range.text,
          `overlaps ${JSON.stringify(widest.range.text)} ${other}`,
        );
        out.delete(e.pool);
      }
      if (widest === undefined || e.range.last > widest.range.last) widest = e;
    }
  }
  return out;
}
