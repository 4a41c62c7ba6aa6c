import { InvalidArgumentError } from '@lbkit/core';
import { BfdUnsupportedError } from '../errors.js';
import type { BfdSessionInit } from './session-config.js';

/**
 * The `spec` of MetalLB's BFDProfile (metallb.io/v1beta1). Every field is optional; unset fields take
 * FRR's defaults, as MetalLB leaves them to FRR.
 */
export interface MetalLbBfdProfileSpec {
  /** ms, 10..60000, default 300. */
  readonly receiveInterval?: number;
  /** ms, 10..60000, default 300. */
  readonly transmitInterval?: number;
  /** 2..255, default 3. */
  readonly detectMultiplier?: number;
  /** ms, 10..60000, default 50; only meaningful with echo mode, which is refused. */
  readonly echoInterval?: number;
  /** Refused when true: echo mode is not implemented. */
  readonly echoMode?: boolean;
  /** Wait for the peer's packets before sending. */
  readonly passiveMode?: boolean;
  /** 1..254, default 254; multihop sessions only. */
  readonly minimumTtl?: number;
}

/** The session fields a BFDProfile sets. */
export type BfdProfileSettings = Pick<
  BfdSessionInit,
  'receiveIntervalMs' | 'transmitIntervalMs' | 'detectMultiplier' | 'passiveMode' | 'minimumTtl' | 'allowFastTimers'
>;

function ranged(field: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(`BFDProfile.${field}`, `an integer ${min}..${max}`, value);
  return value;
}

/**
 * Maps a MetalLB BFDProfile onto session settings, with MetalLB's own range checks (CRD and parser).
 * `echoMode: true` is refused with {@link BfdUnsupportedError}. Intervals of 10–49 ms, which MetalLB allows,
 * are passed with `allowFastTimers` so that a profile valid for MetalLB stays valid here; the README warns
 * why they are fragile in JavaScript.
 */
export function fromMetalLbBfdProfile(spec: MetalLbBfdProfileSpec, name = 'BFDProfile'): BfdProfileSettings {
  if (spec.echoMode === true) {
    throw new BfdUnsupportedError(
      'echo-mode',
      `${name}: echoMode is not supported by lbkit's BFD (echo needs packets looped through the peer's forwarding plane); set echoMode: false — asynchronous control packets still detect failures within receiveInterval × detectMultiplier`,
    );
  }
  ranged('echoInterval', spec.echoInterval, 10, 60_000);
  const receiveIntervalMs = ranged('receiveInterval', spec.receiveInterval, 10, 60_000);
  const transmitIntervalMs = ranged('transmitInterval', spec.transmitInterval, 10, 60_000);
  const detectMultiplier = ranged('detectMultiplier', spec.detectMultiplier, 2, 255);
  const minimumTtl = ranged('minimumTtl', spec.minimumTtl, 1, 254);
  const out: { -readonly [K in keyof BfdProfileSettings]: BfdProfileSettings[K] } = {};
  if (receiveIntervalMs !== undefined) out.receiveIntervalMs = receiveIntervalMs;
  if (transmitIntervalMs !== undefined) out.transmitIntervalMs = transmitIntervalMs;
  if (detectMultiplier !== undefined) out.detectMultiplier = detectMultiplier;
  if (minimumTtl !== undefined) out.minimumTtl = minimumTtl;
  if (spec.passiveMode !== undefined) out.passiveMode = spec.passiveMode;
  if ((receiveIntervalMs ?? 300) < 50 || (transmitIntervalMs ?? 300) < 50) out.allowFastTimers = true;
  return out;
}
