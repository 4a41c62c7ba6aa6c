/**
 * Keeps the configuration in force: a new input replaces it only when it parses cleanly, and the
 * component's ConfigurationState says which configuration runs and why.
 */
import type { Clock } from '@lbkit/core';
import type { ConfigurationResult, ConfigurationStateStatus } from '../api/metallb.js';
import type { Condition } from '../api/meta.js';
import type { ConfigIssue } from './issue.js';
import { parseConfig, type ConfigInput, type ParseOptions } from './parse-config.js';
import type { LbConfig } from './types.js';

/** Which component a tracker reports for; decides the condition type (as MetalLB names them). */
export type ComponentType = 'controller' | 'speaker';

/** Condition types MetalLB's reconcilers write. */
export const CONDITION_TYPES = { controller: 'poolReconcilerValid', speaker: 'configReconcilerValid' } as const;

/** Condition reasons. */
export const CONDITION_REASONS = { reconciled: 'Reconciled', configurationError: 'ConfigurationError' } as const;

/** Why the configuration in force is what it is. */
export type ConfigStateReason =
  /** No input has been seen yet. */
  | 'not-loaded'
  /** The latest input parsed and is in force. */
  | 'applied'
  /** The latest input parsed to the configuration already in force. */
  | 'unchanged'
  /** The latest input is invalid and nothing valid was ever loaded. */
  | 'invalid-never-loaded'
  /** The latest input is invalid; the last good configuration stays in force. */
  | 'invalid-kept-last-good';

/** The tracker's view after an update. */
export interface ConfigState {
  /** The configuration in force, if any was ever valid. */
  readonly config: LbConfig | undefined;
  /** True when `config` is not what the latest input describes (MetalLB's `config_stale_bool`). */
  readonly stale: boolean;
  /** True once any input parsed (MetalLB's `config_loaded_bool`). */
  readonly loaded: boolean;
  readonly reason: ConfigStateReason;
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  /** Generation of the configuration in force; increments whenever a new configuration is applied. */
  readonly generation: number;
  /** The ConfigurationState status to write for this component. */
  readonly status: ConfigurationStateStatus;
}

/** Options of {@link ConfigTracker}. */
export interface ConfigTrackerInit extends ParseOptions {
  component: ComponentType;
}

/** Holds the last good configuration and reports the component's ConfigurationState. */
export class ConfigTracker {
  readonly #init: ConfigTrackerInit;
  readonly #clock: Clock;
  #state: ConfigState;
  #lastInputKey: string | undefined;
  #lastTransition = '';

  constructor(init: ConfigTrackerInit, components: { clock: Clock }) {
    this.#init = init;
    this.#clock = components.clock;
    this.#state = {
      config: undefined,
      stale: false,
      loaded: false,
      reason: 'not-loaded',
      errors: [],
      warnings: [],
      generation: 0,
      status: { result: 'Unknown', conditions: [], errorSummary: '' },
    };
  }

  /** The current state. */
  get state(): ConfigState {
    return this.#state;
  }

  /** Parses `input`; replaces the configuration only if it is valid. Returns the new state. */
  update(input: ConfigInput): ConfigState {
    const result = parseConfig(input, this.#init);
    const prev = this.#state;
    if (result.ok) {
      const key = configKey(result.config);
      const same = prev.config !== undefined && key === this.#lastInputKey;
      this.#lastInputKey = key;
      this.#state = {
        config: same ? prev.config : result.config,
        stale: false,
        loaded: true,
        reason: same ? 'unchanged' : 'applied',
        errors: [],
        warnings: result.warnings,
        generation: same ? prev.generation : prev.generation + 1,
        status: this.#status('True', CONDITION_REASONS.reconciled, ''),
      };
    } else {
      const summary = result.errors.map((e) => e.message).join('\n');
      this.#state = {
        config: prev.config,
        stale: prev.config !== undefined,
        loaded: prev.loaded,
        reason: prev.config === undefined ? 'invalid-never-loaded' : 'invalid-kept-last-good',
        errors: result.errors,
        warnings: result.warnings,
        generation: prev.generation,
        status: this.#status('False', CONDITION_REASONS.configurationError, summary),
      };
    }
    return this.#state;
  }

  #status(status: 'True' | 'False', reason: string, message: string): ConfigurationStateStatus {
    const type = CONDITION_TYPES[this.#init.component];
    const old = this.#state.status.conditions?.find((c) => c.type === type);
    if (old === undefined || old.status !== status)
      this.#lastTransition = new Date(this.#clock.wallTime()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition: Condition = { type, status, reason, message, lastTransitionTime: this.#lastTransition };
    const result: ConfigurationResult = status === 'True' ? 'Valid' : 'Invalid';
    return { conditions: [condition], result, errorSummary: message };
  }
}

/** A stable key of a configuration's content, to tell a real change from a re-parse of the same objects. */
export function configKey(config: LbConfig): string {
  return JSON.stringify(config, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof Set) return [...v].sort();
    if (typeof v === 'object' && v !== null && 'text' in v && 'matches' in v) return (v as { text: string }).text;
    return v;
  });
}
