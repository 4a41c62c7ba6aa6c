import { messageSize } from '../wire/codec.js';
import {
  MEMBER_FLAG,
  type AliveMessage,
  type Message,
  type Packet,
  type StateExchange,
  type UpdateMessage,
} from '../wire/messages.js';
import { nextFloat, nextInt, sample, shuffle } from './prng.js';
import { suspicionBounds, suspicionTimeout } from './suspicion.js';
import { clusterSize, count, liveCount, type MemberRecord, type SwimState, type Watch } from './state.js';

/** A member as reported in events. */
export interface MemberView {
  readonly name: string;
  readonly addr: string;
  readonly incarnation: number;
  readonly status: MemberRecord['status'];
  readonly flags: number;
}

/** Why a member's status changed. */
export type MemberChangeReason =
  | 'joined'
  | 'rejoined'
  | 'refuted'
  | 'suspected'
  | 'suspicion-expired'
  | 'declared-dead'
  | 'left'
  | 'flags-changed'
  | 'reaped';

/** Inputs of the reducer. */
export type SwimEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'tick' }
  | { readonly kind: 'packet'; readonly from: string; readonly packet: Packet }
  | { readonly kind: 'state'; readonly from: string; readonly state: StateExchange }
  | { readonly kind: 'leave' }
  | { readonly kind: 'set-pairs'; readonly heartbeatTo: readonly string[]; readonly watch: readonly string[] }
  | { readonly kind: 'join'; readonly seeds: readonly string[] }
  | { readonly kind: 'set-draining'; readonly draining: boolean }
  | { readonly kind: 'local-health'; readonly lagMs: number };

/** Why a fast-path claim ended. */
export type ClaimEndReason = 'refuted' | 'dead' | 'left';

/** Outputs of the reducer: data, carried out by the driver. */
export type SwimAction =
  | { readonly kind: 'send'; readonly to: string; readonly messages: readonly Message[] }
  | { readonly kind: 'exchange'; readonly to: string; readonly join: boolean }
  | { readonly kind: 'member'; readonly reason: MemberChangeReason; readonly member: MemberView }
  | { readonly kind: 'claim'; readonly owner: string; readonly incarnation: number }
  | { readonly kind: 'claim-ended'; readonly owner: string; readonly reason: ClaimEndReason }
  | { readonly kind: 'fence'; readonly fenced: boolean }
  | { readonly kind: 'isolation'; readonly isolated: boolean }
  | { readonly kind: 'refuted'; readonly incarnation: number; readonly accusedBy: string }
  | { readonly kind: 'arm'; readonly at: number };

/** Result of one {@link step}. */
export interface StepResult {
  readonly state: SwimState;
  readonly actions: SwimAction[];
}

/**
 * The failure detector as a reducer: SWIM probing with Lifeguard's local health, suspicion and buddy system,
 * memberlist's dissemination, the three hardening rules, the fast takeover watch and guards G1/G2. Timers
 * are deadlines in the state; the last action is always `arm` with the next deadline (Infinity when idle).
 * The state is owned by the reducer and updated in place (a simulation steps it millions of times); the
 * same object is returned.
 */
export function step(s: SwimState, ev: SwimEvent, now: number): StepResult {
  const out: SwimAction[] = [];
  switch (ev.kind) {
    case 'start':
      onStart(s, now, out);
      break;
    case 'tick':
      break;
    case 'packet':
      onPacket(s, ev.from, ev.packet, now, out);
      break;
    case 'state':
      onState(s, ev.state, now, out);
      break;
    case 'leave':
      onLeave(s, now, out);
      break;
    case 'set-pairs':
      onSetPairs(s, ev.heartbeatTo, ev.watch, now);
      break;
    case 'join':
      s.seeds = [...ev.seeds];
      if (s.started && s.status === 'alive')
        for (const seed of s.seeds) out.push({ kind: 'exchange', to: seed, join: true });
      break;
    case 'local-health':
      // Event-loop lag beyond the probe timeout would turn our own slowness into accusations: back off first.
      if (ev.lagMs > s.profile.probeTimeoutMs) {
        s.awareness = Math.min(s.profile.awarenessMax - 1, s.awareness + 1);
        count(s, 'loop-lag');
      }
      break;
    case 'set-draining': {
      const flags = ev.draining ? s.flags | MEMBER_FLAG.draining : s.flags & ~MEMBER_FLAG.draining;
      if (flags !== s.flags) {
        s.flags = flags;
        s.incarnation++;
        queueAlive(s);
      }
      break;
    }
  }
  if (s.started) runDue(s, now, out);
  out.push({ kind: 'arm', at: nextDeadline(s) });
  return { state: s, actions: out };
}

// ---------------------------------------------------------------------------------------------- lifecycle

