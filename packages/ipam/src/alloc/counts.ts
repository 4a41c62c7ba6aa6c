import { SATURATION_LIMIT } from '../constants.js';
import type { FamilyCounts, PoolCounts, SaturatedFamilyCounts } from '../types.js';
import type { PoolState } from './state.js';

/** A bigint count as a number, saturated at `Number.MAX_SAFE_INTEGER` (metrics cannot carry 2^96). */
export function saturate(n: bigint): number {
  return n >= BigInt(SATURATION_LIMIT) ? SATURATION_LIMIT : Number(n);
}

/** Exact and saturated counts of one pool. */
export function countPool(ps: PoolState): PoolCounts {
  const fam = (f: 4 | 6): FamilyCounts => {
    const capacity = ps.pool.capacity[f];
    const assigned = BigInt(ps.assigned[f]);
    const quarantined = BigInt(ps.quarantined[f]);
    return { capacity, assigned, quarantined, available: capacity - assigned - quarantined };
  };
  const sat = (c: FamilyCounts): SaturatedFamilyCounts => ({
    capacity: saturate(c.capacity),
    assigned: saturate(c.assigned),
    quarantined: saturate(c.quarantined),
    available: saturate(c.available),
  });
  const ipv4 = fam(4);
  const ipv6 = fam(6);
  return { pool: ps.pool.name, ipv4, ipv6, services: ps.services, saturated: { ipv4: sat(ipv4), ipv6: sat(ipv6) } };
}
