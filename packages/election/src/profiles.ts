import { InvalidArgumentError } from '@lbkit/core';

/**
 * Every timing and count of the failure detector, the fast takeover path and the split-brain guards. All
 * durations are milliseconds. Each field says what it trades: faster detection against false suspicions,
 * bandwidth or CPU.
 */
export interface Profile {
  /** Time between probes (SWIM's protocol period T). Shorter detects sooner and sends more packets (about 2.5/T per node). */
  readonly probeIntervalMs: number;
  /** How long a direct ping waits for its ack before helpers are asked. Shorter starts indirect probes sooner; too short on a busy host turns delay into suspicion. */
  readonly probeTimeoutMs: number;
  /** Helpers asked to probe indirectly (SWIM's k). More helpers tolerate more loss on the prober's own links at k packets per failed probe. */
  readonly indirectChecks: number;
  /** A helper sends its nack after this share of `probeTimeoutMs` (Lifeguard proposes 0.8, so the nack beats the prober's deadline). */
  readonly nackFraction: number;
  /** Suspicion floor before scaling by cluster size. Lower declares dead sooner; it is the main guard against false deaths under loss. */
  readonly suspicionMinMs: number;
  /** How the floor grows with N: `log10` is memberlist's `max(1, log10 N)`; `log10-over-100` keeps it flat up to 100 members, then `log10(N)/2`. */
  readonly suspicionScaling: 'log10' | 'log10-over-100';
  /** Suspicion ceiling as a multiple of the floor; the timer starts here and shrinks as independent confirmations arrive (Lifeguard). */
  readonly suspicionMaxMult: number;
  /** Independent confirmations that bring the timer down to the floor (0 when fewer than that many other members could confirm). */
  readonly suspicionConfirmations: number;
  /** Time between gossip rounds. Shorter spreads news faster; a round sends nothing when there is no news. */
  readonly gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  readonly gossipNodes: number;
  /** Transmissions per message are `retransmitMult · ceil(log10(N + 1))`. Higher survives more loss at the cost of bigger packets. */
  readonly retransmitMult: number;
  /** Lower bound on transmissions per message (hardening rule 1). 0 keeps memberlist's formula alone, which gives only 4 at N = 3. */
  readonly retransmitFloor: number;
  /** Acks carry the responder's incarnation and a higher one clears a suspicion at once (hardening rule 2). */
  readonly ackCarriesIncarnation: boolean;
  /** One probe interval before a suspicion expires, probe the suspect once more with the suspicion attached (hardening rule 3). */
  readonly preExpiryCheck: boolean;
  /** Local health (Lifeguard LHM) ceiling: the probe interval stretches up to this multiple when this node looks slow. */
  readonly awarenessMax: number;
  /** Time between full-state exchanges over TCP with one random member. Shorter repairs missed gossip sooner at one TCP exchange each. */
  readonly pushPullIntervalMs: number;
  /** Stretch the push-pull interval above 32 members as memberlist does (`ceil(log2 N − log2 32) + 1`). */
  readonly pushPullScale: boolean;
  /** Keep gossiping to members this long after they died, so a wrongly killed member hears it and refutes. */
  readonly gossipToTheDeadMs: number;
  /** Every this often, exchange state with one random dead member, which heals partitions after both sides declared each other dead. 0 disables. */
  readonly reconnectIntervalMs: number;
  /** Stop reconnecting to (and forget) members dead for longer than this. */
  readonly reconnectForMs: number;
  /** Retry the seeds this often while no other member is known. */
  readonly joinRetryMs: number;
  /** Deadline of one TCP push-pull exchange. */
  readonly tcpTimeoutMs: number;
  /** Fast takeover: owner → standby heartbeat period. 0 turns the fast path off (SWIM alone moves IPs). */
  readonly takeoverIntervalMs: number;
  /** Fast takeover: missed heartbeats before the standby probes the owner. Fewer is faster; at 1 % loss three misses in a row happen once per 10⁶ windows. */
  readonly takeoverMisses: number;
  /** Fast takeover: how long the standby's confirming direct probe waits before it claims. */
  readonly takeoverProbeTimeoutMs: number;
  /** Guard G1: stop announcing when `fenceFailures` of the last `fenceWindow` probes failed (this node is likely on the minority side). */
  readonly minorityFence: boolean;
  /** G1 window length, in probes. */
  readonly fenceWindow: number;
  /** G1: failed probes in the window that trip the fence. */
  readonly fenceFailures: number;
  /** G1: consecutive successful probes that lift the fence. */
  readonly fenceRecover: number;
  /** G1: how long the minority condition must hold before the fence trips; overlapping suspicions under heavy loss are shorter. */
  readonly fenceHoldMs: number;
  /** Guard G2: withdraw everything after this long with no successful probe and no authenticated packet from any peer. 0 disables. */
  readonly isolationMs: number;
}

/** Names of the built-in profiles. */
export type ProfileName = 'default' | 'aggressive' | 'memberlist-lan';

