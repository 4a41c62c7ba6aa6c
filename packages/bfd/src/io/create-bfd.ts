import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, RealClock, StartableBase, silentLogger, type Clock, type Logger } from '@lbkit/core';
import { resolveSessionConfig, type BfdSessionInit } from '../config/session-config.js';
import { BfdEngine, type BfdSessionStats, type BfdStateChange } from '../engine/engine.js';
import { BfdSessionError } from '../errors.js';
import { BfdSession, type SessionBackend } from '../service/session-handle.js';
import type { BfdTransport } from '../transport.js';
import { loadTransport } from './transport-factory.js';
import type { BfdTransportKind, EngineStats, WorkerCommand, WorkerInit, WorkerMessage } from './worker-protocol.js';

/** Options of {@link createBfd}. */
export interface BfdInit {
  /**
   * Where timers and sockets run. `worker` keeps sessions alive while the main thread is busy (garbage
   * collection, a large JSON parse); `main` is for tests with injected fakes and for comparison.
   * @default 'worker' (or 'main' when a transport or clock is injected)
   */
  readonly thread?: 'worker' | 'main';
  /**
   * Socket implementation. `auto` uses @lbkit/dgram-plus when it loads (received TTL checked) and Node's
   * dgram otherwise (TTL 255 sent, received TTL not checked: install the nftables rule from the README).
   * @default 'auto'
   */
  readonly transport?: BfdTransportKind;
  /**
   * Log level of the worker's own lines (they are forwarded to the logger).
   * @default 'info'
   */
  readonly logLevel?: WorkerInit['logLevel'];
  /**
   * Nice value (-20..19) for the worker thread only, so that on a busy node the kernel runs BFD's timers
   * ahead of the rest of the process and of other work. Negative values need CAP_SYS_NICE; without it the
   * thread keeps its priority and a warning says so.
   * @default undefined (the process's own priority)
   */
  readonly workerPriority?: number;
}

/** Injected capabilities; `clock`, `random` and `transport` force the main-thread engine. */
export interface BfdComponents {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly transport?: BfdTransport;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Where a service's engine runs: the worker thread or the main thread. */
export interface BfdBackend extends SessionBackend {
  start(): Promise<{ transport: string; receivesTtl: boolean; priority?: string }>;
  add(config: ReturnType<typeof resolveSessionConfig>): Promise<string>;
  engineStats(): Promise<EngineStats>;
  close(): Promise<void>;
}

/**
 * A set of BFD sessions. `start()` opens the worker (or the in-process engine); `addSession()` returns a
 * {@link BfdSession} whose `state` events arrive on the main thread.
 */
export class BfdService extends StartableBase {
  readonly #backend: BfdBackend;
  readonly #log: Logger;
  readonly #sessions = new Map<string, BfdSession>();
  #transportName = '';
  #receivesTtl = false;
  #priority = 'unchanged';

  /** Use {@link createBfd}. */
  constructor(backend: BfdBackend, logger: Logger) {
    super();
    this.#backend = backend;
    this.#log = logger;
  }

  /** The socket implementation in use (`dgram-plus` or `dgram`), known after start. */
  get transportName(): string {
    return this.#transportName;
  }

  /** The worker thread's scheduling priority after start: `nice N`, or `unchanged` and why. */
  get threadPriority(): string {
    return this.#priority;
  }

  /** Whether received TTLs are checked (RFC 5881 §5); false on plain dgram. */
  get receivesTtl(): boolean {
    return this.#receivesTtl;
  }

  protected override async onStart(): Promise<void> {
    const info = await this.#backend.start();
    this.#transportName = info.transport;
    this.#receivesTtl = info.receivesTtl;
    this.#priority = info.priority ?? 'unchanged';
    if (!info.receivesTtl) {
      this.#log.warn(
        { transport: info.transport },
        'bfd: received TTL cannot be read; single-hop TTL 255 (RFC 5881 §5) is not checked in process',
      );
    }
  }

