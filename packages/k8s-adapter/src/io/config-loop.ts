/**
 * Keeps the configuration in force as the cluster changes: every change of a configuration kind
 * (debounced) re-parses the watched objects; a valid result replaces the configuration, an invalid one
 * leaves the last good one in force; the component's ConfigurationState is written whenever its status
 * changes.
 */
import { silentLogger, type Clock, type Logger } from '@lbkit/core';
import { ConfigTracker, type ConfigState, type ConfigTrackerInit } from '../config/tracker.js';
import { CONFIG_KINDS, type ClusterWatcher } from './cluster-watcher.js';
import type { StatusObjectWriter } from './status-objects.js';

/** Options of {@link ConfigLoop}. */
export interface ConfigLoopInit extends ConfigTrackerInit {
  /** Quiet time after a change before re-parsing. @default 100 — a burst of edits is parsed once. */
  debounceMs?: number;
}

/** Injected capabilities. */
export interface ConfigLoopComponents {
  watcher: ClusterWatcher;
  clock: Clock;
  /** Writes ConfigurationState; omit to skip writing it. */
  statusWriter?: StatusObjectWriter;
  logger?: Logger;
}

/** Re-parses on change and reports the configuration in force. */
export class ConfigLoop {
  readonly tracker: ConfigTracker;
  readonly #init: ConfigLoopInit;
  readonly #c: ConfigLoopComponents;
  readonly #log: Logger;
  readonly #listeners = new Set<(s: ConfigState) => void>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #lastWritten = '';
  #running: Promise<void> = Promise.resolve();

  constructor(init: ConfigLoopInit, components: ConfigLoopComponents) {
    this.#init = init;
    this.#c = components;
    this.tracker = new ConfigTracker(init, { clock: components.clock });
    this.#log = (components.logger ?? silentLogger).child({ component: 'config-loop' });
  }

  /** Subscribes to every new state (after each parse). */
  onState(fn: (s: ConfigState) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Parses once now, then on every configuration change. The watcher must be started. */
  async start(): Promise<ConfigState> {
    this.#unsubscribe = this.#c.watcher.onChange((c) => {
      if (!CONFIG_KINDS.has(c.kind)) return;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.reparse();
      }, this.#init.debounceMs ?? 100);
    });
    await this.reparse();
    return this.tracker.state;
  }

  /** Stops reacting to changes. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  /** Parses the current objects now (serialised with other parses). */
  reparse(): Promise<void> {
    this.#running = this.#running.then(async () => {
      const state = this.tracker.update(this.#c.watcher.configInput());
      if (state.errors.length > 0)
        this.#log.warn(
          { errors: state.errors.map((e) => e.message) },
          'configuration invalid; last good configuration stays in force',
        );
      const key = JSON.stringify({
        ...state.status,
        conditions: state.status.conditions?.map((c) => ({ ...c, lastTransitionTime: '' })),
      });
      if (this.#c.statusWriter !== undefined && key !== this.#lastWritten) {
        try {
          await this.#c.statusWriter.writeConfigurationState(state.status);
          this.#lastWritten = key;
        } catch (err) {
          this.#log.warn({ err: String((err as Error).message ?? err) }, 'could not write ConfigurationState');
        }
      }
      for (const fn of this.#listeners) fn(state);
    });
    return this.#running;
  }
}
