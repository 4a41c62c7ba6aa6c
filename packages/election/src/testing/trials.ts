import type { SimCluster } from './sim-cluster.js';

/** Distributions from repeated crashes of IP owners. */
export interface KillTrialResult {
  /** Per trial: crash until every IP of the victim is claimed (announced) by a live member, in ms. */
  readonly takeover: number[];
  /** Per trial: crash until the victim's standby (the member taking most of its IPs) marks it dead, in ms. */
  readonly detection: number[];
  /** Per trial: crash until the first live member marks it dead, in ms. */
  readonly firstDetection: number[];
  /** IPs never re-announced within the limit (should be 0). */
  readonly orphaned: number;
}

/** Options of {@link runKillTrials}. */
export interface KillTrialOptions {
  readonly trials: number;
  /** Virtual time to let the cluster settle between trials. @default 2500 */
  readonly settleMs?: number;
  /** Give up on a trial after this long. @default 15000 */
  readonly limitMs?: number;
}

/**
 * Crashes an IP owner, measures takeover and detection, restarts it, lets the cluster settle, and repeats.
 * The victim is chosen with the network's PRNG among members owning at least one IP.
 */
export async function runKillTrials(c: SimCluster, options: KillTrialOptions): Promise<KillTrialResult> {
  const takeover: number[] = [];
  const detection: number[] = [];
  const firstDetection: number[] = [];
  let orphaned = 0;
  const settle = options.settleMs ?? 2500;
  const limit = options.limitMs ?? 15_000;
  const ips = c.ips.map((e) => e.ip);
  c.runUntil(() => c.converged(), 20_000, 10);
  c.run(settle);
  for (let trial = 0; trial < options.trials; trial++) {
    const live = c.live();
    const ref = live[0];
    if (ref === undefined) break;
    const owners = ref.ownersFor(ips);
    const candidates = live.filter((m) => [...owners.values()].some((o) => o.owner === m.name));
    const victim = candidates[Math.floor(c.net.random() * candidates.length)];
    if (victim === undefined) break;
    const victimIps = ips.filter((ip) => owners.get(ip)?.owner === victim.name);
    const standbyCount = new Map<string, number>();
    for (const ip of victimIps) {
      const sb = owners.get(ip)?.standby;
      if (sb !== undefined) standbyCount.set(sb, (standbyCount.get(sb) ?? 0) + 1);
    }
    const standby = [...standbyCount].sort((a, b) => b[1] - a[1])[0]?.[0];
    const t0 = c.net.clock.now();
    const pending = new Set(victimIps);
    let lastClaim = 0;
    let deadAtStandby: number | undefined;
    let firstDead: number | undefined;
    const offs: Array<() => void> = [];
    for (const m of live) {
      if (m === victim) continue;
      offs.push(
        m.on('owner-changed', (e) => {
          if (e.info.local && pending.delete(e.info.ip)) lastClaim = c.net.clock.now() - t0;
        }),
      );
      offs.push(
        m.on('member-dead', (e) => {
          if (e.member.name !== victim.name) return;
          const t = c.net.clock.now() - t0;
          firstDead ??= t;
          if (m.name === standby) deadAtStandby = t;
        }),
      );
    }
    c.kill(victim.name);
    const done = c.runUntil(() => pending.size === 0 && deadAtStandby !== undefined, limit, 1);
    for (const off of offs) off();
    if (done === undefined) orphaned += pending.size;
    takeover.push(lastClaim);
    if (deadAtStandby !== undefined) detection.push(deadAtStandby);
    if (firstDead !== undefined) firstDetection.push(firstDead);
    c.run(500);
    await c.restart(victim.name);
    c.runUntil(() => c.converged(), 20_000, 10);
    c.run(settle);
  }
  return { takeover, detection, firstDetection, orphaned };
}

/** The q-quantile (0–1) of a sample, nearest-rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i] as number;
}