function onStart(s: SwimState, now: number, out: SwimAction[]): void {
  if (s.started) return;
  s.started = true;
  const p = s.profile;
  // Random phases so members started together do not probe in lockstep.
  s.nextProbeAt = now + nextInt(s.rng, p.probeIntervalMs);
  s.nextGossipAt = now + nextInt(s.rng, p.gossipIntervalMs);
  s.nextPushPullAt = now + p.pushPullIntervalMs * (0.5 + nextFloat(s.rng));
  s.nextReconnectAt = p.reconnectIntervalMs > 0 ? now + p.reconnectIntervalMs : Infinity;
  s.nextHeartbeatAt = p.takeoverIntervalMs > 0 ? now + nextInt(s.rng, p.takeoverIntervalMs) : Infinity;
  s.lastContactAt = now;
  queueAlive(s);
  for (const seed of s.seeds) out.push({ kind: 'exchange', to: seed, join: true });
  s.nextJoinAt = s.seeds.length > 0 ? now + p.joinRetryMs : Infinity;
}

function onLeave(s: SwimState, now: number, out: SwimAction[]): void {
  if (s.status === 'left') return;
  s.status = 'left';
  const msg: UpdateMessage = { type: 'dead', node: s.self, incarnation: s.incarnation, from: s.self };
  enqueue(s, msg);
  // Tell every live member at once instead of waiting for gossip, so the successors act within one RTT.
  for (const m of s.members.values()) {
    if (m.status === 'alive' || m.status === 'suspect')
      out.push({ kind: 'send', to: m.addr, messages: withPiggyback(s, [msg]) });
  }
  s.nextProbeAt = Infinity;
  s.probe = undefined;
  s.nextHeartbeatAt = Infinity;
  s.heartbeatTo = [];
  s.watches.clear();
  s.nextPushPullAt = Infinity;
  s.nextReconnectAt = Infinity;
  s.nextJoinAt = Infinity;
  void now;
}

// ------------------------------------------------------------------------------------------------ timers

