import { encodeControl, type BfdControlPacket } from '../codec/control.js';
import { BFD_VERSION, SEND_TTL, SLOW_TX_INTERVAL_US, type BfdDiag, type BfdState } from '../constants.js';
import { advancesEveryPacket, authSection, checkAuth, type BfdAuthFailure, type BfdAuthKey } from './auth.js';

/** The fixed parameters of one session, intervals in microseconds as on the wire. */
export interface SessionParams {
  /** bfd.LocalDiscr: non-zero, unique in the process. */
  readonly localDiscriminator: number;
  /** The configured Desired Min TX; while not Up at least one second is advertised instead (RFC 5880 §6.8.3). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval. */
  readonly requiredMinRxUs: number;
  /** bfd.DetectMult. */
  readonly detectMult: number;
  /** Passive role (RFC 5880 §6.1): send nothing until the peer has spoken. */
  readonly passive: boolean;
  /** RFC 5883 multihop: minimum-TTL check instead of TTL 255. */
  readonly multihop: boolean;
  /** Lowest TTL accepted on a multihop session. */
  readonly minimumTtl: number;
  /** bfd.AuthType and key, or undefined for no authentication. */
  readonly auth?: BfdAuthKey;
}

/** Why a session changed state; `diag` carries the RFC's code, this the event that caused it. */
export type BfdStateChangeCause =
  | 'peer-down'
  | 'peer-init'
  | 'peer-up'
  | 'peer-admin-down'
  | 'detection-time-expired'
  | 'admin-down'
  | 'admin-up'
  /** The engine running the session stopped unexpectedly (the worker thread died): liveness is unknown. */
  | 'engine-stopped';

/** Why a packet addressed to this session was discarded. */
export type BfdSessionDropReason =
  BfdAuthFailure | 'ttl-not-255' | 'ttl-below-minimum' | 'discriminator-mismatch' | 'session-admin-down';

/** Everything the reducer knows about one session (RFC 5880 §6.8.1 state variables plus deadlines). */
export interface SessionState {
  readonly params: SessionParams;
  readonly started: boolean;
  /** bfd.SessionState. */
  readonly state: BfdState;
  /** bfd.RemoteSessionState. */
  readonly remoteState: BfdState;
  /** bfd.RemoteDiscr; 0 until learned and again after a detection timeout. */
  readonly remoteDiscriminator: number;
  /** bfd.LocalDiag. */
  readonly localDiag: BfdDiag;
  /** bfd.DesiredMinTxInterval as advertised now (µs). */
  readonly desiredMinTx: number;
  /** bfd.RequiredMinRxInterval as advertised now (µs). */
  readonly requiredMinRx: number;
  /** The Desired Min TX that paces our packets: an increase waits for the poll sequence (RFC 5880 §6.8.3). */
  readonly txPacingUs: number;
  /** The Required Min RX in the detection time: a decrease waits for the poll sequence (RFC 5880 §6.8.3). */
  readonly detectRxUs: number;
  /** bfd.RemoteMinRxInterval (µs); 1 until the peer has spoken. */
  readonly remoteMinRx: number;
  /** The peer's last Desired Min TX (µs). */
  readonly remoteDesiredMinTx: number;
  /** The peer's last Detect Mult. */
  readonly remoteDetectMult: number;
  /** bfd.RemoteDemandMode. */
  readonly remoteDemand: boolean;
  /** A poll sequence is under way: packets carry P until one with F arrives. */
  readonly pollActive: boolean;
  /** bfd.XmitAuthSeq. */
  readonly xmitAuthSeq: number;
  /** bfd.RcvAuthSeq. */
  readonly rcvAuthSeq: number;
  /** bfd.AuthSeqKnown. */
  readonly authSeqKnown: boolean;
  /** Contents of the last packet sent, for Keyed (non-meticulous) sequence advancing. */
  readonly lastSentShape: string;
  /** When the last valid packet arrived (ms on the clock). */
  readonly lastRxAt: number | undefined;
  /** The detection time last computed (ms). */
  readonly detectionTimeMs: number;
  /** When the next periodic packet is due (ms), or undefined while we must not send. */
  readonly txDeadline: number | undefined;
  /** When the detection time runs out (ms), or undefined while no packet is expected. */
  readonly detectDeadline: number | undefined;
}

