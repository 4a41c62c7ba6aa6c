import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@lbkit/core';
import type { PoolCounts } from '@lbkit/ipam';
import {
  StatusObjectWriter,
  poolStatusFromCounts,
  type ConfigState,
  type IPAddressPool,
  type OwnerReference,
} from '@lbkit/k8s-adapter';

/** Options of {@link ControllerStatusSync}. */
export interface ControllerStatusSyncInit {
  /** MetalLB's namespace. */
  readonly namespace: string;
  /** Owner of the ConfigurationState when it is created (the controller's Pod or Deployment). */
  readonly owner?: OwnerReference;
}

/**
 * The controller's status writes besides Services: each IPAddressPool's counters (`status.assignedIPv4`,
 * `availableIPv4`, …) and the `controller` ConfigurationState. Writes only what changed since the last
 * write, compared with the pools as the watcher last saw them.
 */
export class ControllerStatusSync {
  readonly #writer: StatusObjectWriter;
  readonly #log: Logger;
  #configWritten = '';

  constructor(kc: KubeConfig, init: ControllerStatusSyncInit, components: { logger: Logger }) {
    this.#writer = new StatusObjectWriter(kc, {
      namespace: init.namespace,
      ...(init.owner === undefined ? {} : { owner: init.owner }),
    });
    this.#log = components.logger;
  }

  /**
   * Writes the pool counters that differ from `pools` (the cached objects, with their status) and the
   * ConfigurationState when it changed. Returns how many objects were written.
   */
  async sync(config: ConfigState, counts: readonly PoolCounts[], pools: readonly IPAddressPool[]): Promise<number> {
    let written = 0;
    const text = JSON.stringify(config.status);
    if (text !== this.#configWritten) {
      await this.#writer.writeConfigurationState(config.status);
      this.#configWritten = text;
      written++;
    }
    // Counts are only meaningful for the configuration in force; a stale one keeps the last good counts.
    const known = new Map(pools.map((p) => [p.metadata?.name ?? '', p.status]));
    for (const c of counts) {
      if (!known.has(c.pool)) continue;
      const status = poolStatusFromCounts(c);
      const outcome = await this.#writer.writePoolStatus(c.pool, status, sameShape(known.get(c.pool)));
      if (outcome === 'updated') {
        written++;
        this.#log.debug({ pool: c.pool, ...status }, 'pool status');
      }
    }
    return written;
  }
}

/** The cached status reduced to the counters we write, so an unrelated field never forces a write. */
function sameShape(
  s: IPAddressPool['status'],
): { assignedIPv4: number; assignedIPv6: number; availableIPv4: number; availableIPv6: number } | undefined {
  if (s === undefined) return undefined;
  return {
    assignedIPv4: s.assignedIPv4 ?? -1,
    assignedIPv6: s.assignedIPv6 ?? -1,
    availableIPv4: s.availableIPv4 ?? -1,
    availableIPv6: s.availableIPv6 ?? -1,
  };
}