function runDue(s: SwimState, now: number, out: SwimAction[]): void {
  const p = s.profile;
  if (s.status === 'left') {
    if (now >= s.nextGossipAt) {
      gossip(s, now, out);
      s.nextGossipAt = now + p.gossipIntervalMs;
    }
    return;
  }
  // Probe period boundary: the previous probe's verdict, then the next probe.
  if (now >= s.nextProbeAt) {
    if (s.probe !== undefined) finishProbe(s, now, out, false);
    startProbe(s, now, out);
    s.nextProbeAt = now + p.probeIntervalMs * (s.awareness + 1);
  }
  const pr = s.probe;
  if (pr !== undefined && !pr.indirect && now >= pr.ackDeadline) {
    pr.indirect = true;
    const target = s.members.get(pr.target);
    const helpers = target === undefined ? [] : pickHelpers(s, pr.target, p.indirectChecks);
    pr.helpers = helpers.length;
    for (const h of helpers)
      out.push({
        kind: 'send',
        to: h.addr,
        messages: withPiggyback(s, [{ type: 'ping-req', seq: pr.seq, target: pr.target }]),
      });
  }
  // Relayed probes: nack when due, forget when expired.
  for (const [seq, w] of s.pings) {
    if (w.nackAt !== undefined && now >= w.nackAt && w.requester !== undefined && w.forSeq !== undefined) {
      w.nackAt = undefined;
      out.push({ kind: 'send', to: w.requester, messages: withPiggyback(s, [{ type: 'nack', seq: w.forSeq }]) });
    }
    if (now >= w.expiresAt) s.pings.delete(seq);
  }
  // Suspicions: pre-expiry check, then expiry.
  for (const [name, sus] of s.suspicions) {
    const m = s.members.get(name);
    if (m === undefined || m.status !== 'suspect') {
      s.suspicions.delete(name);
      continue;
    }
    if (now >= sus.deadline) {
      s.suspicions.delete(name);
      count(s, 'suspicion-expired');
      markDead(s, m, m.incarnation, s.self, now, out, 'suspicion-expired');
      continue;
    }
    if (sus.checkAt !== undefined && now >= sus.checkAt) {
      sus.checkAt = undefined;
      count(s, 'pre-expiry-check');
      const seq = ++s.pingSeq;
      s.pings.set(seq, { target: name, purpose: 'check', nackAt: undefined, expiresAt: now + p.probeIntervalMs });
      const suspect: UpdateMessage = { type: 'suspect', node: name, incarnation: m.incarnation, from: s.self };
      out.push({
        kind: 'send',
        to: m.addr,
        messages: withPiggyback(s, [{ type: 'ping', seq, target: name }, suspect]),
      });
      for (const h of pickHelpers(s, name, p.indirectChecks))
        out.push({ kind: 'send', to: h.addr, messages: withPiggyback(s, [{ type: 'ping-req', seq, target: name }]) });
    }
  }
  if (now >= s.nextGossipAt) {
    gossip(s, now, out);
    s.nextGossipAt = now + p.gossipIntervalMs;
  }
  if (now >= s.nextPushPullAt) {
    const peers = [...s.members.values()].filter((m) => m.status === 'alive' || m.status === 'suspect');
    const peer = peers.length > 0 ? peers[nextInt(s.rng, peers.length)] : undefined;
    if (peer !== undefined) out.push({ kind: 'exchange', to: peer.addr, join: false });
    s.nextPushPullAt = now + pushPullInterval(s);
  }
  if (now >= s.nextReconnectAt) {
    const dead = [...s.members.values()].filter((m) => m.status === 'dead' && now - m.since < p.reconnectForMs);
    const peer = dead.length > 0 ? dead[nextInt(s.rng, dead.length)] : undefined;
    if (peer !== undefined) {
      count(s, 'reconnect');
      out.push({ kind: 'exchange', to: peer.addr, join: false });
    }
    s.nextReconnectAt = now + p.reconnectIntervalMs;
  }
  if (now >= s.nextJoinAt) {
    if (liveCount(s) === 1 && s.seeds.length > 0) {
      count(s, 'join-retry');
      for (const seed of s.seeds) out.push({ kind: 'exchange', to: seed, join: true });
      s.nextJoinAt = now + p.joinRetryMs;
    } else s.nextJoinAt = liveCount(s) === 1 ? now + p.joinRetryMs : Infinity;
  }
  // Fast takeover: heartbeats to our standbys, watches of our owners.
  if (now >= s.nextHeartbeatAt) {
    for (const name of s.heartbeatTo) {
      const m = s.members.get(name);
      if (m === undefined || m.status === 'dead' || m.status === 'left') continue;
      out.push({
        kind: 'send',
        to: m.addr,
        messages: withPiggyback(s, [{ type: 'heartbeat', incarnation: s.incarnation }]),
      });
    }
    s.nextHeartbeatAt = Math.max(s.nextHeartbeatAt + p.takeoverIntervalMs, now + p.takeoverIntervalMs / 2);
  }
  for (const w of s.watches.values()) runWatch(s, w, now, out);
  if (s.minoritySince !== undefined && !s.fenced) evaluateFence(s, now, out);
  const silent = p.isolationMs > 0 && now - s.lastContactAt >= p.isolationMs;
  // G2: withdraw after `isolationMs` with no contact at all (clusters of 3 or more only).
  if (silent !== s.isolated && (!silent || clusterSize(s) >= 3)) {
    s.isolated = silent;
    count(s, silent ? 'isolated' : 'isolation-ended');
    out.push({ kind: 'isolation', isolated: silent });
  }
}

function watchDeadline(s: SwimState, w: Watch): number {
  const p = s.profile;
  if (w.phase === 'watching') return w.lastAt + p.takeoverMisses * p.takeoverIntervalMs + p.takeoverIntervalMs * 0.1;
  if (w.phase === 'probing') return w.probeDeadline;
  return Infinity;
}

function runWatch(s: SwimState, w: Watch, now: number, out: SwimAction[]): void {
  const m = s.members.get(w.owner);
  if (m === undefined || m.status === 'dead' || m.status === 'left') {
    s.watches.delete(w.owner);
    return;
  }
  if (w.phase === 'watching' && now >= watchDeadline(s, w)) {
    w.phase = 'probing';
    w.probeSeq = ++s.pingSeq;
    w.probeDeadline = now + s.profile.takeoverProbeTimeoutMs;
    s.pings.set(w.probeSeq, { target: w.owner, purpose: 'takeover', nackAt: undefined, expiresAt: w.probeDeadline });
    count(s, 'takeover-probe');
    out.push({ kind: 'send', to: m.addr, messages: [{ type: 'ping', seq: w.probeSeq, target: w.owner }] });
  } else if (w.phase === 'probing' && now >= w.probeDeadline) {
    w.phase = 'claimed';
    w.claimedIncarnation = m.incarnation;
    count(s, 'takeover-claim');
    out.push({ kind: 'claim', owner: w.owner, incarnation: m.incarnation });
    // Start SWIM's suspicion at the same moment; the claim stands or falls with it.
    if (m.status === 'alive') suspectMember(s, m, m.incarnation, s.self, now, out);
    else if (m.status === 'suspect') confirm(s, m, s.self, now, out);
  }
}