const DEFAULT: Profile = {
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  indirectChecks: 3,
  nackFraction: 0.8,
  suspicionMinMs: 1000,
  suspicionScaling: 'log10-over-100',
  suspicionMaxMult: 5,
  suspicionConfirmations: 3,
  gossipIntervalMs: 100,
  gossipNodes: 3,
  retransmitMult: 4,
  retransmitFloor: 8,
  ackCarriesIncarnation: true,
  preExpiryCheck: true,
  awarenessMax: 8,
  pushPullIntervalMs: 10_000,
  pushPullScale: false,
  gossipToTheDeadMs: 30_000,
  reconnectIntervalMs: 2_000,
  reconnectForMs: 24 * 3600_000,
  joinRetryMs: 1_000,
  tcpTimeoutMs: 2_000,
  takeoverIntervalMs: 100,
  takeoverMisses: 3,
  takeoverProbeTimeoutMs: 50,
  minorityFence: true,
  fenceWindow: 5,
  fenceFailures: 3,
  fenceRecover: 5,
  fenceHoldMs: 400,
  isolationMs: 500,
};

/**
 * The built-in profiles. `default` detects a dead member in about 1.3–1.5 s and moves its IPs in about
 * 0.35 s; `aggressive` halves both and needs a quiet network and a worker thread; `memberlist-lan` is
 * hashicorp/memberlist's LAN configuration as MetalLB runs it, kept for comparison (no hardening rules, no fast
 * path, no guards).
 */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  default: DEFAULT,
  aggressive: {
    ...DEFAULT,
    probeIntervalMs: 100,
    probeTimeoutMs: 50,
    suspicionMinMs: 500,
    gossipIntervalMs: 50,
    takeoverIntervalMs: 50,
    takeoverProbeTimeoutMs: 25,
    isolationMs: 250,
    fenceHoldMs: 200,
    tcpTimeoutMs: 1_000,
  },
  'memberlist-lan': {
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    indirectChecks: 3,
    nackFraction: 1,
    suspicionMinMs: 4000,
    suspicionScaling: 'log10',
    suspicionMaxMult: 6,
    suspicionConfirmations: 2,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    retransmitMult: 4,
    retransmitFloor: 0,
    ackCarriesIncarnation: false,
    preExpiryCheck: false,
    awarenessMax: 8,
    pushPullIntervalMs: 30_000,
    pushPullScale: true,
    gossipToTheDeadMs: 30_000,
    // MetalLB re-joins known speakers every minute (speakerlist.go); memberlist itself never reconnects.
    reconnectIntervalMs: 60_000,
    reconnectForMs: 24 * 3600_000,
    joinRetryMs: 1_000,
    tcpTimeoutMs: 10_000,
    takeoverIntervalMs: 0,
    takeoverMisses: 3,
    takeoverProbeTimeoutMs: 0,
    minorityFence: false,
    fenceWindow: 5,
    fenceFailures: 3,
    fenceRecover: 5,
    fenceHoldMs: 400,
    isolationMs: 0,
  },
};

const POSITIVE: ReadonlyArray<keyof Profile> = [
  'probeIntervalMs',
  'probeTimeoutMs',
  'suspicionMinMs',
  'gossipIntervalMs',
  'pushPullIntervalMs',
  'joinRetryMs',
  'tcpTimeoutMs',
  'awarenessMax',
  'suspicionMaxMult',
  'fenceWindow',
  'fenceFailures',
  'fenceRecover',
  'takeoverMisses',
];
const NON_NEGATIVE: ReadonlyArray<keyof Profile> = [
  'indirectChecks',
  'suspicionConfirmations',
  'gossipNodes',
  'retransmitMult',
  'retransmitFloor',
  'gossipToTheDeadMs',
  'reconnectIntervalMs',
  'reconnectForMs',
  'takeoverIntervalMs',
  'takeoverProbeTimeoutMs',
  'isolationMs',
];

/**
 * A built-in profile with overrides applied, validated. Throws `InvalidArgumentError` naming the field.
 */
export function resolveProfile(name: ProfileName = 'default', overrides: Partial<Profile> = {}): Profile {
  const base = PROFILES[name];
  if (base === undefined) throw new InvalidArgumentError('profile', `one of ${Object.keys(PROFILES).join(', ')}`, name);
  const p: Profile = { ...base, ...overrides };
  for (const k of Object.keys(overrides)) {
    if (!(k in base)) throw new InvalidArgumentError(`profile.${k}`, 'a known profile field', k);
  }
  for (const k of POSITIVE) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new InvalidArgumentError(`profile.${k}`, 'a finite number > 0', v);
  }
  for (const k of NON_NEGATIVE) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new InvalidArgumentError(`profile.${k}`, 'a finite number >= 0', v);
  }
  if (!(p.nackFraction > 0 && p.nackFraction <= 1))
    throw new InvalidArgumentError('profile.nackFraction', 'a number in (0, 1]', p.nackFraction);
  if (p.probeTimeoutMs >= p.probeIntervalMs)
    throw new InvalidArgumentError(
      'profile.probeTimeoutMs',
      `less than probeIntervalMs (${p.probeIntervalMs})`,
      p.probeTimeoutMs,
    );
  if (p.suspicionScaling !== 'log10' && p.suspicionScaling !== 'log10-over-100')
    throw new InvalidArgumentError('profile.suspicionScaling', '"log10" or "log10-over-100"', p.suspicionScaling);
  if (p.fenceFailures > p.fenceWindow)
    throw new InvalidArgumentError('profile.fenceFailures', `at most fenceWindow (${p.fenceWindow})`, p.fenceFailures);
  if (p.takeoverIntervalMs > 0 && p.takeoverProbeTimeoutMs <= 0)
    throw new InvalidArgumentError(
      'profile.takeoverProbeTimeoutMs',
      'a number > 0 when the fast path is on',
      p.takeoverProbeTimeoutMs,
    );
  return p;
}
