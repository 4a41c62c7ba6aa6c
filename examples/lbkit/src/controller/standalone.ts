import { statSync } from 'node:fs';
import type { Logger } from '@lbkit/core';
import { realClock } from '@lbkit/core';
import { Controller } from './controller.js';
import { syncControllerMetrics } from './metrics-sync.js';
import { expandPaths, loadObjects } from '../objects/load-yaml.js';
import { readState, withState, writeState, type StandaloneState } from '../standalone/state-file.js';
import type { Metrics } from '../ops/metrics.js';

/** Options of {@link StandaloneController}. */
export interface StandaloneControllerInit {
  readonly namespace: string;
  readonly loadBalancerClass: string;
  readonly files: readonly string[];
  readonly stateFile: string;
  /** How often the files are checked for changes, in milliseconds. */
  readonly pollMs?: number;
}

/**
 * The controller without a cluster: objects come from YAML files, statuses go to a state file that
 * standalone speakers read. Files are re-read when their modification time or size changes.
 */
export class StandaloneController {
  readonly #init: StandaloneControllerInit;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #controller: Controller;
  #timer: NodeJS.Timeout | undefined;
  #fingerprint = '';
  #loaded = false;
  #passes = 0;
  #stale = false;

  constructor(init: StandaloneControllerInit, components: { logger: Logger; metrics?: Metrics }) {
    this.#init = init;
    this.#log = components.logger;
    this.#metrics = components.metrics;
    this.#controller = new Controller(
      { namespace: init.namespace, loadBalancerClass: init.loadBalancerClass },
      { clock: realClock, logger: components.logger },
    );
  }

  /** True once a valid configuration has been applied. */
  get ready(): boolean {
    return this.#loaded;
  }

  /** True while the latest configuration is invalid and the last good one is in force. */
  get stale(): boolean {
    return this.#stale;
  }

  get controller(): Controller {
    return this.#controller;
  }

  /** Runs one pass now (also used by tests); returns the number of status changes written. */
  pass(): number {
    this.#passes++;
    const loaded = loadObjects(this.#init.files);
    for (const p of loaded.problems) this.#log.warn({ file: p.file, document: p.document }, p.message);
    const state = readState(this.#init.stateFile);
    const out = this.#controller.reconcile(withState(loaded.objects, state));
    this.#loaded = out.config.config !== undefined;
    this.#stale = out.config.stale;
    if (out.config.reason === 'invalid-kept-last-good' || out.config.reason === 'invalid-never-loaded') {
      for (const e of out.config.errors) this.#log.error({ kind: e.kind, object: e.name, field: e.field }, e.message);
    }
    for (const e of out.events)
      this.#log[e.event.type === 'Warning' ? 'warn' : 'info'](
        { service: e.key, reason: e.event.reason },
        e.event.message,
      );
    if (this.#metrics !== undefined) {
      syncControllerMetrics(this.#metrics, out.config, out.counts);
      this.#metrics.k8s.updates.inc(out.statuses.length);
    }
    if (out.statuses.length > 0) {
      const services: Record<string, { ips: readonly string[]; pool?: string }> = { ...state.services };
      for (const s of out.statuses) {
        if (s.desired.ips.length === 0) delete services[s.key];
        else
          services[s.key] =
            s.desired.pool === undefined ? { ips: s.desired.ips } : { ips: s.desired.ips, pool: s.desired.pool };
        this.#log.info({ service: s.key, ips: s.desired.ips, pool: s.desired.pool }, 'service status written');
      }
      const next: StandaloneState = { version: 1, services };
      writeState(this.#init.stateFile, next);
    }
    return out.statuses.length;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    const tick = (): void => {
      try {
        const fp = this.#fingerprintNow();
        if (fp !== this.#fingerprint || this.#passes === 0) {
          this.#fingerprint = fp;
          this.pass();
        }
      } catch (err) {
        this.#metrics?.k8s.updateErrors.inc();
        this.#log.error({ err: (err as Error).message }, 'reconcile failed; retrying');
        this.#fingerprint = '';
      }
    };
    tick();
    this.#timer = setInterval(tick, this.#init.pollMs ?? 200);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #fingerprintNow(): string {
    const parts: string[] = [];
    for (const f of [...expandPaths(this.#init.files), this.#init.stateFile]) {
      try {
        const s = statSync(f);
        parts.push(`${f}:${s.mtimeMs}:${s.size}`);
      } catch {
        parts.push(`${f}:-`);
      }
    }
    return parts.join('|');
  }
}
