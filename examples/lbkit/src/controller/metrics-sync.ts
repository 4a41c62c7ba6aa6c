import type { PoolCounts } from '@lbkit/ipam';
import type { ConfigState } from '@lbkit/k8s-adapter';
import type { Metrics } from '../ops/metrics.js';

/** Copies pool counts and configuration state into the exported gauges (MetalLB's names). */
export function syncControllerMetrics(metrics: Metrics, config: ConfigState, counts: readonly PoolCounts[]): void {
  metrics.k8s.configLoaded.set(config.loaded ? 1 : 0);
  metrics.k8s.configStale.set(config.stale ? 1 : 0);
  const a = metrics.allocator;
  for (const g of [
    a.addressesTotal,
    a.ipv4AddressesTotal,
    a.ipv6AddressesTotal,
    a.addressesInUse,
    a.ipv4AddressesInUse,
    a.ipv6AddressesInUse,
    a.servicesAllocated,
  ])
    g.reset();
  for (const c of counts) {
    const pool = { pool: c.pool };
    const s = c.saturated;
    a.addressesTotal.set(pool, Math.min(Number.MAX_SAFE_INTEGER, s.ipv4.capacity + s.ipv6.capacity));
    a.ipv4AddressesTotal.set(pool, s.ipv4.capacity);
    a.ipv6AddressesTotal.set(pool, s.ipv6.capacity);
    a.addressesInUse.set(pool, s.ipv4.assigned + s.ipv6.assigned);
    a.ipv4AddressesInUse.set(pool, s.ipv4.assigned);
    a.ipv6AddressesInUse.set(pool, s.ipv6.assigned);
    a.servicesAllocated.set(pool, c.services);
  }
}
