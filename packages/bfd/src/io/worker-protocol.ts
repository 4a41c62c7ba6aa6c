import type { ResolvedSessionConfig } from '../config/session-config.js';
import type { BfdEngineDropReason, BfdSessionStats, BfdStateChange } from '../engine/engine.js';

/** Which socket implementation the worker opens. */
export type BfdTransportKind = 'auto' | 'dgram' | 'dgram-plus';

/** `workerData` of the timer worker. */
export interface WorkerInit {
  readonly transport: BfdTransportKind;
  readonly logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Nice value for the worker thread alone (-20..19), or undefined to leave it. */
  readonly priority: number | undefined;
}

/** Main thread → worker. */
export type WorkerCommand =
  | { readonly op: 'add'; readonly req: number; readonly config: ResolvedSessionConfig }
  | { readonly op: 'remove'; readonly req: number; readonly id: string }
  | { readonly op: 'admin'; readonly req: number; readonly id: string; readonly down: boolean }
  | {
      readonly op: 'timers';
      readonly req: number;
      readonly id: string;
      readonly timers: { transmitIntervalMs?: number; receiveIntervalMs?: number; detectMultiplier?: number };
    }
  | { readonly op: 'stats'; readonly req: number; readonly id: string }
  | { readonly op: 'engine-stats'; readonly req: number }
  | { readonly op: 'close'; readonly req: number };

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly transport: string; readonly receivesTtl: boolean; readonly priority: string }
  | { readonly type: 'reply'; readonly req: number; readonly ok: true; readonly value?: unknown }
  | {
      readonly type: 'reply';
      readonly req: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    }
  | { readonly type: 'state'; readonly change: BfdStateChange }
  | {
      readonly type: 'log';
      readonly level: 'error' | 'warn' | 'info' | 'debug';
      readonly fields: Record<string, unknown>;
      readonly msg: string;
    };

/** Engine-wide counters, as the worker reports them. */
export interface EngineStats {
  readonly sessions: number;
  readonly drops: Readonly<Partial<Record<BfdEngineDropReason, number>>>;
  readonly sessionStats: readonly BfdSessionStats[];
}