/** Inputs of the reducer. */
export type SessionEvent =
  | { readonly kind: 'start' }
  | {
      readonly kind: 'timer';
      /** Send what is due but leave an expired detection time for a later `timer` event. */
      readonly skipDetection?: boolean;
    }
  | {
      readonly kind: 'received';
      readonly packet: BfdControlPacket;
      /** The packet as received, for the authentication digest. */
      readonly bytes: Uint8Array;
      /** Received TTL / hop limit, or undefined when the transport cannot tell. */
      readonly ttl: number | undefined;
    }
  | { readonly kind: 'admin-down' }
  | { readonly kind: 'admin-up' }
  | {
      readonly kind: 'set-timers';
      readonly desiredMinTxUs?: number;
      readonly requiredMinRxUs?: number;
      readonly detectMult?: number;
    };

/** Outputs of the reducer, for the driver to carry out. */
export type SessionAction =
  | { readonly kind: 'send'; readonly packet: BfdControlPacket; readonly bytes: Uint8Array; readonly ttl: number }
  | {
      readonly kind: 'state-changed';
      readonly from: BfdState;
      readonly to: BfdState;
      readonly diag: BfdDiag;
      readonly cause: BfdStateChangeCause;
    }
  | { readonly kind: 'packet-dropped'; readonly reason: BfdSessionDropReason }
  | { readonly kind: 'poll-completed' };

/** Time and randomness, handed to the reducer by its driver. */
export interface StepContext {
  /** Clock time in ms. */
  readonly now: number;
  /** Uniform in [0, 1); the transmit jitter and the first auth sequence number. */
  readonly random: () => number;
}

/** The reducer's answer. */
export interface StepResult {
  readonly state: SessionState;
  readonly actions: readonly SessionAction[];
}

type Draft = { -readonly [K in keyof SessionState]: SessionState[K] };

/** bfd.DesiredMinTxInterval for a session state: at least one second unless Up (RFC 5880 §6.8.3). */
function advertisedTx(params: SessionParams, state: BfdState): number {
  return state === 'Up' ? params.desiredMinTxUs : Math.max(params.desiredMinTxUs, SLOW_TX_INTERVAL_US);
}

/** A new session, Down and silent until `start`. */
export function createSession(params: SessionParams, ctx: Pick<StepContext, 'random'>): SessionState {
  const desired = advertisedTx(params, 'Down');
  return {
    params,
    started: false,
    state: 'Down',
    remoteState: 'Down',
    remoteDiscriminator: 0,
    localDiag: 'none',
    desiredMinTx: desired,
    requiredMinRx: params.requiredMinRxUs,
    txPacingUs: desired,
    detectRxUs: params.requiredMinRxUs,
    remoteMinRx: 1,
    remoteDesiredMinTx: 0,
    remoteDetectMult: 0,
    remoteDemand: false,
    pollActive: false,
    xmitAuthSeq: Math.floor(ctx.random() * 0x1_0000_0000) >>> 0,
    rcvAuthSeq: 0,
    authSeqKnown: false,
    lastSentShape: '',
    lastRxAt: undefined,
    detectionTimeMs: 0,
    txDeadline: undefined,
    detectDeadline: undefined,
  };
}

