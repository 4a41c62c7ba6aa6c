import type { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Logger } from '@lbkit/core';
import {
  ClusterWatcher,
  type ConfigInput,
  EventRecorder,
  LeaseElector,
  ServiceStatusWriter,
  createLeaseStore,
  ensureMemberlistSecret,
} from '@lbkit/k8s-adapter';
import { Controller } from './controller.js';
import { syncControllerMetrics } from './metrics-sync.js';
import { ControllerStatusSync } from './status-sync.js';
import type { Metrics } from '../ops/metrics.js';
import { objectSetOf } from '../objects/object-set.js';

/** Options of {@link ClusterController}. */
export interface ClusterControllerInit {
  readonly namespace: string;
  readonly loadBalancerClass: string;
  /** This replica's identity for leader election (the pod name). */
  readonly identity: string;
  /** The Lease both replicas compete for. */
  readonly leaseName?: string;
  /** Coalescing window for bursts of watch events, in milliseconds. */
  readonly debounceMs?: number;
  /**
   * The Secret holding the speakers' memberlist key (MetalLB's `--ml-secret-name`), created at start when
   * missing. Empty creates none. @default 'memberlist'
   */
  readonly memberlistSecret?: string;
}

/**
 * The controller against a cluster: informers feed a cache; while this replica holds the Lease, every
 * change (coalesced) runs a reconcile and the status and event writes it asks for. Two or more replicas
 * are safe: only the Lease holder writes.
 */
export class ClusterController {
  readonly #init: ClusterControllerInit;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #watcher: ClusterWatcher;
  readonly #writer: ServiceStatusWriter;
  readonly #events: EventRecorder;
  readonly #elector: LeaseElector;
  readonly #kc: KubeConfig;
  readonly #statusSync: ControllerStatusSync;
  #controller: Controller;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #dirty = false;
  #synced = false;
  #stopped = false;

  constructor(kc: KubeConfig, init: ClusterControllerInit, components: { logger: Logger; metrics?: Metrics }) {
    this.#init = init;
    this.#kc = kc;
    this.#log = components.logger;
    this.#metrics = components.metrics;
    this.#watcher = new ClusterWatcher(kc, { namespace: init.namespace }, { logger: components.logger });
    this.#writer = new ServiceStatusWriter(kc, {}, { logger: components.logger });
    this.#events = new EventRecorder(kc, { component: 'metallb-controller' }, { logger: components.logger });
    this.#elector = new LeaseElector(
      { identity: init.identity },
      {
        clock: realClock,
        store: createLeaseStore(kc, init.namespace, init.leaseName ?? 'lbkit-controller'),
        logger: components.logger,
      },
    );
    this.#statusSync = new ControllerStatusSync(kc, { namespace: init.namespace }, { logger: components.logger });
    this.#controller = this.#newController();
  }

  /** True once the caches are synced and a valid configuration is in force. */
  get ready(): boolean {
    return this.#synced;
  }

  /**
   * True once every watched kind has been listed, so the cache holds the whole configuration (the
   * admission webhook denies until then).
   */
  get synced(): boolean {
    return this.#synced;
  }

  /** Every configuration object as cached now, on every replica, leader or not (the webhook's view). */
  configInput(): ConfigInput {
    return this.#watcher.configInput();
  }

  get leader(): boolean {
    return this.#elector.isLeader();
  }

  async start(): Promise<void> {
    const secret = this.#init.memberlistSecret ?? 'memberlist';
    if (secret !== '') {
      // Every replica makes sure it exists; the first one creates it and the others read theirs.
      try {
        const r = await ensureMemberlistSecret(this.#kc, { namespace: this.#init.namespace, name: secret });
        if (r.created) this.#log.info({ secret: `${this.#init.namespace}/${secret}` }, 'memberlist key created');
      } catch (err) {
        this.#log.error(
          { secret: `${this.#init.namespace}/${secret}`, err: (err as Error).message },
          'cannot create the memberlist key Secret; speakers without a key run unencrypted',
        );
      }
    }
    this.#watcher.onChange(() => this.#schedule());
    await this.#watcher.start();
    this.#synced = true;
    this.#elector.onEvent((e) => {
      this.#log.info({ event: e.kind, ...('identity' in e ? { holder: e.identity } : {}) }, 'leader election');
      if (e.kind === 'started-leading') {
        // A fresh allocator restores from the statuses in the cluster, as after a restart.
        this.#controller = this.#newController();
        this.#schedule();
      }
    });
    await this.#elector.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
    await this.#elector.stop();
    await this.#watcher.stop();
  }

  #newController(): Controller {
    return new Controller(
      { namespace: this.#init.namespace, loadBalancerClass: this.#init.loadBalancerClass },
      { clock: realClock, logger: this.#log },
    );
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running
        .then(() => this.#pass())
        .catch((err: unknown) => {
          this.#metrics?.k8s.updateErrors.inc();
          this.#log.error({ err: (err as Error).message }, 'reconcile failed; will retry');
          setTimeout(() => this.#schedule(), 1000).unref();
        });
    }, this.#init.debounceMs ?? 50);
  }

  async #pass(): Promise<void> {
    if (!this.#dirty || !this.#elector.isLeader()) return;
    this.#dirty = false;
    const objects = objectSetOf(this.#watcher);
    const out = this.#controller.reconcile(objects);
    if (this.#metrics !== undefined) syncControllerMetrics(this.#metrics, out.config, out.counts);
    for (const s of out.statuses) {
      const ns = s.service.metadata?.namespace ?? 'default';
      const name = s.service.metadata?.name ?? '';
      const r = await this.#writer.write(ns, name, s.desired, s.service);
      this.#metrics?.k8s.updates.inc();
      this.#log.info({ service: s.key, ips: s.desired.ips, outcome: r.outcome }, 'service status');
    }
    for (const e of out.events) await this.#events.record(e.service, e.event.type, e.event.reason, e.event.message);
    // Pool counters and the controller's ConfigurationState, each only when it changed.
    await this.#statusSync.sync(out.config, out.counts, this.#watcher.configInput().ipAddressPools ?? []);
  }
}