/** The earliest deadline in the state. */
export function nextDeadline(s: SwimState): number {
  if (!s.started) return Infinity;
  let t = Math.min(s.nextProbeAt, s.nextGossipAt, s.nextPushPullAt, s.nextReconnectAt, s.nextJoinAt);
  if (s.probe !== undefined && !s.probe.indirect) t = Math.min(t, s.probe.ackDeadline);
  for (const w of s.pings.values()) t = Math.min(t, w.nackAt ?? w.expiresAt, w.expiresAt);
  for (const sus of s.suspicions.values()) t = Math.min(t, sus.checkAt ?? sus.deadline, sus.deadline);
  if (s.heartbeatTo.length > 0) t = Math.min(t, s.nextHeartbeatAt);
  for (const w of s.watches.values()) t = Math.min(t, watchDeadline(s, w));
  if (s.minoritySince !== undefined && !s.fenced) t = Math.min(t, s.minoritySince + s.profile.fenceHoldMs);
  if (s.profile.isolationMs > 0 && !s.isolated && s.status === 'alive' && s.members.size >= 2)
    t = Math.min(t, s.lastContactAt + s.profile.isolationMs);
  return t;
}

function pushPullInterval(s: SwimState): number {
  const p = s.profile;
  const n = liveCount(s);
  if (!p.pushPullScale || n <= 32) return p.pushPullIntervalMs;
  return p.pushPullIntervalMs * (Math.ceil(Math.log2(n) - Math.log2(32)) + 1);
}

// ---------------------------------------------------------------------------------------------- probing

function startProbe(s: SwimState, now: number, out: SwimAction[]): void {
  const target = nextTarget(s, now, out);
  if (target === undefined) return;
  const seq = ++s.pingSeq;
  s.probe = {
    target: target.name,
    seq,
    ackDeadline: now + s.profile.probeTimeoutMs,
    indirect: false,
    helpers: 0,
    nacks: 0,
  };
  const msgs: Message[] = [{ type: 'ping', seq, target: target.name }];
  // Lifeguard's buddy system: a suspect learns at once that it must refute.
  if (target.status === 'suspect')
    msgs.push({ type: 'suspect', node: target.name, incarnation: target.incarnation, from: s.self });
  count(s, 'probe');
  out.push({ kind: 'send', to: target.addr, messages: withPiggyback(s, msgs) });
}

function nextTarget(s: SwimState, now: number, out: SwimAction[]): MemberRecord | undefined {
  for (let attempts = 0; attempts < 2; attempts++) {
    while (s.probeIndex < s.probeOrder.length) {
      const name = s.probeOrder[s.probeIndex++] as string;
      const m = s.members.get(name);
      if (m !== undefined && (m.status === 'alive' || m.status === 'suspect')) return m;
    }
    // End of the round: reap, reshuffle.
    reap(s, now, out);
    s.probeOrder = shuffle(
      s.rng,
      [...s.members.values()].filter((m) => m.status === 'alive' || m.status === 'suspect').map((m) => m.name),
    );
    s.probeIndex = 0;
    if (s.probeOrder.length === 0) return undefined;
  }
  return undefined;
}

function reap(s: SwimState, now: number, out: SwimAction[]): void {
  for (const m of [...s.members.values()]) {
    const limit =
      m.status === 'left' ? s.profile.gossipToTheDeadMs : m.status === 'dead' ? s.profile.reconnectForMs : Infinity;
    if (now - m.since > limit) {
      s.members.delete(m.name);
      out.push({ kind: 'member', reason: 'reaped', member: view(m) });
    }
  }
}

function finishProbe(s: SwimState, now: number, out: SwimAction[], acked: boolean): void {
  const pr = s.probe;
  if (pr === undefined) return;
  s.probe = undefined;
  const p = s.profile;
  if (acked) {
    s.awareness = Math.max(0, s.awareness - 1);
    s.lastContactAt = now;
    recordOutcome(s, true, now, out);
    return;
  }
  count(s, 'probe-failed');
  const missing = pr.helpers > 0 ? pr.helpers - pr.nacks : 1;
  s.awareness = Math.min(p.awarenessMax - 1, s.awareness + missing);
  const m = s.members.get(pr.target);
  if (m === undefined) return;
  // A fresh suspicion of our own counts toward guard G1 (in suspectMember); probes of a member already
  // suspected say nothing new about our side of the network (a crashed member would fill the window).
  if (m.status === 'alive') suspectMember(s, m, m.incarnation, s.self, now, out);
  else if (m.status === 'suspect') confirm(s, m, s.self, now, out);
}

function recordOutcome(s: SwimState, ok: boolean, now: number, out: SwimAction[]): void {
  const p = s.profile;
  s.window.push(ok);
  if (s.window.length > p.fenceWindow) s.window.shift();
  s.consecutiveOk = ok ? s.consecutiveOk + 1 : 0;
  evaluateFence(s, now, out);
}

