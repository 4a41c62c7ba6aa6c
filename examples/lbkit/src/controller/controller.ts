import type { Clock, Logger } from '@lbkit/core';
import { createAllocator, type AllocateResult, type Allocator, type PoolCounts } from '@lbkit/ipam';
import {
  ConfigTracker,
  additionalAssignFailedEvent,
  allocationFailedEvent,
  clearAssignmentEvent,
  deprecatedAnnotationEvent,
  ipAllocatedEvent,
  loadBalancerFailedEvent,
  mapService,
  notEnoughClusterIpsEvent,
  statusMatches,
  toIpamConfig,
  toIpamRequest,
  toRestoreEntry,
  type ConfigState,
  type DesiredServiceStatus,
  type Service,
  type ServiceEventText,
} from '@lbkit/k8s-adapter';
import type { ObjectSet } from '../objects/object-set.js';

/**
 * The BGP implementation the configuration is checked against: lbkit's own speaker, which supports BFD,
 * graceful restart, IPv6 and large communities (MetalLB's `native` mode refuses them).
 */
export const BGP_MODE = 'lbkit' as const;

/** What the controller wants written for one Service. */
export interface StatusWrite {
  readonly service: Service;
  readonly key: string;
  readonly desired: DesiredServiceStatus;
}

/** An event to record on a Service. */
export interface EventWrite {
  readonly service: Service;
  readonly key: string;
  readonly event: ServiceEventText;
}

/** The outcome of one reconcile pass. */
export interface ReconcileOutput {
  readonly config: ConfigState;
  /** Status changes only: Services whose status already matches are left out. */
  readonly statuses: readonly StatusWrite[];
  readonly events: readonly EventWrite[];
  readonly counts: readonly PoolCounts[];
  /** The allocation of every handled Service, by key (for `explain` and logs). */
  readonly results: ReadonlyMap<string, AllocateResult>;
}

/** Options of {@link Controller}. */
export interface ControllerInit {
  /** The namespace MetalLB's objects live in. */
  readonly namespace: string;
  /** The load-balancer class served ('' = Services without a class). */
  readonly loadBalancerClass: string;
  /** Milliseconds a released address stays reserved for its last holder (ipam's reuse cooldown). */
  readonly reuseCooldownMs?: number;
}

/**
 * The controller's decisions, composed from @lbkit/k8s-adapter (configuration, Service mapping, event texts)
 * and @lbkit/ipam (allocation). It reads whole object sets and returns what to write; the caller writes it
 * to a cluster or to a state file. After a restart the first pass restores every Service's current
 * addresses before allocating anything, so no address moves.
 */
export class Controller {
  readonly #init: ControllerInit;
  readonly #log: Logger;
  readonly #tracker: ConfigTracker;
  readonly #allocator: Allocator;
  #generation = -1;
  #restored = false;
  readonly #known = new Set<string>();

  constructor(init: ControllerInit, components: { clock: Clock; logger: Logger }) {
    this.#init = init;
    this.#log = components.logger;
    this.#tracker = new ConfigTracker(
      { component: 'controller', namespace: init.namespace, bgpMode: BGP_MODE },
      { clock: components.clock },
    );
    this.#allocator = createAllocator({ reuseCooldownMs: init.reuseCooldownMs ?? 0 }, { clock: components.clock });
  }

  /** The allocator, for read-only questions (explain, counts). */
  get allocator(): Allocator {
    return this.#allocator;
  }

  reconcile(objects: ObjectSet): ReconcileOutput {
    const config = this.#tracker.update(objects.config);
    const statuses: StatusWrite[] = [];
    const events: EventWrite[] = [];
    const results = new Map<string, AllocateResult>();
    if (config.config === undefined) {
      // Before the first valid configuration MetalLB touches no Service (§3.1 step 2).
      for (const e of config.errors) this.#log.warn({ field: e.field, kind: e.kind, object: e.name }, e.message);
      return { config, statuses, events, counts: [], results };
    }
    if (config.generation !== this.#generation) {
      const report = this.#allocator.setConfig(toIpamConfig(config.config));
      this.#generation = config.generation;
      for (const c of report.changes)
        this.#log.info({ service: c.key, kind: c.kind, cause: c.cause }, 'configuration change affects service');
    }
    if (!config.stale && config.errors.length === 0 && config.reason !== 'unchanged') {
      this.#log.info({ generation: config.generation, pools: config.config.pools.size }, 'configuration applied');
    }

    const mapped = objects.services.map((service) => ({
      service,
      mapping: mapService(service, { loadBalancerClass: this.#init.loadBalancerClass }),
    }));

    if (!this.#restored) {
      // Services that already hold addresses go first, so none can take another's address (ipam orders them).
      const entries = mapped.flatMap(({ mapping }) =>
        mapping.handled && mapping.request.currentIps.length > 0
          ? [toRestoreEntry(mapping.request, objects.namespaces)]
          : [],
      );
      for (const r of this.#allocator.restore(entries)) {
        if (!r.ok) this.#log.warn({ service: r.key, reason: r.reason }, `restore: ${r.message}`);
      }
      this.#restored = true;
    }

    const seen = new Set<string>();
    for (const { service, mapping } of mapped) {
      const key = `${service.metadata?.namespace ?? 'default'}/${service.metadata?.name ?? ''}`;
      seen.add(key);
      if (!mapping.handled) {
        // Not ours (type or class changed): give back anything we held and clear what we wrote.
        if (this.#allocator.release(key) !== undefined || (service.status?.loadBalancer?.ingress ?? []).length > 0) {
          if (this.#known.has(key)) this.#push(statuses, service, key, { ips: [] });
        }
        this.#known.delete(key);
        continue;
      }
      this.#known.add(key);
      const req = mapping.request;
      for (const a of req.deprecatedAnnotations) events.push({ service, key, event: deprecatedAnnotationEvent(a) });
      if (req.problems.length > 0) {
        const message = req.problems.map((p) => p.message).join('; ');
        events.push({ service, key, event: loadBalancerFailedEvent(message) });
        continue;
      }
      const result = this.#allocator.allocate(toIpamRequest(req, objects.namespaces));
      results.set(key, result);
      if (result.ok) {
        this.#push(statuses, service, key, { ips: result.assignment.ips, pool: result.assignment.pool });
        if (result.action !== 'kept') events.push({ service, key, event: ipAllocatedEvent(result.assignment.ips) });
        if (result.partial === true)
          events.push({
            service,
            key,
            event: additionalAssignFailedEvent('no address of the other family is available in the pool'),
          });
      } else {
        if (result.previous !== undefined)
          events.push({ service, key, event: clearAssignmentEvent(key, result.message) });
        if (result.reason === 'not-enough-cluster-ips') {
          events.push({ service, key, event: notEnoughClusterIpsEvent(service.spec?.clusterIPs ?? []) });
        } else {
          events.push({ service, key, event: allocationFailedEvent(key, result.message) });
        }
        this.#push(statuses, service, key, { ips: [] });
      }
    }
    for (const key of [...this.#known]) {
      if (seen.has(key)) continue;
      this.#allocator.release(key);
      this.#known.delete(key);
    }
    return { config, statuses, events, counts: this.#allocator.counts(), results };
  }

  #push(out: StatusWrite[], service: Service, key: string, desired: DesiredServiceStatus): void {
    if (!statusMatches(service, desired)) out.push({ service, key, desired });
  }
}