/** The earliest deadline of a session, for the driver's timer; undefined when nothing is pending. */
export function nextDeadline(s: SessionState): number | undefined {
  const a = s.txDeadline;
  const b = s.detectDeadline;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** The nominal transmit interval (µs): the larger of our pacing Desired Min TX and the peer's Required Min RX (RFC 5880 §6.8.7). */
export function transmitIntervalUs(s: SessionState): number {
  return Math.max(s.txPacingUs, s.remoteMinRx);
}

/** Detection time (ms) in asynchronous mode: the peer's Detect Mult × max(our Required Min RX, its Desired Min TX) (RFC 5880 §6.8.4). */
export function detectionTimeMs(s: SessionState): number {
  return (s.remoteDetectMult * Math.max(s.detectRxUs, s.remoteDesiredMinTx)) / 1000;
}

/**
 * One jittered interval (ms): 75–100 % of nominal, or 75–90 % when our Detect Mult is 1 (RFC 5880 §6.8.7).
 */
export function jitteredIntervalMs(s: SessionState, random: () => number): number {
  const span = s.params.detectMult === 1 ? 0.15 : 0.25;
  return (transmitIntervalUs(s) / 1000) * (0.75 + span * random());
}

/** Whether periodic transmission is allowed now (RFC 5880 §6.8.7, passive role §6.1). */
function mayTransmit(s: Draft): boolean {
  if (!s.started) return false;
  if (s.remoteMinRx === 0) return false;
  if (s.params.passive && s.remoteDiscriminator === 0) return false;
  if (s.remoteDemand && s.state === 'Up' && s.remoteState === 'Up') return false;
  return true;
}

/** The reducer: applies one event at `ctx.now` and returns the new state and the actions to carry out. */
export function step(state: SessionState, event: SessionEvent, ctx: StepContext): StepResult {
  const d: Draft = { ...state };
  const actions: SessionAction[] = [];
  switch (event.kind) {
    case 'start':
      if (d.started) break;
      d.started = true;
      if (mayTransmit(d)) transmit(d, actions, ctx, { final: false, resetSchedule: true });
      break;
    case 'timer':
      onTimer(d, actions, ctx, event.skipDetection === true);
      break;
    case 'received':
      onReceived(d, actions, ctx, event);
      break;
    case 'admin-down':
      if (d.state === 'AdminDown') break;
      d.localDiag = 'administratively-down';
      changeState(d, actions, 'AdminDown', 'admin-down');
      d.detectDeadline = undefined;
      d.pollActive = false;
      if (d.started) transmit(d, actions, ctx, { final: false, resetSchedule: true });
      break;
    case 'admin-up':
      if (d.state !== 'AdminDown') break;
      d.localDiag = 'none';
      changeState(d, actions, 'Down', 'admin-up');
      d.pollActive = false;
      if (mayTransmit(d)) transmit(d, actions, ctx, { final: false, resetSchedule: true });
      else d.txDeadline = undefined;
      break;
    case 'set-timers':
      onSetTimers(d, actions, ctx, event);
      break;
  }
  return { state: d, actions };
}

function changeState(d: Draft, actions: SessionAction[], to: BfdState, cause: BfdStateChangeCause): void {
  const from = d.state;
  if (from === to) return;
  d.state = to;
  actions.push({ kind: 'state-changed', from, to, diag: d.localDiag, cause });
  // Entering or leaving Up changes the advertised Desired Min TX (RFC 5880 §6.8.3): a timer change, so a
  // poll sequence, and a decrease paces our packets at once (the "transmit timer on going Up" pitfall).
  const desired = advertisedTx(d.params, to);
  if (desired !== d.desiredMinTx) {
    d.desiredMinTx = desired;
    d.txPacingUs = desired;
    d.pollActive = to !== 'AdminDown';
  }
}

function onTimer(d: Draft, actions: SessionAction[], ctx: StepContext, skipDetection: boolean): void {
  const now = ctx.now;
  if (!skipDetection && d.detectDeadline !== undefined && now >= d.detectDeadline) {
    d.detectDeadline = undefined;
    const wasLive = d.state === 'Init' || d.state === 'Up';
    // RFC 5880 §6.8.1: bfd.RemoteDiscr is zeroed when the detection time passes in silence.
    d.remoteDiscriminator = 0;
    d.remoteState = 'Down';
    d.remoteMinRx = 1;
    d.remoteDemand = false;
    if (wasLive) {
      d.localDiag = 'control-detection-time-expired';
      changeState(d, actions, 'Down', 'detection-time-expired');
      // Nobody is left to answer a poll; the slower rate applies at once since we are not Up.
      d.pollActive = false;
      if (mayTransmit(d)) transmit(d, actions, ctx, { final: false, resetSchedule: true });
    }
    if (!mayTransmit(d)) d.txDeadline = undefined;
  }
  if (d.txDeadline !== undefined && now >= d.txDeadline) {
    if (mayTransmit(d)) transmit(d, actions, ctx, { final: false, resetSchedule: true });
    else d.txDeadline = undefined;
  }
}

function onReceived(
  d: Draft,
  actions: SessionAction[],
  ctx: StepContext,
  ev: Extract<SessionEvent, { kind: 'received' }>,
): void {
  const p = ev.packet;
  const now = ctx.now;
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== d.params.localDiscriminator) {
    actions.push({ kind: 'packet-dropped', reason: 'discriminator-mismatch' });
    return;
  }
  // RFC 5881 §5 (GTSM): single hop needs TTL 255; RFC 5883 §5 leaves multihop to a configured minimum.
  if (ev.ttl !== undefined) {
    if (!d.params.multihop && ev.ttl !== SEND_TTL) {
      actions.push({ kind: 'packet-dropped', reason: 'ttl-not-255' });
      return;
    }
    if (d.params.multihop && ev.ttl < d.params.minimumTtl) {
      actions.push({ kind: 'packet-dropped', reason: 'ttl-below-minimum' });
      return;
    }
  }
  // RFC 5880 §6.7.1: forget the sequence after twice the detection time without packets.
  let authState = { rcvAuthSeq: d.rcvAuthSeq, authSeqKnown: d.authSeqKnown };
  if (d.lastRxAt !== undefined && now - d.lastRxAt > 2 * d.detectionTimeMs)
    authState = { rcvAuthSeq: d.rcvAuthSeq, authSeqKnown: false };
  const auth = checkAuth(d.params.auth, p, ev.bytes, authState);
  if (!auth.ok) {
    actions.push({ kind: 'packet-dropped', reason: auth.reason });
    return;
  }
  d.rcvAuthSeq = auth.next.rcvAuthSeq;
  d.authSeqKnown = auth.next.authSeqKnown;

  const intervalBefore = transmitIntervalUs(d);
  const couldTransmit = mayTransmit(d);
  d.remoteDiscriminator = p.myDiscriminator;
  d.remoteState = p.state;
  d.remoteDemand = p.demand;
  d.remoteMinRx = p.requiredMinRxInterval;
  d.remoteDesiredMinTx = p.desiredMinTxInterval;
  d.remoteDetectMult = p.detectMult;
  if (p.final && d.pollActive) {
    d.pollActive = false;
    d.txPacingUs = d.desiredMinTx;
    d.detectRxUs = d.requiredMinRx;
    actions.push({ kind: 'poll-completed' });
  }
  d.lastRxAt = now;
  d.detectionTimeMs = detectionTimeMs(d);
  d.detectDeadline = now + d.detectionTimeMs;

  if (d.state === 'AdminDown') {
    actions.push({ kind: 'packet-dropped', reason: 'session-admin-down' });
    if (p.poll) transmit(d, actions, ctx, { final: true, resetSchedule: false });
    return;
  }

  const stateBefore = d.state;
  if (p.state === 'AdminDown') {
    if (d.state !== 'Down') {
      d.localDiag = 'neighbor-signaled-session-down';
      changeState(d, actions, 'Down', 'peer-admin-down');
    }
  } else if (d.state === 'Down') {
    if (p.state === 'Down') {
      changeState(d, actions, 'Init', 'peer-down');
    } else if (p.state === 'Init') {
      d.localDiag = 'none';
      changeState(d, actions, 'Up', 'peer-init');
    }
  } else if (d.state === 'Init') {
    if (p.state === 'Init' || p.state === 'Up') {
      d.localDiag = 'none';
      changeState(d, actions, 'Up', p.state === 'Init' ? 'peer-init' : 'peer-up');
    }
  } else if (p.state === 'Down') {
    d.localDiag = 'neighbor-signaled-session-down';
    changeState(d, actions, 'Down', 'peer-down');
  }

  if (!mayTransmit(d)) {
    d.txDeadline = undefined;
    return;
  }
  if (d.state !== stateBefore || !couldTransmit) {
    // State changes go out at once; a passive session starts talking now that the peer has.
    transmit(d, actions, ctx, { final: p.poll, resetSchedule: true });
    return;
  }
  if (p.poll) transmit(d, actions, ctx, { final: true, resetSchedule: false });
  // The peer asked for faster packets: take the new pace now rather than after the current long interval.
  if (transmitIntervalUs(d) < intervalBefore) reschedule(d, ctx);
}

