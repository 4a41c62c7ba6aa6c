import type { Profile } from '../profiles.js';

/** Suspicion timer bounds for a cluster of `n` live members (Lifeguard, as memberlist's `suspicionTimeout`). */
export interface SuspicionBounds {
  readonly min: number;
  readonly max: number;
  /** Independent confirmations wanted; 0 when fewer than that many other members could confirm. */
  readonly k: number;
}

/** The floor, ceiling and confirmation count for a cluster of `n` members under a profile. */
export function suspicionBounds(p: Profile, n: number): SuspicionBounds {
  const lg = Math.log10(Math.max(1, n));
  const scale = p.suspicionScaling === 'log10' ? Math.max(1, lg) : Math.max(1, lg / 2);
  const min = p.suspicionMinMs * scale;
  const max = p.suspicionMaxMult * min;
  const k = n - 2 < p.suspicionConfirmations ? 0 : p.suspicionConfirmations;
  return { min, max, k };
}

/**
 * Total timeout (from the start of the suspicion) after `c` independent confirmations:
 * `max(min, max − (max − min) · ln(c + 1) / ln(k + 1))`, or `min` when `k` is 0.
 */
export function suspicionTimeout(b: SuspicionBounds, c: number): number {
  if (b.k === 0) return b.min;
  const frac = Math.log(c + 1) / Math.log(b.k + 1);
  return Math.max(b.min, Math.floor(b.max - (b.max - b.min) * frac));
}
