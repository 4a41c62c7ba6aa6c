import type { IpFamily } from '@lbkit/core';
import { DEFAULT_PRIORITY } from '../constants.js';
import { IpamConfigError, PoolOverlapError } from '../errors.js';
import type { IpamConfig, LabelSelector, PoolConfig } from '../types.js';
import { countBuggyIpv4, formatInterval, parseAddressEntry, type AddressBlock } from './addresses.js';
import { canonicalSelector, checkLabelSelector } from './label-selector.js';

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The parts of `serviceAllocation` the allocator uses, pre-digested. */
export interface CompiledAllocation {
  readonly priority: number;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
  /** `namespaces` or `namespaceSelectors` is non-empty: the namespace must be admitted. */
  readonly fenced: boolean;
  /** No namespaces, no namespace selectors, no service selectors: matches every service (metallb.md §1.1). */
  readonly priorityOnly: boolean;
}

/** A validated pool. */
export interface CompiledPool {
  readonly name: string;
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly allocation: CompiledAllocation | undefined;
  /** Blocks of each family in configuration order (the address walk order, metallb.md §3.3). */
  readonly blocks: { readonly 4: readonly AddressBlock[]; readonly 6: readonly AddressBlock[] };
  readonly capacity: { readonly 4: bigint; readonly 6: bigint };
}

/** A block with its pool, for address → pool lookups. */
export interface OwnedBlock extends AddressBlock {
  readonly pool: CompiledPool;
}

/** A validated configuration with the indexes the allocator needs. */
export interface CompiledConfig {
  readonly source: IpamConfig;
  readonly pools: ReadonlyMap<string, CompiledPool>;
  /** All pools by name. */
  readonly byName: readonly CompiledPool[];
  /**
   * Pools that take part in pinned automatic choice (metallb.md §3.2 step 1): autoAssign and a
   * serviceAllocation; sorted by priority (positive ascending, then 0) and name.
   */
  readonly pinned: readonly CompiledPool[];
  /** Generic fallback pools: autoAssign and no serviceAllocation, by name. */
  readonly generic: readonly CompiledPool[];
  /** Every block of a family sorted by first address, for binary search. */
  readonly sorted: { readonly 4: readonly OwnedBlock[]; readonly 6: readonly OwnedBlock[] };
}

/**
 * Validates a configuration and builds its indexes. Throws {@link IpamConfigError} naming pool, field and
 * value, or {@link PoolOverlapError} naming both pools and the overlap.
 */
export function compileConfig(config: IpamConfig): CompiledConfig {
  if (typeof config !== 'object' || config === null || !Array.isArray(config.pools)) {
    throw new IpamConfigError('', 'pools', 'an object with a pools array', config);
  }
  const source = structuredClone(config);
  const pools = new Map<string, CompiledPool>();
  for (let i = 0; i < source.pools.length; i++) {
    const pool = compilePool(source.pools[i], i);
    if (pools.has(pool.name)) throw new IpamConfigError(pool.name, `pools[${i}].name`, 'a unique pool name', pool.name);
    pools.set(pool.name, pool);
  }
  const byName = [...pools.values()].sort((a, b) => compareNames(a.name, b.name));
  const sorted = { 4: sortBlocks(byName, 4), 6: sortBlocks(byName, 6) };
  const pinned = byName.filter((p) => p.autoAssign && p.allocation !== undefined).sort(comparePriority);
  const generic = byName.filter((p) => p.autoAssign && p.allocation === undefined);
  return { source, pools, byName, pinned, generic, sorted };
}

/** Code-unit order of names, independent of locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePriority(a: CompiledPool, b: CompiledPool): number {
  const pa = rank(a.allocation?.priority ?? DEFAULT_PRIORITY);
  const pb = rank(b.allocation?.priority ?? DEFAULT_PRIORITY);
  return pa !== pb ? pa - pb : compareNames(a.name, b.name);
}

/** Positive priorities first in ascending order, then 0. */
function rank(priority: number): number {
  return priority > 0 ? priority : Number.MAX_SAFE_INTEGER;
}

function sortBlocks(pools: readonly CompiledPool[], family: IpFamily): OwnedBlock[] {
  const all: OwnedBlock[] = [];
  for (const pool of pools) for (const b of pool.blocks[family]) all.push({ ...b, pool });
  all.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  // Sorted by first address, any overlap shows between a block and the furthest-reaching block before it.
  let reach: OwnedBlock | undefined;
  for (const b of all) {
    if (reach !== undefined && b.first <= reach.last) {
      const end = b.last < reach.last ? b.last : reach.last;
      throw new PoolOverlapError(
        reach.pool.name,
        reach.entry,
        b.pool.name,
        b.entry,
        formatInterval(family, b.first, end),
      );
    }
    if (reach === undefined || b.last > reach.last) reach = b;
  }
  return all;
}

