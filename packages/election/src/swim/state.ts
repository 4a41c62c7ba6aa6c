import { MAX_PACKET_BYTES } from '../constants.js';
import type { Profile } from '../profiles.js';
import { packetHeaderSize } from '../wire/codec.js';
import type { MemberStatus, Message, StateRecord, UpdateMessage } from '../wire/messages.js';
import { createPrng, type Prng } from './prng.js';

/** Another member as this member sees it. */
export interface MemberRecord {
  readonly name: string;
  addr: string;
  incarnation: number;
  status: MemberStatus;
  /** When `status` last changed (local clock). */
  since: number;
  /** MEMBER_FLAG bits (fenced, draining). */
  flags: number;
}

/** A running suspicion of one member (Lifeguard's timer). */
export interface Suspicion {
  readonly incarnation: number;
  /** The first suspecter; its own later messages are not confirmations. */
  readonly first: string;
  readonly start: number;
  readonly min: number;
  readonly max: number;
  readonly k: number;
  readonly confirmers: Set<string>;
  deadline: number;
  /** When the pre-expiry check (hardening rule 3) is due, if still pending. */
  checkAt: number | undefined;
  /** Whether one of our own failed probes of this suspect has counted toward guard G1 already. */
  countedOwn: boolean;
}

/** The probe of the current protocol period. */
export interface Probe {
  readonly target: string;
  readonly seq: number;
  readonly ackDeadline: number;
  indirect: boolean;
  helpers: number;
  nacks: number;
}

/** An outstanding ping of ours that is not the period's probe. */
export interface PingWait {
  readonly target: string;
  readonly purpose: 'relay' | 'check' | 'takeover';
  /** For relays: who asked and under which seq. */
  readonly requester?: string;
  readonly forSeq?: number;
  /** For relays: when to send the nack if no ack came. */
  nackAt: number | undefined;
  readonly expiresAt: number;
}

/** Fast-takeover watch of one owner, kept by its standby. */
export interface Watch {
  readonly owner: string;
  lastAt: number;
  phase: 'watching' | 'probing' | 'claimed' | 'disarmed';
  probeSeq: number;
  probeDeadline: number;
  claimedIncarnation: number;
}

/** A queued broadcast and how often it has been sent. */
export interface Broadcast {
  readonly msg: UpdateMessage;
  readonly size: number;
  transmits: number;
  readonly order: number;
}

/** The whole failure detector state of one member: plain data, every timer a deadline. */
export interface SwimState {
  readonly self: string;
  readonly addr: string;
  readonly profile: Profile;
  /** Starting incarnation; also the packet epoch for replay rejection. */
  readonly epoch: number;
  incarnation: number;
  status: 'alive' | 'left';
  flags: number;
  readonly members: Map<string, MemberRecord>;
  probeOrder: string[];
  probeIndex: number;
  probe: Probe | undefined;
  nextProbeAt: number;
  nextGossipAt: number;
  nextPushPullAt: number;
  nextReconnectAt: number;
  nextJoinAt: number;
  seeds: string[];
  pingSeq: number;
  readonly pings: Map<number, PingWait>;
  awareness: number;
  readonly suspicions: Map<string, Suspicion>;
  readonly queue: Map<string, Broadcast>;
  broadcastOrder: number;
  /** Budget for piggybacked updates in one packet, after the frame and packet headers. */
  readonly packetBudget: number;
  heartbeatTo: string[];
  nextHeartbeatAt: number;
  readonly watches: Map<string, Watch>;
  /** G1: outcomes of the last probes (true = reachable). */
  window: boolean[];
  consecutiveOk: number;
  fenced: boolean;
  /** G1: since when the minority condition has held (undefined when it does not). */
  minoritySince: number | undefined;
  /** G2: last time anything authenticated arrived from a peer, or a probe succeeded. */
  lastContactAt: number;
  isolated: boolean;
  readonly rng: Prng;
  started: boolean;
  /** Counters of decisions, by reason. */
  readonly counters: Record<string, number>;
}

/** Options of {@link createSwimState}. */
export interface SwimStateInit {
  readonly name: string;
  readonly addr: string;
  readonly profile: Profile;
  readonly incarnation: number;
  readonly seed: number;
  readonly seeds?: readonly string[];
  /** Bytes the frame adds (header plus sealing). */
  readonly frameOverhead: number;
}

/** A fresh state; nothing is scheduled until the `start` event. */
export function createSwimState(init: SwimStateInit): SwimState {
  return {
    self: init.name,
    addr: init.addr,
    profile: init.profile,
    epoch: init.incarnation >>> 0,
    incarnation: init.incarnation >>> 0,
    status: 'alive',
    flags: 0,
    members: new Map(),
    probeOrder: [],
    probeIndex: 0,
    probe: undefined,
    nextProbeAt: Infinity,
    nextGossipAt: Infinity,
    nextPushPullAt: Infinity,
    nextReconnectAt: Infinity,
    nextJoinAt: Infinity,
    seeds: [...(init.seeds ?? [])],
    pingSeq: 0,
    pings: new Map(),
    awareness: 0,
    suspicions: new Map(),
    queue: new Map(),
    broadcastOrder: 0,
    packetBudget: MAX_PACKET_BYTES - init.frameOverhead - packetHeaderSize(init.name),
    heartbeatTo: [],
    nextHeartbeatAt: Infinity,
    watches: new Map(),
    window: [],
    consecutiveOk: 0,
    fenced: false,
    minoritySince: undefined,
    lastContactAt: 0,
    isolated: false,
    rng: createPrng(init.seed),
    started: false,
    counters: {},
  };
}

/** Live members (alive or suspect), self included: the N of the formulas. */
export function liveCount(s: SwimState): number {
  let n = 1;
  for (const m of s.members.values()) if (m.status === 'alive' || m.status === 'suspect') n++;
  return n;
}

/** Members that have not left (dead ones included until reaped), self included: the cluster size the guards use. */
export function clusterSize(s: SwimState): number {
  let n = 1;
  for (const m of s.members.values()) if (m.status !== 'left') n++;
  return n;
}

/** This member's full view as push-pull records, self first. */
export function snapshot(s: SwimState): StateRecord[] {
  const out: StateRecord[] = [
    { node: s.self, addr: s.addr, incarnation: s.incarnation, status: s.status, flags: s.flags },
  ];
  for (const m of s.members.values())
    out.push({ node: m.name, addr: m.addr, incarnation: m.incarnation, status: m.status, flags: m.flags });
  return out;
}

/** Adds to a named counter. */
export function count(s: SwimState, name: string, by = 1): void {
  s.counters[name] = (s.counters[name] ?? 0) + by;
}

/** Marker type so callers can tell a fully built message list. */
export type Outgoing = Message[];
