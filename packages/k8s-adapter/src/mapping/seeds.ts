/** Speaker Pods → the memberlist addresses to join through (MetalLB's discovery by `--ml-labels`). Pure. */
import type { Pod } from '../api/core.js';

/**
 * The `host:port` of every other speaker that can be joined: Pods not finished (phase neither Succeeded nor
 * Failed) and not being deleted, with an address. Host-network speakers have the node's address as Pod
 * address. `self` (this speaker's own bind address) is left out. Sorted, without duplicates; IPv6 hosts are
 * bracketed.
 */
export function memberSeeds(pods: readonly Pod[], port: number, self?: string): string[] {
  const out = new Set<string>();
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    if (p.metadata?.deletionTimestamp !== undefined) continue;
    const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip;
    if (ip === undefined || ip === '' || ip === self) continue;
    out.add(ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  }
  return [...out].sort();
}