function compilePool(raw: unknown, index: number): CompiledPool {
  const at = `pools[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new IpamConfigError('', at, 'a pool object', raw);
  const p = raw as PoolConfig;
  if (typeof p.name !== 'string' || p.name.length === 0)
    throw new IpamConfigError('', `${at}.name`, 'a non-empty string', p.name);
  const name = p.name;
  if (!Array.isArray(p.addresses) || p.addresses.length === 0) {
    throw new IpamConfigError(name, 'addresses', 'a non-empty list of CIDRs or ranges', p.addresses);
  }
  if (p.autoAssign !== undefined && typeof p.autoAssign !== 'boolean') {
    throw new IpamConfigError(name, 'autoAssign', 'a boolean', p.autoAssign);
  }
  if (p.avoidBuggyIPs !== undefined && typeof p.avoidBuggyIPs !== 'boolean') {
    throw new IpamConfigError(name, 'avoidBuggyIPs', 'a boolean', p.avoidBuggyIPs);
  }
  const avoidBuggyIPs = p.avoidBuggyIPs ?? false;
  const blocks: { 4: AddressBlock[]; 6: AddressBlock[] } = { 4: [], 6: [] };
  const capacity = { 4: 0n, 6: 0n };
  for (let i = 0; i < p.addresses.length; i++) {
    const parsed = parseAddressEntry(p.addresses[i]);
    if (!('first' in parsed)) throw new IpamConfigError(name, `addresses[${i}]`, parsed.expected, p.addresses[i]);
    blocks[parsed.family].push(parsed);
    let size = parsed.last - parsed.first + 1n;
    if (avoidBuggyIPs && parsed.family === 4) size -= countBuggyIpv4(parsed.first, parsed.last);
    capacity[parsed.family] += size;
  }
  return {
    name,
    autoAssign: p.autoAssign ?? true,
    avoidBuggyIPs,
    allocation: p.serviceAllocation === undefined ? undefined : compileAllocation(name, p.serviceAllocation),
    blocks,
    capacity,
  };
}

function compileAllocation(pool: string, raw: unknown): CompiledAllocation {
  const at = 'serviceAllocation';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new IpamConfigError(pool, at, 'an object', raw);
  const sa = raw as NonNullable<PoolConfig['serviceAllocation']>;
  const priority = sa.priority ?? DEFAULT_PRIORITY;
  // MetalLB accepts negative priorities and then orders them arbitrarily; a clear error is kinder.
  if (typeof priority !== 'number' || !Number.isSafeInteger(priority) || priority < 0) {
    throw new IpamConfigError(pool, `${at}.priority`, 'a non-negative integer', priority);
  }
  const namespaces = new Set<string>();
  const nsList = sa.namespaces ?? [];
  if (!Array.isArray(nsList))
    throw new IpamConfigError(pool, `${at}.namespaces`, 'an array of namespace names', nsList);
  for (let i = 0; i < nsList.length; i++) {
    const ns = nsList[i];
    if (typeof ns !== 'string' || !NAMESPACE_NAME.test(ns)) {
      throw new IpamConfigError(pool, `${at}.namespaces[${i}]`, 'a namespace name (RFC 1123 label)', ns);
    }
    if (namespaces.has(ns)) throw new IpamConfigError(pool, `${at}.namespaces[${i}]`, 'no duplicate namespaces', ns);
    namespaces.add(ns);
  }
  const namespaceSelectors = checkSelectors(pool, `${at}.namespaceSelectors`, sa.namespaceSelectors);
  const serviceSelectors = checkSelectors(pool, `${at}.serviceSelectors`, sa.serviceSelectors);
  const fenced = namespaces.size > 0 || namespaceSelectors.length > 0;
  return {
    priority,
    namespaces,
    namespaceSelectors,
    serviceSelectors,
    fenced,
    priorityOnly: !fenced && serviceSelectors.length === 0,
  };
}

function checkSelectors(pool: string, field: string, raw: unknown): LabelSelector[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new IpamConfigError(pool, field, 'an array of label selectors', raw);
  const seen = new Set<string>();
  const out: LabelSelector[] = [];
  for (let i = 0; i < raw.length; i++) {
    const problem = checkLabelSelector(raw[i]);
    if (problem !== undefined) {
      throw new IpamConfigError(
        pool,
        `${field}[${i}]${problem.field === '' ? '' : `.${problem.field}`}`,
        problem.expected,
        problem.value,
      );
    }
    const sel = raw[i] as LabelSelector;
    const id = canonicalSelector(sel);
    if (seen.has(id)) throw new IpamConfigError(pool, `${field}[${i}]`, 'no duplicate selectors', sel);
    seen.add(id);
    out.push(sel);
  }
  return out;
}

/**
 * Checks a configuration without building an allocator (for admission webhooks and linters). Throws
 * {@link IpamConfigError} or {@link PoolOverlapError} exactly as `createAllocator` and `setConfig` would.
 */
export function validateConfig(config: IpamConfig): void {
  compileConfig(config);
}