/**
 * Guard G1: fence when recent probes failed and the members this one can reach (itself and those it holds
 * alive) are a strict minority of the cluster (dead members count until reaped); lift the fence after
 * `fenceRecover` good probes once they are a majority again. Clusters of fewer than 3 never fence.
 */
function evaluateFence(s: SwimState, now: number, out: SwimAction[]): void {
  const p = s.profile;
  if (!p.minorityFence || s.status !== 'alive') return;
  const size = clusterSize(s);
  let reachable = 1;
  for (const m of s.members.values()) if (m.status === 'alive') reachable++;
  const minority = size >= 3 && reachable * 2 < size;
  const failures = s.window.reduce((n, ok) => (ok ? n : n + 1), 0);
  const tripping = minority && failures >= p.fenceFailures;
  if (!tripping) s.minoritySince = undefined;
  else s.minoritySince ??= now;
  if (!s.fenced && tripping && now - (s.minoritySince ?? now) >= p.fenceHoldMs) {
    s.fenced = true;
    count(s, 'fenced');
    s.flags |= MEMBER_FLAG.fenced;
    s.incarnation++;
    queueAlive(s);
    out.push({ kind: 'fence', fenced: true });
  } else if (s.fenced && (size < 3 || (!minority && s.consecutiveOk >= p.fenceRecover))) {
    s.fenced = false;
    count(s, 'unfenced');
    s.flags &= ~MEMBER_FLAG.fenced;
    s.incarnation++;
    queueAlive(s);
    out.push({ kind: 'fence', fenced: false });
  }
}

function pickHelpers(s: SwimState, target: string, k: number): MemberRecord[] {
  const candidates: MemberRecord[] = [];
  for (const m of s.members.values()) if (m.name !== target && m.status === 'alive') candidates.push(m);
  return sample(s.rng, candidates, k);
}

// ---------------------------------------------------------------------------------------------- packets

function onPacket(s: SwimState, from: string, packet: Packet, now: number, out: SwimAction[]): void {
  s.lastContactAt = now;
  const sender = s.members.get(packet.sender);
  const replyTo = sender !== undefined && sender.status !== 'left' ? sender.addr : from;
  for (const m of packet.messages) {
    switch (m.type) {
      case 'ping':
        if (m.target !== s.self) {
          count(s, 'ping-wrong-target');
          break;
        }
        if (s.status === 'left') break;
        // The ack is built after the rest of the packet so a refutation it provoked rides along.
        break;
      case 'ping-req': {
        if (s.status === 'left') break;
        const target = s.members.get(m.target);
        // Never probe on anyone's behalf an address that is not a live member's (no reflection or amplification).
        if (target === undefined || target.status === 'dead' || target.status === 'left' || m.target === s.self) {
          count(s, 'ping-req-not-member');
          break;
        }
        const seq = ++s.pingSeq;
        const timeout = s.profile.probeTimeoutMs;
        s.pings.set(seq, {
          target: m.target,
          purpose: 'relay',
          requester: replyTo,
          forSeq: m.seq,
          nackAt: now + timeout * s.profile.nackFraction,
          expiresAt: now + timeout,
        });
        out.push({
          kind: 'send',
          to: target.addr,
          messages: withPiggyback(s, [{ type: 'ping', seq, target: m.target }]),
        });
        break;
      }
      case 'ack':
        onAck(s, packet.sender, m.seq, m.incarnation, now, out);
        break;
      case 'nack':
        if (s.probe !== undefined && s.probe.seq === m.seq) s.probe.nacks++;
        break;
      case 'alive':
        applyAlive(s, m, now, out);
        break;
      case 'suspect': {
        const rec = s.members.get(m.node);
        if (m.node === s.self) refute(s, m.incarnation, m.from, out);
        else if (rec !== undefined) suspectMember(s, rec, m.incarnation, m.from, now, out);
        break;
      }
      case 'dead': {
        const rec = s.members.get(m.node);
        if (m.node === s.self) {
          if (m.from !== s.self) refute(s, m.incarnation, m.from, out);
        } else if (rec !== undefined)
          markDead(s, rec, m.incarnation, m.from, now, out, m.from === m.node ? 'left' : 'declared-dead');
        break;
      }
      case 'heartbeat':
        onHeartbeat(s, packet.sender, m.incarnation, now, out);
        break;
      case 'unknown':
        count(s, 'unknown-message');
        break;
    }
  }
  for (const m of packet.messages) {
    if (m.type === 'ping' && m.target === s.self && s.status === 'alive') {
      out.push({
        kind: 'send',
        to: replyTo,
        messages: withPiggyback(s, [{ type: 'ack', seq: m.seq, incarnation: s.incarnation }]),
      });
    }
  }
}