function onSetTimers(
  d: Draft,
  actions: SessionAction[],
  ctx: StepContext,
  ev: Extract<SessionEvent, { kind: 'set-timers' }>,
): void {
  const params: SessionParams = {
    ...d.params,
    ...(ev.desiredMinTxUs === undefined ? {} : { desiredMinTxUs: ev.desiredMinTxUs }),
    ...(ev.requiredMinRxUs === undefined ? {} : { requiredMinRxUs: ev.requiredMinRxUs }),
    ...(ev.detectMult === undefined ? {} : { detectMult: ev.detectMult }),
  };
  const oldTx = d.desiredMinTx;
  const oldRx = d.requiredMinRx;
  const changed = params.detectMult !== d.params.detectMult;
  d.params = params;
  const newTx = advertisedTx(params, d.state);
  const newRx = params.requiredMinRxUs;
  if (newTx === oldTx && newRx === oldRx && !changed) return;
  d.desiredMinTx = newTx;
  d.requiredMinRx = newRx;
  const up = d.state === 'Up';
  // RFC 5880 §6.8.3: while Up, a slower TX waits for the poll to finish; a lower RX must not shorten the
  // detection time before then. Faster TX and higher RX take effect at once.
  if (!(up && newTx > d.txPacingUs)) d.txPacingUs = newTx;
  if (!(up && newRx < d.detectRxUs)) d.detectRxUs = newRx;
  if (d.lastRxAt !== undefined && d.detectDeadline !== undefined) {
    d.detectionTimeMs = detectionTimeMs(d);
    d.detectDeadline = d.lastRxAt + d.detectionTimeMs;
  }
  d.pollActive = d.remoteDiscriminator !== 0 && d.state !== 'AdminDown';
  if (d.started && mayTransmit(d)) {
    if (d.pollActive) transmit(d, actions, ctx, { final: false, resetSchedule: true });
    else reschedule(d, ctx);
  }
}

