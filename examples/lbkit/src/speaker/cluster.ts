import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@lbkit/core';
import {
  ClusterWatcher,
  EventRecorder,
  StatusObjectWriter,
  memberSeeds,
  memberlistKey,
  nodeAssignedEvent,
  type OwnerReference,
  type Service,
} from '@lbkit/k8s-adapter';
import type { Metrics } from '../ops/metrics.js';
import { objectSetOf } from '../objects/object-set.js';
import type { MemberLike, NodeSpeaker } from './node-speaker.js';

/** Options of {@link ClusterSpeaker}. */
export interface ClusterSpeakerInit {
  /** MetalLB's namespace: configuration, Secrets, the other speakers' Pods, status objects. */
  readonly namespace: string;
  readonly nodeName: string;
  /** This speaker's memberlist address; left out of the seeds. */
  readonly bindAddress: string;
  /** The memberlist port of every speaker (the seeds are `<pod IP>:<port>`). */
  readonly memberPort: number;
  /** Label selector of the speaker Pods (MetalLB's `--ml-labels`); unset discovers no seeds. */
  readonly podSelector?: string;
  /** Owner of the status objects this speaker creates (its Pod), so they go with it. */
  readonly owner?: OwnerReference;
  /** Coalescing window for bursts of watch events, in milliseconds. @default 50 */
  readonly debounceMs?: number;
  /** How often every known speaker that is not a member is joined again, in milliseconds. @default 60000 */
  readonly rejoinMs?: number;
}

/** Injected parts. */
export interface ClusterSpeakerComponents {
  readonly logger: Logger;
  /** The node's speaker, fed from the cluster. */
  readonly speaker: NodeSpeaker;
  /** Its election member, joined through the other speakers' Pods. */
  readonly member: MemberLike;
  readonly metrics?: Metrics;
}

/**
 * The speaker against a cluster: informers feed the node's {@link NodeSpeaker} (configuration, Services,
 * EndpointSlices, Nodes, Namespaces, Secrets); the other speakers' Pods seed the membership; and what the
 * node announces is written back — ServiceL2Status for the layer 2 Services it owns, ServiceBGPStatus for
 * the Services it advertises, its ConfigurationState, and a `nodeAssigned` event when it starts announcing
 * a Service.
 */
export class ClusterSpeaker {
  readonly #init: ClusterSpeakerInit;
  readonly #c: ClusterSpeakerComponents;
  readonly #log: Logger;
  readonly #watcher: ClusterWatcher;
  readonly #status: StatusObjectWriter;
  readonly #events: EventRecorder;
  /** Services whose status objects this speaker wrote, with what it wrote. */
  readonly #l2Written = new Map<string, string>();
  readonly #bgpWritten = new Map<string, string>();
  #configWritten = '';
  #joined = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #statusTimer: NodeJS.Timeout | undefined;
  #rejoin: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #statusRunning: Promise<void> = Promise.resolve();
  #unsubscribe: Array<() => void> = [];
  #synced = false;
  #stopped = false;