function onAck(s: SwimState, sender: string, seq: number, incarnation: number, now: number, out: SwimAction[]): void {
  const pr = s.probe;
  if (pr !== undefined && pr.seq === seq) {
    ackClears(s, pr.target, incarnation, now, out);
    finishProbe(s, now, out, true);
    return;
  }
  const w = s.pings.get(seq);
  if (w === undefined) return;
  s.pings.delete(seq);
  if (w.purpose === 'relay') {
    if (w.requester !== undefined && w.forSeq !== undefined)
      out.push({
        kind: 'send',
        to: w.requester,
        messages: withPiggyback(s, [{ type: 'ack', seq: w.forSeq, incarnation }]),
      });
    return;
  }
  ackClears(s, w.target, incarnation, now, out);
  if (w.purpose === 'takeover') {
    const watch = s.watches.get(w.target);
    if (watch !== undefined && watch.phase === 'probing' && watch.probeSeq === seq) {
      watch.phase = 'watching';
      watch.lastAt = now;
      count(s, 'takeover-probe-answered');
    }
  }
  void sender;
}

/** Hardening rule 2: an ack showing a higher incarnation than a suspicion's is the same statement as `alive`. */
function ackClears(s: SwimState, target: string, incarnation: number, now: number, out: SwimAction[]): void {
  if (!s.profile.ackCarriesIncarnation) return;
  const m = s.members.get(target);
  if (m === undefined || incarnation <= m.incarnation) return;
  if (m.status === 'suspect' || m.status === 'alive') {
    count(s, 'ack-cleared-suspicion');
    applyAlive(s, { type: 'alive', node: m.name, addr: m.addr, incarnation, flags: m.flags }, now, out);
  }
}

function onHeartbeat(s: SwimState, sender: string, incarnation: number, now: number, out: SwimAction[]): void {
  const m = s.members.get(sender);
  if (m !== undefined && s.profile.ackCarriesIncarnation && incarnation > m.incarnation && m.status === 'suspect')
    ackClears(s, sender, incarnation, now, out);
  const w = s.watches.get(sender);
  if (w === undefined) return;
  w.lastAt = now;
  if (w.phase === 'probing' || w.phase === 'disarmed') w.phase = 'watching';
  else if (w.phase === 'claimed' && incarnation > w.claimedIncarnation) endClaim(s, w, 'refuted', out);
}

function endClaim(s: SwimState, w: Watch, reason: 'refuted' | 'dead' | 'left', out: SwimAction[]): void {
  count(s, `claim-ended-${reason}`);
  out.push({ kind: 'claim-ended', owner: w.owner, reason });
  // After a refutation the fast path stays off for this owner until one of its heartbeats is heard again,
  // so a one-way link failure does not make the standby claim over and over.
  if (reason === 'refuted') w.phase = 'disarmed';
  else s.watches.delete(w.owner);
}

function onSetPairs(s: SwimState, heartbeatTo: readonly string[], watch: readonly string[], now: number): void {
  const p = s.profile;
  if (p.takeoverIntervalMs <= 0 || s.status === 'left') return;
  s.heartbeatTo = heartbeatTo.filter((n) => n !== s.self);
  if (s.heartbeatTo.length > 0 && s.nextHeartbeatAt === Infinity) s.nextHeartbeatAt = now;
  const want = new Set(watch);
  for (const [name, w] of s.watches) if (!want.has(name) && w.phase !== 'claimed') s.watches.delete(name);
  for (const name of want) {
    if (name === s.self || s.watches.has(name)) continue;
    s.watches.set(name, {
      owner: name,
      lastAt: now,
      phase: 'watching',
      probeSeq: 0,
      probeDeadline: 0,
      claimedIncarnation: 0,
    });
  }
}

// ------------------------------------------------------------------------------------------ state exchange

function onState(s: SwimState, st: StateExchange, now: number, out: SwimAction[]): void {
  s.lastContactAt = now;
  for (const r of st.members) {
    if (r.node === s.self) {
      if ((r.status === 'suspect' || r.status === 'dead') && r.incarnation >= s.incarnation && s.status === 'alive')
        refute(s, r.incarnation, st.sender, out);
      continue;
    }
    const alive: AliveMessage = {
      type: 'alive',
      node: r.node,
      addr: r.addr,
      incarnation: r.incarnation,
      flags: r.flags,
    };
    switch (r.status) {
      case 'alive':
        applyAlive(s, alive, now, out);
        break;
      case 'suspect':
      case 'dead': {
        // A remote "dead" is applied only as a suspicion, so a member that is in fact alive can refute (memberlist).
        if (!s.members.has(r.node)) applyAlive(s, alive, now, out);
        const rec = s.members.get(r.node);
        if (rec !== undefined) suspectMember(s, rec, r.incarnation, st.sender, now, out);
        break;
      }
      case 'left': {
        const rec = s.members.get(r.node);
        if (rec !== undefined) markDead(s, rec, r.incarnation, r.node, now, out, 'left');
        break;
      }
    }
  }
  if (liveCount(s) > 1) s.nextJoinAt = Infinity;
}

