/**
 * A client-node informer that keeps going: `@kubernetes/client-node` 1.x's ListWatch stops for good after
 * an `error` (a failed list, a refused or broken watch), and also emits `error` when it is stopped. This
 * wrapper restarts it with capped exponential backoff unless the stop was ours, asks for watch bookmarks
 * (so the resume point stays fresh), and relists on 410 Gone (ListWatch resets its resource version when
 * it sees one). Its cache holds only the current objects, so memory is bounded by the cluster's size.
 */
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '@lbkit/core';

/** Backoff between restarts of a failed informer. */
export interface BackoffInit {
  /** @default 250 — short enough to ride out a server restart quickly. */
  initialMs?: number;
  /** @default 30000 — caps the load a long outage puts on a recovering server. */
  maxMs?: number;
  /** Fraction of random spread added to each delay. @default 0.2 — avoids every client reconnecting at once. */
  jitter?: number;
}

/** Options of {@link ResilientInformer}. */
export interface ResilientInformerInit<T> {
  /** Watch path (`/api/v1/services`). */
  path: string;
  /** Lists the objects; must return the list's resourceVersion in `metadata`. */
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Label selector for list and watch. */
  labelSelector?: string;
  backoff?: BackoffInit;
  /** Ask the server for BOOKMARK events. @default true */
  bookmarks?: boolean;
  /** Name for logs. */
  name?: string;
}

/** Injected capabilities. */
export interface ResilientInformerComponents {
  logger?: Logger;
  random?: () => number;
}

/** Counters, for tests and metrics. */
export interface InformerStats {
  lists: number;
  restarts: number;
  errors: number;
  events: number;
}

/** A callback for added, updated or deleted objects. */
export type InformerHandler<T> = (obj: T) => void;

/** Adds `allowWatchBookmarks=true` to every watch request. */
class BookmarkWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(path, { ...queryParams, allowWatchBookmarks: true }, callback, done);
  }
}

/** A restartable informer over client-node's ListWatch. */
export class ResilientInformer<T extends KubernetesObject> {
  readonly #lw: ListWatch<T>;
  readonly #init: ResilientInformerInit<T>;
  readonly #log: Logger;
  readonly #random: () => number;
  #stopped = true;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  readonly stats: InformerStats = { lists: 0, restarts: 0, errors: 0, events: 0 };

  constructor(kc: KubeConfig, init: ResilientInformerInit<T>, components: ResilientInformerComponents = {}) {
    this.#init = init;
    this.#log = (components.logger ?? silentLogger).child({ informer: init.name ?? init.path });
    this.#random = components.random ?? Math.random;
    const watch = init.bookmarks === false ? new Watch(kc) : new BookmarkWatch(kc);
    const list = async () => {
      const result = await init.list();
      this.stats.lists++;
      this.#attempt = 0;
      // ListWatch adds the listed items right after this promise settles; mark the cache synced after that.
      setImmediate(() => this.#markSynced());
      return result as { items: T[]; metadata?: { resourceVersion?: string } } as never;
    };
    this.#lw = new ListWatch<T>(init.path, watch, list, false, init.labelSelector);
    const seen = () => {
      this.stats.events++;
      this.#attempt = 0;
    };
    this.#lw.on('add', seen);
    this.#lw.on('update', seen);
    this.#lw.on('delete', seen);
    this.#lw.on('error', (err: unknown) => this.#onError(err));
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  async start(): Promise<void> {
    if (!this.#stopped) return this.waitForSync();
    this.#stopped = false;
    void this.#lw.start();
    return this.waitForSync();
  }

  /** Stops for good (until the next start); no restart follows the `error` client-node emits on stop. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#lw.stop();
  }

  /** True once the first list has been applied. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves once synced. */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((r) => this.#syncWaiters.push(r));
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    const w = this.#syncWaiters;
    this.#syncWaiters = [];
    w.forEach((f) => f());
  }

  /** Registers a handler for added, updated or deleted objects. */
  on(event: 'add' | 'update' | 'delete', handler: InformerHandler<T>): void {
    this.#lw.on(event, handler);
  }

  /** Every cached object. */
  list(): readonly T[] {
    return this.#lw.list();
  }

  /** One cached object. */
  get(name: string, namespace?: string): T | undefined {
    return this.#lw.get(name, namespace);
  }

  /** The resource version the watch resumes from ('' before the first list or after a 410). */
  get resourceVersion(): string {
    return this.#lw.latestResourceVersion();
  }

  #onError(err: unknown): void {
    if (this.#stopped) return; // client-node reports its own abort on stop() as an error
    this.stats.errors++;
    const base = this.#init.backoff?.initialMs ?? 250;
    const max = this.#init.backoff?.maxMs ?? 30_000;
    const jitter = this.#init.backoff?.jitter ?? 0.2;
    const delay = Math.min(max, base * 2 ** this.#attempt) * (1 + jitter * this.#random());
    this.#attempt++;
    this.#log.warn(
      { err: String((err as Error)?.message ?? err), delayMs: Math.round(delay) },
      'watch failed; restarting',
    );
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.stats.restarts++;
      void this.#lw.start();
    }, delay);
  }
}