  protected override async onStop(): Promise<void> {
    await this.#backend.close();
    this.#sessions.clear();
  }

  /** Validates the configuration (throwing on the calling thread), creates the session and starts it. */
  async addSession(init: BfdSessionInit): Promise<BfdSession> {
    if (!this.isStarted()) throw new BfdSessionError('start the BFD service before adding sessions');
    const config = resolveSessionConfig(init);
    const id = await this.#backend.add(config);
    const session = new BfdSession(id, config.peerAddress, config.localAddress, this.#backend, () =>
      this.#sessions.delete(id),
    );
    this.#sessions.set(id, session);
    return session;
  }

  /** Sessions by id. */
  sessions(): readonly BfdSession[] {
    return [...this.#sessions.values()];
  }

  /** Counters of every session and drops that matched none. */
  stats(): Promise<EngineStats> {
    return this.#backend.engineStats();
  }

  /** Used by the backends: routes a state change to its session. */
  deliver(change: BfdStateChange): void {
    this.#sessions.get(change.sessionId)?.dispatch(change);
  }

  /**
   * Used by the worker backend when the worker dies: every session is reported AdminDown with cause
   * `engine-stopped` and `failure: false` — the path did not fail, but BFD no longer watches it, so a BGP
   * speaker should fall back to its hold timer rather than tear the session down (RFC 5882 §3.2).
   */
  engineStopped(): void {
    for (const s of this.#sessions.values()) {
      if (s.state === 'AdminDown') continue;
      s.dispatch({
        sessionId: s.id,
        peerAddress: s.peerAddress,
        localAddress: s.localAddress,
        from: s.state,
        to: 'AdminDown',
        diag: 'administratively-down',
        cause: 'engine-stopped',
        up: false,
        failure: false,
        at: Date.now(),
        sinceLastPacketMs: undefined,
      });
    }
    this.#sessions.clear();
  }
}

/**
 * Creates a BFD service. By default its sessions run in a worker thread on real sockets; inject a transport
 * and a clock (for example `MemoryNetwork` and `ManualClock` from `@lbkit/bfd/testing` and `@lbkit/core`) to
 * run them on the main thread.
 */
export function createBfd(init: BfdInit = {}, components: BfdComponents = {}): BfdService {
  const logger = components.logger ?? silentLogger;
  const injected = components.transport !== undefined || components.clock !== undefined;
  const thread = init.thread ?? (injected ? 'main' : 'worker');
  const p = init.workerPriority;
  if (p !== undefined && (!Number.isInteger(p) || p < -20 || p > 19))
    throw new InvalidArgumentError('workerPriority', 'an integer nice value -20..19', p);
  if (thread === 'worker' && injected) {
    throw new BfdSessionError('an injected transport or clock cannot cross into the worker thread; use thread: "main"');
  }
  // The backend is built before the service it reports to; events reach the service through this slot.
  const slot: { service?: BfdService } = {};
  const deliver = (c: BfdStateChange): void => slot.service?.deliver(c);
  const backend =
    thread === 'worker'
      ? workerBackend(
          { transport: init.transport ?? 'auto', logLevel: init.logLevel ?? 'info', priority: init.workerPriority },
          logger,
          deliver,
          () => slot.service?.engineStopped(),
        )
      : mainBackend(init.transport ?? 'auto', components, logger, deliver);
  const service = new BfdService(backend, logger);
  slot.service = service;
  return service;
}

function mainBackend(
  kind: BfdTransportKind,
  components: BfdComponents,
  logger: Logger,
  deliver: (c: BfdStateChange) => void,
): BfdBackend {
  let engine: BfdEngine | undefined;
  const need = (): BfdEngine => {
    if (engine === undefined) throw new BfdSessionError('the BFD service is not started');
    return engine;
  };
  return {
    async start() {
      const loaded =
        components.transport !== undefined
          ? { name: 'injected', transport: components.transport }
          : await loadTransport(kind, (err) => logger.warn({ err: err.message }, 'bfd socket error'));
      engine = new BfdEngine(
        {
          clock: components.clock ?? new RealClock(),
          random: components.random ?? Math.random,
          transport: loaded.transport,
          logger,
        },
        { onStateChange: deliver },
      );
      return { transport: loaded.name, receivesTtl: loaded.transport.receivesTtl };
    },
    add: async (config) => need().addSession(config),
    remove: async (id) => need().removeSession(id),
    setAdminDown: async (id, down) => need().setAdminDown(id, down),
    setTimers: async (id, timers) => need().setTimers(id, timers),
    stats: async (id) => need().stats(id),
    engineStats: async () => {
      const e = need();
      return {
        sessions: e.sessionIds().length,
        drops: e.engineDrops,
        sessionStats: e.sessionIds().map((id) => e.stats(id)),
      };
    },
    async close() {
      await engine?.close();
      engine = undefined;
    },
  };
}

/** The worker script: the compiled `.js` next to this file, or the `.ts` source through tsx when running from source. */
function spawnWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./worker-entry.ts', here).href;
    const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
    return new Worker(code, { eval: true, workerData: init });
  }
  return new Worker(new URL('./worker-entry.js', here), { workerData: init });
}