// ------------------------------------------------------------------------------------- membership rules

function applyAlive(s: SwimState, m: AliveMessage, now: number, out: SwimAction[]): void {
  if (m.node === s.self) {
    if (s.status === 'alive' && m.incarnation > s.incarnation) refute(s, m.incarnation, m.node, out);
    return;
  }
  const rec = s.members.get(m.node);
  if (rec === undefined) {
    const fresh: MemberRecord = {
      name: m.node,
      addr: m.addr,
      incarnation: m.incarnation,
      status: 'alive',
      since: now,
      flags: m.flags,
    };
    s.members.set(m.node, fresh);
    // Insert at a random place in the probe round so a new member is probed within one round.
    s.probeOrder.splice(s.probeIndex + nextInt(s.rng, s.probeOrder.length - s.probeIndex + 1), 0, m.node);
    enqueue(s, m);
    out.push({ kind: 'member', reason: 'joined', member: view(fresh) });
    return;
  }
  if (m.incarnation <= rec.incarnation) return;
  const prev = rec.status;
  const flagsChanged = rec.flags !== m.flags;
  rec.incarnation = m.incarnation;
  rec.addr = m.addr;
  rec.flags = m.flags;
  enqueue(s, m);
  if (prev !== 'alive') {
    rec.status = 'alive';
    rec.since = now;
    s.suspicions.delete(rec.name);
    if (prev === 'dead' || prev === 'left') {
      s.probeOrder.splice(s.probeIndex + nextInt(s.rng, s.probeOrder.length - s.probeIndex + 1), 0, rec.name);
    }
    out.push({ kind: 'member', reason: prev === 'suspect' ? 'refuted' : 'rejoined', member: view(rec) });
  } else if (flagsChanged) {
    out.push({ kind: 'member', reason: 'flags-changed', member: view(rec) });
  }
  const w = s.watches.get(rec.name);
  if (w !== undefined && w.phase === 'claimed' && m.incarnation > w.claimedIncarnation) endClaim(s, w, 'refuted', out);
}

function suspectMember(
  s: SwimState,
  rec: MemberRecord,
  incarnation: number,
  from: string,
  now: number,
  out: SwimAction[],
): void {
  if (rec.status === 'dead' || rec.status === 'left') return;
  if (incarnation < rec.incarnation) return;
  if (rec.status === 'suspect' && incarnation === rec.incarnation) {
    confirm(s, rec, from, now, out);
    return;
  }
  rec.incarnation = incarnation;
  rec.status = 'suspect';
  rec.since = now;
  const b = suspicionBounds(s.profile, liveCount(s));
  const start = now;
  const total = b.k === 0 ? b.min : b.max;
  const deadline = start + total;
  s.suspicions.set(rec.name, {
    incarnation,
    first: from,
    start,
    min: b.min,
    max: b.max,
    k: b.k,
    confirmers: new Set(),
    deadline,
    checkAt: checkTime(s, now, deadline),
    countedOwn: from === s.self,
  });
  count(s, 'suspected');
  enqueue(s, { type: 'suspect', node: rec.name, incarnation, from });
  out.push({ kind: 'member', reason: 'suspected', member: view(rec) });
  if (from === s.self) recordOutcome(s, false, now, out);
}

function checkTime(s: SwimState, now: number, deadline: number): number | undefined {
  if (!s.profile.preExpiryCheck) return undefined;
  const at = deadline - s.profile.probeIntervalMs;
  return at > now ? at : undefined;
}

function confirm(s: SwimState, rec: MemberRecord, from: string, now: number, out: SwimAction[]): void {
  const sus = s.suspicions.get(rec.name);
  // Our own first failure against a member someone else suspected first still counts once toward G1, so
  // which side of a partition gossips faster does not decide who fences.
  if (sus !== undefined && from === s.self && !sus.countedOwn) {
    sus.countedOwn = true;
    recordOutcome(s, false, now, out);
  }
  if (sus === undefined || from === sus.first || sus.confirmers.has(from) || sus.confirmers.size >= sus.k) return;
  sus.confirmers.add(from);
  count(s, 'confirmation');
  const deadline = sus.start + suspicionTimeout({ min: sus.min, max: sus.max, k: sus.k }, sus.confirmers.size);
  if (deadline < sus.deadline) {
    sus.deadline = deadline;
    if (sus.checkAt !== undefined || s.profile.preExpiryCheck) sus.checkAt = checkTime(s, now, deadline);
  }
  enqueue(s, { type: 'suspect', node: rec.name, incarnation: sus.incarnation, from });
  void out;
}

