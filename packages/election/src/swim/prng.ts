/** A seeded PRNG (splitmix32): deterministic, fast, and plain data so it can live inside reducer state. */
export interface Prng {
  s: number;
}

/** Creates a PRNG from a 32-bit seed. */
export function createPrng(seed: number): Prng {
  return { s: seed >>> 0 };
}

/** Next float in [0, 1). */
export function nextFloat(p: Prng): number {
  p.s = (p.s + 0x9e3779b9) >>> 0;
  let z = p.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z / 4294967296;
}

/** Next integer in [0, n). */
export function nextInt(p: Prng, n: number): number {
  return Math.floor(nextFloat(p) * n);
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(p: Prng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = nextInt(p, i + 1);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

/** Up to `k` distinct random items of `a` (which is not modified). */
export function sample<T>(p: Prng, a: readonly T[], k: number): T[] {
  if (k >= a.length) return shuffle(p, [...a]);
  const copy = [...a];
  const out: T[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + nextInt(p, copy.length - i);
    const t = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = t;
    out.push(copy[i] as T);
  }
  return out;
}