function workerBackend(
  init: WorkerInit,
  logger: Logger,
  deliver: (c: BfdStateChange) => void,
  onDeath: () => void,
): BfdBackend {
  let worker: Worker | undefined;
  let closing = false;
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const call = <T>(cmd: DistributiveOmit<WorkerCommand, 'req'>): Promise<T> => {
    const w = worker;
    if (w === undefined) return Promise.reject(new BfdSessionError('the BFD service is not started'));
    const req = ++seq;
    return new Promise<T>((resolve, reject) => {
      pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ ...cmd, req } as WorkerCommand);
    });
  };
  return {
    start() {
      closing = false;
      return new Promise((resolve, reject) => {
        const w = spawnWorker(init);
        worker = w;
        w.on('message', (m: WorkerMessage) => {
          switch (m.type) {
            case 'ready':
              if (init.priority !== undefined && m.priority !== `nice ${init.priority}`) {
                logger.warn({ priority: m.priority }, 'bfd: could not renice the timer thread');
              }
              resolve({ transport: m.transport, receivesTtl: m.receivesTtl, priority: m.priority });
              break;
            case 'state':
              deliver(m.change);
              break;
            case 'log':
              logger[m.level](m.fields, m.msg);
              break;
            case 'reply': {
              const p = pending.get(m.req);
              if (p === undefined) break;
              pending.delete(m.req);
              if (m.ok) p.resolve(m.value);
              else p.reject(new BfdSessionError(m.error.message));
              break;
            }
          }
        });
        w.on('error', (err) => {
          logger.error({ err: err.message }, 'bfd worker failed');
          reject(err);
          failAll(new BfdSessionError('the BFD worker failed', { cause: err }));
        });
        w.on('exit', (code) => {
          worker = undefined;
          failAll(new BfdSessionError(`the BFD worker exited (code ${code})`));
          if (!closing) {
            logger.error({ code }, 'bfd worker exited unexpectedly; sessions reported AdminDown (engine-stopped)');
            onDeath();
          }
        });
      });
    },
    add: (config) => call<string>({ op: 'add', config }),
    remove: (id) => call<void>({ op: 'remove', id }),
    setAdminDown: (id, down) => call<void>({ op: 'admin', id, down }),
    setTimers: (id, timers) => call<void>({ op: 'timers', id, timers }),
    stats: (id) => call<BfdSessionStats>({ op: 'stats', id }),
    engineStats: () => call<EngineStats>({ op: 'engine-stats' }),
    async close() {
      const w = worker;
      if (w === undefined) return;
      closing = true;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      await call<void>({ op: 'close' }).catch(() => undefined);
      await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2_000).unref())]);
      if (worker !== undefined) await w.terminate();
    },
  };
}
