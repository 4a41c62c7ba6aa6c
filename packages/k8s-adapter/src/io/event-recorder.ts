/**
 * Records core/v1 Events on Services with MetalLB's reasons and messages. Repeats of the same event
 * (same object, type, reason and message) within the aggregation window update `count` and
 * `lastTimestamp` of the existing Event instead of creating a new one, as client-go's recorder does.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { realClock, silentLogger, type Clock, type Logger } from '@lbkit/core';
import type { CoreEvent } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import { isNotFound, MERGE_PATCH } from './client.js';

/** Options of {@link EventRecorder}. */
export interface EventRecorderInit {
  /** `source.component` / `reportingComponent` (`metallb-controller`, `metallb-speaker`). */
  component: string;
  /** `source.host` / `reportingInstance` (the node, for speakers). */
  host?: string;
  /** Window in which repeats are folded into one Event. @default 600000 — client-go's ten minutes. */
  aggregationWindowMs?: number;
  /** Remembered distinct events (oldest forgotten first). @default 4096 — bounds memory. */
  cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastMs: number;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes Events. */
export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #init: EventRecorderInit;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #seen = new Map<string, Seen>();
  #seq = 0;

  constructor(kc: KubeConfig, init: EventRecorderInit, components: { clock?: Clock; logger?: Logger } = {}) {
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#init = init;
    this.#clock = components.clock ?? realClock;
    this.#log = (components.logger ?? silentLogger).child({ component: 'event-recorder' });
  }

  /** Records an event on an object; failures are logged, never thrown (events are best effort). */
  async record(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const ns = object.metadata?.namespace ?? 'default';
    const name = object.metadata?.name ?? '';
    const key = [object.kind ?? 'Service', ns, name, object.metadata?.uid ?? '', type, reason, message].join('\u0000');
    const now = this.#clock.wallTime();
    const window = this.#init.aggregationWindowMs ?? 600_000;
    const seen = this.#seen.get(key);
    try {
      if (seen !== undefined && now - seen.lastMs < window) {
        seen.count++;
        seen.lastMs = now;
        this.#seen.delete(key);
        this.#seen.set(key, seen);
        try {
          await this.#core.patchNamespacedEvent(
            { namespace: seen.namespace, name: seen.name, body: { count: seen.count, lastTimestamp: timestamp(now) } },
            MERGE_PATCH,
          );
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The Event expired on the server; start a new one.
        }
      }
      const eventName = `${name}.${(BigInt(Math.round(now)) * 1_000_000n + BigInt(this.#seq++ % 1_000_000)).toString(16)}`;
      const ts = timestamp(now);
      const body: CoreEvent = {
        metadata: { name: eventName, namespace: ns },
        involvedObject: {
          apiVersion: object.apiVersion ?? 'v1',
          kind: object.kind ?? 'Service',
          name,
          namespace: ns,
          ...(object.metadata?.uid === undefined ? {} : { uid: object.metadata.uid }),
          ...(object.metadata?.resourceVersion === undefined
            ? {}
            : { resourceVersion: object.metadata.resourceVersion }),
        },
        reason,
        message,
        type,
        source: {
          component: this.#init.component,
          ...(this.#init.host === undefined ? {} : { host: this.#init.host }),
        },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        reportingComponent: this.#init.component,
        reportingInstance: this.#init.host ?? '',
      };
      await this.#core.createNamespacedEvent({ namespace: ns, body: body as never });
      this.#seen.set(key, { name: eventName, namespace: ns, count: 1, firstTimestamp: ts, lastMs: now });
      const limit = this.#init.cacheSize ?? 4096;
      while (this.#seen.size > limit) this.#seen.delete(this.#seen.keys().next().value as string);
    } catch (err) {
      this.#log.warn(
        { reason, object: `${ns}/${name}`, err: String((err as Error).message ?? err) },
        'could not record event',
      );
    }
  }
}