/** Moves the next periodic packet earlier when the current schedule is longer than the current interval allows. */
function reschedule(d: Draft, ctx: StepContext): void {
  const latest = ctx.now + transmitIntervalUs(d) / 1000;
  if (d.txDeadline === undefined || d.txDeadline > latest) d.txDeadline = ctx.now + jitteredIntervalMs(d, ctx.random);
}

function transmit(
  d: Draft,
  actions: SessionAction[],
  ctx: StepContext,
  opts: { final: boolean; resetSchedule: boolean },
): void {
  const key = d.params.auth;
  const base = {
    version: BFD_VERSION,
    diag: d.localDiag,
    state: d.state,
    // RFC 5880 §6.8.7: never P and F together; the poll continues in the next periodic packet.
    poll: d.pollActive && !opts.final,
    final: opts.final,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: d.params.detectMult,
    myDiscriminator: d.params.localDiscriminator,
    yourDiscriminator: d.remoteDiscriminator,
    desiredMinTxInterval: d.desiredMinTx,
    requiredMinRxInterval: d.requiredMinRx,
    requiredMinEchoRxInterval: 0,
  };
  let packet: BfdControlPacket = base;
  let bytes: Uint8Array;
  if (key === undefined) {
    bytes = encodeControl(packet);
  } else {
    if (key.type !== 'simple-password') {
      // Meticulous: a new sequence number in every packet. Keyed: a new one whenever the contents change,
      // so a replayed old packet cannot undo a newer one (RFC 5880 §6.7.3).
      const shape = `${base.diag}|${base.state}|${base.poll}|${base.final}|${base.yourDiscriminator}|${base.desiredMinTxInterval}|${base.requiredMinRxInterval}|${base.detectMult}`;
      if (advancesEveryPacket(key) || (d.lastSentShape !== '' && shape !== d.lastSentShape))
        d.xmitAuthSeq = (d.xmitAuthSeq + 1) >>> 0;
      d.lastSentShape = shape;
    }
    packet = { ...base, auth: authSection(key, d.xmitAuthSeq) };
    bytes = encodeControl(packet, key.type === 'simple-password' ? {} : { key: key.secret });
  }
  actions.push({ kind: 'send', packet, bytes, ttl: SEND_TTL });
  if (opts.resetSchedule) d.txDeadline = mayTransmit(d) ? ctx.now + jitteredIntervalMs(d, ctx.random) : undefined;
}