function markDead(
  s: SwimState,
  rec: MemberRecord,
  incarnation: number,
  from: string,
  now: number,
  out: SwimAction[],
  reason: 'suspicion-expired' | 'declared-dead' | 'left',
): void {
  if (rec.status === 'dead' || rec.status === 'left') {
    // A graceful leave may follow a death we declared ourselves; record it as left.
    if (rec.status === 'dead' && reason === 'left' && incarnation >= rec.incarnation) rec.status = 'left';
    return;
  }
  if (incarnation < rec.incarnation) return;
  rec.incarnation = incarnation;
  rec.status = reason === 'left' ? 'left' : 'dead';
  rec.since = now;
  s.suspicions.delete(rec.name);
  enqueue(s, { type: 'dead', node: rec.name, incarnation, from });
  out.push({ kind: 'member', reason, member: view(rec) });
  const w = s.watches.get(rec.name);
  if (w !== undefined && w.phase === 'claimed') endClaim(s, w, reason === 'left' ? 'left' : 'dead', out);
  else s.watches.delete(rec.name);
}

function refute(s: SwimState, accused: number, by: string, out: SwimAction[]): void {
  if (s.status !== 'alive') return;
  if (accused < s.incarnation) {
    // Stale accusation; still make sure our current alive is circulating.
    if (!s.queue.has(s.self)) queueAlive(s);
    return;
  }
  s.incarnation = accused + 1;
  s.awareness = Math.min(s.profile.awarenessMax - 1, s.awareness + 1);
  count(s, 'refuted');
  queueAlive(s);
  out.push({ kind: 'refuted', incarnation: s.incarnation, accusedBy: by });
}

function queueAlive(s: SwimState): void {
  enqueue(s, { type: 'alive', node: s.self, addr: s.addr, incarnation: s.incarnation, flags: s.flags });
}

// --------------------------------------------------------------------------------------- dissemination

function retransmitLimit(s: SwimState): number {
  const p = s.profile;
  return Math.max(p.retransmitFloor, p.retransmitMult * Math.ceil(Math.log10(liveCount(s) + 1)));
}

/**
 * Queues a broadcast; a newer message about the same member replaces an older one (memberlist's queue).
 * Suspicions are kept per accuser, though: when several members suspect at once (a crash seen by every
 * standby), each accusation must spread on its own to count as an independent confirmation.
 */
function enqueue(s: SwimState, msg: UpdateMessage): void {
  if (msg.type === 'suspect') {
    s.queue.set(`${msg.node}\0${msg.from}`, { msg, size: messageSize(msg), transmits: 0, order: ++s.broadcastOrder });
    return;
  }
  const prefix = `${msg.node}\0`;
  for (const k of s.queue.keys()) if (k.startsWith(prefix)) s.queue.delete(k);
  s.queue.set(msg.node, { msg, size: messageSize(msg), transmits: 0, order: ++s.broadcastOrder });
}

function queueKey(msg: UpdateMessage): string {
  return msg.type === 'suspect' ? `${msg.node}\0${msg.from}` : msg.node;
}

/** Tops `messages` up with queued broadcasts, least-sent first, within the packet budget. */
function withPiggyback(s: SwimState, messages: Message[]): Message[] {
  if (s.queue.size === 0) return messages;
  let used = 0;
  for (const m of messages) used += messageSize(m);
  let room = s.packetBudget - used;
  const limit = retransmitLimit(s);
  const entries = [...s.queue.values()];
  if (entries.length > 1) entries.sort((a, b) => a.transmits - b.transmits || b.order - a.order);
  for (const b of entries) {
    if (messages.length >= 255) break;
    if (b.size > room) continue;
    messages.push(b.msg);
    room -= b.size;
    b.transmits++;
    if (b.transmits >= limit) s.queue.delete(queueKey(b.msg));
  }
  return messages;
}

function gossip(s: SwimState, now: number, out: SwimAction[]): void {
  if (s.queue.size === 0) return;
  const p = s.profile;
  const targets: MemberRecord[] = [];
  for (const m of s.members.values()) {
    if (m.status === 'alive' || m.status === 'suspect' || (m.status === 'dead' && now - m.since < p.gossipToTheDeadMs))
      targets.push(m);
  }
  for (const m of sample(s.rng, targets, p.gossipNodes)) {
    if (s.queue.size === 0) break;
    const msgs = withPiggyback(s, []);
    if (msgs.length > 0) out.push({ kind: 'send', to: m.addr, messages: msgs });
  }
}

/** A member record as an immutable view. */
export function view(m: MemberRecord): MemberView {
  return { name: m.name, addr: m.addr, incarnation: m.incarnation, status: m.status, flags: m.flags };
}