  constructor(kc: KubeConfig, init: ClusterSpeakerInit, components: ClusterSpeakerComponents) {
    this.#init = init;
    this.#c = components;
    this.#log = components.logger;
    this.#watcher = new ClusterWatcher(
      kc,
      { namespace: init.namespace, ...(init.podSelector === undefined ? {} : { podSelector: init.podSelector }) },
      { logger: components.logger },
    );
    this.#status = new StatusObjectWriter(kc, {
      namespace: init.namespace,
      node: init.nodeName,
      ...(init.owner === undefined ? {} : { owner: init.owner }),
    });
    this.#events = new EventRecorder(
      kc,
      { component: 'metallb-speaker', host: init.nodeName },
      { logger: components.logger },
    );
  }

  /** True once every cache holds its first list. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The seeds joined so far. */
  get seeds(): readonly string[] {
    return [...this.#joined].sort();
  }

  /**
   * Reads the memberlist key from the Secret `name` in MetalLB's namespace, waiting up to `timeoutMs` for
   * the controller to create it. Undefined when it does not appear.
   */
  static async readMemberlistKey(
    kc: KubeConfig,
    namespace: string,
    name: string,
    timeoutMs: number,
  ): Promise<string | undefined> {
    const core = kc.makeApiClient(CoreV1Api);
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        const key = memberlistKey(await core.readNamespacedSecret({ namespace, name }));
        if (key !== undefined) return key;
      } catch {
        // not there yet, or the API is not reachable yet
      }
      if (Date.now() >= end) return undefined;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Starts the watches; resolves once the caches are synced and the first pass ran. */
  async start(): Promise<void> {
    this.#unsubscribe.push(
      this.#watcher.onChange((c) => {
        if (c.kind === 'Pod') this.#joinSeeds();
        else this.#schedule();
      }),
    );
    this.#unsubscribe.push(this.#c.speaker.onChange(() => this.#scheduleStatus()));
    await this.#watcher.start();
    this.#synced = true;
    this.#joinSeeds();
    this.#rejoin = setInterval(() => this.#joinSeeds(true), this.#init.rejoinMs ?? 60_000);
    this.#rejoin.unref();
    this.#schedule();
    await this.#running;
  }

  /**
   * Stops the watches. The ServiceL2Status objects of this node are removed (best effort, `graceful`),
   * since the next owner is about to write its own.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const t of [this.#timer, this.#statusTimer]) if (t !== undefined) clearTimeout(t);
    if (this.#rejoin !== undefined) clearInterval(this.#rejoin);
    await this.#running;
    await this.#statusRunning;
    if (options.graceful === true)
      for (const key of this.#l2Written.keys())
        await this.#status.withdrawL2(ref(key)).catch((err: unknown) => {
          this.#log.warn({ service: key, err: (err as Error).message }, 'could not remove ServiceL2Status');
        });
    await this.#watcher.stop();
  }

  #joinSeeds(all = false): void {
    if (this.#stopped || this.#init.podSelector === undefined) return;
    const seeds = memberSeeds(this.#watcher.pods(), this.#init.memberPort, this.#init.bindAddress);
    const members = new Set(
      this.#c.member
        .members()
        .filter((m) => m.status === 'alive' || m.status === 'suspect')
        .map((m) => m.name),
    );
    // Every new seed; on the periodic pass, every seed again while some speaker is not a member yet.
    const fresh = all ? (members.size - 1 < seeds.length ? seeds : []) : seeds.filter((s) => !this.#joined.has(s));
    if (fresh.length === 0) return;
    for (const s of fresh) this.#joined.add(s);
    this.#log.info({ seeds: fresh }, 'joining the other speakers');
    Promise.resolve(this.#c.member.join(fresh)).catch((err: unknown) =>
      this.#log.warn({ err: (err as Error).message }, 'join failed; retrying on the next pass'),
    );
  }

  #schedule(): void {
    if (this.#stopped || !this.#synced || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#running
        .then(() => this.#pass())
        .catch((err: unknown) => {
          this.#metrics()?.k8s.updateErrors.inc();
          this.#log.error({ err: (err as Error).message }, 'speaker update failed; will retry');
          setTimeout(() => this.#schedule(), 1000).unref();
        });
    }, this.#init.debounceMs ?? 50);
  }

  #metrics(): Metrics | undefined {
    return this.#c.metrics;
  }

  async #pass(): Promise<void> {
    if (this.#stopped) return;
    const objects = objectSetOf(this.#watcher);
    await this.#c.speaker.update(objects);
    this.#metrics()?.k8s.updates.inc();
    const state = this.#c.speaker.configState;
    if (state !== undefined) {
      const text = JSON.stringify(state.status);
      if (text !== this.#configWritten) {
        await this.#status.writeConfigurationState(state.status);
        this.#configWritten = text;
      }
    }
    this.#scheduleStatus();
  }

  #scheduleStatus(): void {
    if (this.#stopped || this.#statusTimer !== undefined) return;
    this.#statusTimer = setTimeout(() => {
      this.#statusTimer = undefined;
      this.#statusRunning = this.#statusRunning
        .then(() => this.#writeStatus())
        .catch((err: unknown) => {
          this.#log.error({ err: (err as Error).message }, 'status write failed; will retry');
          setTimeout(() => this.#scheduleStatus(), 1000).unref();
        });
    }, this.#init.debounceMs ?? 50);
  }

  /** Brings ServiceL2Status and ServiceBGPStatus in line with what the node announces now. */
  async #writeStatus(): Promise<void> {
    if (this.#stopped) return;
    const l2 = new Map(this.#c.speaker.l2Announcements().map((a) => [a.service, a.interfaces.join(',')]));
    for (const [key, ifaces] of l2) {
      if (this.#l2Written.get(key) === ifaces) continue;
      const outcome = await this.#status.announceL2(ref(key), ifaces === '' ? [] : ifaces.split(','));
      const first = !this.#l2Written.has(key);
      this.#l2Written.set(key, ifaces);
      this.#log.info({ service: key, outcome }, 'ServiceL2Status');
      if (first) await this.#event(key, 'layer2');
    }
    for (const key of [...this.#l2Written.keys()])
      if (!l2.has(key)) {
        await this.#status.withdrawL2(ref(key));
        this.#l2Written.delete(key);
      }
    const bgp = new Map([...this.#c.speaker.bgpServicePeers()].map(([k, v]) => [k, v.join(',')]));
    for (const [key, peers] of bgp) {
      if (this.#bgpWritten.get(key) === peers) continue;
      const first = !this.#bgpWritten.has(key);
      await this.#status.setBgp(ref(key), peers.split(','));
      this.#bgpWritten.set(key, peers);
      if (first) await this.#event(key, 'bgp');
    }
    for (const key of [...this.#bgpWritten.keys()])
      if (!bgp.has(key)) {
        await this.#status.setBgp(ref(key), []);
        this.#bgpWritten.delete(key);
      }
  }

  async #event(key: string, protocol: 'layer2' | 'bgp'): Promise<void> {
    const { namespace, name } = ref(key);
    const svc: Service | undefined = this.#watcher.service(namespace, name);
    if (svc === undefined) return;
    const e = nodeAssignedEvent(this.#init.nodeName, protocol);
    await this.#events.record(svc, e.type, e.reason, e.message);
  }
}

function ref(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
