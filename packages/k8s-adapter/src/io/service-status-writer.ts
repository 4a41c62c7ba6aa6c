/**
 * Writes Service status through the status subresource with a merge patch guarded by the resource
 * version; a 409 re-reads the Service and retries, so concurrent writers never lose each other's changes
 * and an unchanged Service is never written twice.
 */
import { CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '@lbkit/core';
import type { Service } from '../api/core.js';
import { IP_ALLOCATED_FROM_POOL } from '../constants.js';
import { serviceStatusPatch, statusMatches, type DesiredServiceStatus } from '../writes/service-status.js';
import { isNotFound, isRetryable, MERGE_PATCH, sleep } from './client.js';

/** How a write ended. */
export type StatusWriteOutcome = 'written' | 'unchanged' | 'gone';

/** Result of {@link ServiceStatusWriter.write}. */
export interface StatusWriteResult {
  readonly outcome: StatusWriteOutcome;
  /** Requests made (reads and patches). */
  readonly requests: number;
  /** The Service as the server returned it after the write. */
  readonly service?: Service;
}

/** Options of {@link ServiceStatusWriter}. */
export interface ServiceStatusWriterInit {
  /** Attempts before giving up on conflicts and transient errors. @default 8 */
  maxAttempts?: number;
  /** First retry delay, doubled per attempt. @default 50 */
  retryDelayMs?: number;
  /**
   * `ipMode` to write: `'VIP'`, or `'auto'` to write it when the server is 1.30 or newer (where
   * `LoadBalancerIPMode` is on by default), or `'off'`.
   * @default 'off' — what MetalLB writes (IP only).
   */
  ipMode?: 'VIP' | 'auto' | 'off';
}

/** Writes `status.loadBalancer.ingress` and the pool annotation. */
export class ServiceStatusWriter {
  readonly #core: CoreV1Api;
  readonly #kc: KubeConfig;
  readonly #init: ServiceStatusWriterInit;
  readonly #log: Logger;
  #ipMode: 'VIP' | undefined | null = null;

  constructor(kc: KubeConfig, init: ServiceStatusWriterInit = {}, components: { logger?: Logger } = {}) {
    this.#kc = kc;
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#init = init;
    this.#log = (components.logger ?? silentLogger).child({ component: 'service-status-writer' });
  }

  async #resolveIpMode(): Promise<'VIP' | undefined> {
    if (this.#ipMode !== null) return this.#ipMode;
    const mode = this.#init.ipMode ?? 'off';
    if (mode === 'off') this.#ipMode = undefined;
    else if (mode === 'VIP') this.#ipMode = 'VIP';
    else {
      try {
        const v = await this.#kc.makeApiClient(VersionApi).getCode();
        const minor = Number.parseInt(v.minor ?? '0', 10);
        this.#ipMode = Number(v.major) > 1 || minor >= 30 ? 'VIP' : undefined;
      } catch {
        this.#ipMode = undefined;
      }
    }
    return this.#ipMode;
  }

  /**
   * Brings a Service to the desired status. `known` is the caller's cached copy: when it already matches,
   * nothing is sent; otherwise the patch is computed from it and retried from a fresh read on conflict.
   */
  async write(
    namespace: string,
    name: string,
    desired: DesiredServiceStatus,
    known?: Service,
  ): Promise<StatusWriteResult> {
    const ipMode = await this.#resolveIpMode();
    const want: DesiredServiceStatus =
      ipMode === undefined || desired.ipMode !== undefined ? desired : { ...desired, ipMode };
    const max = this.#init.maxAttempts ?? 8;
    const delay = this.#init.retryDelayMs ?? 50;
    let svc = known;
    let requests = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        if (svc === undefined) {
          requests++;
          svc = (await this.#core.readNamespacedServiceStatus({ namespace, name })) as Service;
        }
        if (statusMatches(svc, want)) return { outcome: 'unchanged', requests, service: svc };
        requests++;
        const out = (await this.#core.patchNamespacedServiceStatus(
          { namespace, name, body: serviceStatusPatch(svc, want), fieldManager: 'lbkit-controller' },
          MERGE_PATCH,
        )) as Service;
        // Servers that keep metadata changes out of status writes need the annotation on the main resource.
        const annotation = out.metadata?.annotations?.[IP_ALLOCATED_FROM_POOL];
        const wantAnnotation = want.ips.length === 0 ? undefined : want.pool;
        if (annotation !== wantAnnotation) {
          requests++;
          const fixed = (await this.#core.patchNamespacedService(
            {
              namespace,
              name,
              body: { metadata: { annotations: { [IP_ALLOCATED_FROM_POOL]: wantAnnotation ?? null } } },
              fieldManager: 'lbkit-controller',
            },
            MERGE_PATCH,
          )) as Service;
          return { outcome: 'written', requests, service: fixed };
        }
        return { outcome: 'written', requests, service: out };
      } catch (err) {
        if (isNotFound(err)) return { outcome: 'gone', requests };
        if (!isRetryable(err) || attempt + 1 >= max) throw err;
        this.#log.debug(
          { service: `${namespace}/${name}`, attempt, err: String((err as Error).message ?? err) },
          'status write failed; retrying',
        );
        svc = undefined; // re-read: the cached copy is stale
        await sleep(delay * 2 ** Math.min(attempt, 6));
      }
    }
  }
}
