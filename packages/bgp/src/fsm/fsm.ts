import {
  ErrorCode,
  FsmErrorSubcode,
  CeaseSubcode,
  OpenMessageErrorSubcode,
  validateOpen,
  openAsn,
} from '../codec/index.js';
import type { NotificationFields, OpenMessage } from '../codec/index.js';
import type {
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmState,
  FsmStep,
  FsmTimers,
  SessionState,
  TimerName,
  TransitionReason,
} from './types.js';

/** Hold time set while waiting for the peer's OPEN: "a large value", 4 minutes (RFC 4271 §8.2.2). */
export const OPEN_HOLD_TIME_S = 240;

const EMPTY = new Uint8Array(0);
const TIMER_ORDER: readonly TimerName[] = ['hold', 'delay-open', 'connect-retry', 'keepalive', 'idle-hold'];

/** Creates an FSM in Idle. It does nothing until `manual-start`. */
export function createFsm(config: FsmConfig, now: number): FsmState {
  return {
    config,
    state: 'idle',
    reason: 'manual-stop',
    since: now,
    timers: {},
    connectRetryCounter: 0,
    connectFailures: 0,
    idleHoldMs: config.idleHoldTime * 1000,
    autoStart: false,
    negotiatedHoldTime: 0,
    keepaliveMs: 0,
    rng: (config.seed ?? 0x9e3779b9) >>> 0 || 1,
  };
}

/** The earliest running deadline, or undefined when no timer runs. */
export function nextDeadline(s: FsmState): number | undefined {
  let min: number | undefined;
  for (const t of TIMER_ORDER) {
    const d = s.timers[t];
    if (d !== undefined && (min === undefined || d < min)) min = d;
  }
  return min;
}

/** Timers due at `now`, most urgent kind first (hold before keepalive, so a dead peer is never kept alive). */
export function dueTimers(s: FsmState, now: number): TimerName[] {
  return TIMER_ORDER.filter((t) => {
    const d = s.timers[t];
    return d !== undefined && d <= now;
  });
}

/** Advances an xorshift32 generator; returns [next state, value in [0, 1)]. */
function nextRandom(x: number): [number, number] {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  return [x, x / 4294967296];
}

/** Mutable working copy for one step. */
interface Work {
  s: FsmState;
  actions: FsmAction[];
}

function set(w: Work, patch: Partial<FsmState>): void {
  w.s = { ...w.s, ...patch };
}

function setTimers(w: Work, patch: { [K in TimerName]?: number | undefined }): void {
  const timers: Record<string, number | undefined> = { ...w.s.timers, ...patch };
  const clean: Record<string, number> = {};
  for (const k of Object.keys(timers)) if (timers[k] !== undefined) clean[k] = timers[k]!;
  w.s = { ...w.s, timers: clean as FsmTimers };
}

/** RFC 4271 §10: jitter timers by a factor in [0.75, 1] so peers do not synchronise. */
function jitter(w: Work, ms: number): number {
  const [rng, r] = nextRandom(w.s.rng);
  set(w, { rng });
  return ms * (0.75 + 0.25 * r);
}

function connectRetryDelay(w: Work): number {
  const c = w.s.config;
  const exp = Math.min(w.s.connectFailures, 16);
  const ms = Math.min(c.connectRetryTime * 1000 * 2 ** exp, c.connectRetryMaxTime * 1000);
  return jitter(w, ms);
}

function notification(code: number, subcode: number, data: Uint8Array = EMPTY): NotificationFields {
  return { code, subcode, data };
}

function fsmError(state: SessionState): NotificationFields {
  // RFC 6608: the subcode names the state the unexpected message arrived in.
  const sub =
    state === 'open-sent'
      ? FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE
      : state === 'open-confirm'
        ? FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE
        : state === 'established'
          ? FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE
          : FsmErrorSubcode.UNSPECIFIED_ERROR;
  return notification(ErrorCode.FINITE_STATE_MACHINE_ERROR, sub);
}

interface IdleOptions {
  readonly notification?: NotificationFields;
  /** Arm IdleHold (with backoff) and restart automatically; false after a manual stop. */
  readonly restart: boolean;
}

/**
 * Every path into Idle (RFC 4271 §8.2.2): send the NOTIFICATION if any, drop the connection, release the
 * session, stop all timers, and — unless stopped by hand — arm IdleHold with a doubling delay so a flapping
 * peer is damped (§8.1.1 DampPeerOscillations).
 */
function toIdle(w: Work, now: number, reason: TransitionReason, opts: IdleOptions): void {
  const was = w.s.state;
  if (opts.notification !== undefined) w.actions.push({ kind: 'send-notification', notification: opts.notification });
  if (was !== 'idle') w.actions.push({ kind: 'disconnect' });
  if (was === 'established') w.actions.push({ kind: 'session-down' });
  const c = w.s.config;
  let idleHoldMs = w.s.idleHoldMs;
  // A session that stayed up long enough is not flapping: start the backoff over.
  if (w.s.establishedAt !== undefined && now - w.s.establishedAt >= c.dampingResetTime * 1000)
    idleHoldMs = c.idleHoldTime * 1000;
  const base: Partial<FsmState> = {
    state: 'idle',
    reason,
    since: now,
    timers: {},
    negotiatedHoldTime: 0,
    keepaliveMs: 0,
  };
  if (!opts.restart) {
    w.s = { ...w.s, ...base, connectRetryCounter: 0, autoStart: false, idleHoldMs };
    stripOptional(w);
    return;
  }
  const wait = jitter(w, idleHoldMs);
  w.s = {
    ...w.s,
    ...base,
    connectRetryCounter: w.s.connectRetryCounter + 1,
    idleHoldMs: Math.min(idleHoldMs * 2, c.idleHoldMaxTime * 1000),
    timers: { 'idle-hold': now + wait },
  };
  stripOptional(w);
}

function stripOptional(w: Work): void {
  const { peerOpen: _p, establishedAt: _e, ...rest } = w.s;
  w.s = rest;
}

function start(w: Work, now: number, reason: TransitionReason): void {
  const c = w.s.config;
  set(w, { autoStart: true, connectRetryCounter: reason === 'manual-start' ? 0 : w.s.connectRetryCounter });
  if (c.passive) {
    // PassiveTcpEstablishment: wait in Active; ConnectRetry only bounds how long we wait quietly.
    setTimers(w, { 'idle-hold': undefined, 'connect-retry': now + jitter(w, c.connectRetryTime * 1000) });
    move(w, 'active', now, reason);
  } else {
    setTimers(w, { 'idle-hold': undefined, 'connect-retry': now + connectRetryDelay(w) });
    w.actions.push({ kind: 'connect' });
    move(w, 'connect', now, reason);
  }
}

function move(w: Work, to: SessionState, now: number, reason: TransitionReason): void {
  set(w, { state: to, reason, since: now });
}

function sendOpen(w: Work, now: number, reason: TransitionReason): void {
  w.actions.push({ kind: 'send-open' });
  setTimers(w, { 'connect-retry': undefined, 'delay-open': undefined, hold: now + OPEN_HOLD_TIME_S * 1000 });
  move(w, 'open-sent', now, reason);
}

function connectionConfirmed(w: Work, now: number): void {
  const c = w.s.config;
  set(w, { connectFailures: 0 });
  if (c.delayOpenTime > 0) {
    setTimers(w, { 'connect-retry': undefined, 'delay-open': now + c.delayOpenTime * 1000 });
    set(w, { reason: 'tcp-connection-confirmed' });
    return;
  }
  sendOpen(w, now, 'tcp-connection-confirmed');
}

/**
 * Checks the peer's OPEN (RFC 4271 §6.2) and negotiates timers. Returns the NOTIFICATION to send when the
 * OPEN is refused.
 */
function acceptOpen(w: Work, now: number, open: OpenMessage): NotificationFields | undefined {
  const c = w.s.config;
  const internal = c.peerAsn !== undefined ? c.peerAsn === c.localAsn : openAsn(open) === c.localAsn;
  const verdict = validateOpen(open, {
    ...(c.peerAsn === undefined ? {} : { peerAs: c.peerAsn }),
    localBgpIdentifier: c.bgpIdentifier,
    internal,
    ...(c.requiredCapabilities === undefined ? {} : { requiredCapabilities: c.requiredCapabilities }),
  });
  if (verdict.outcome === 'reject') return verdict.notification;
  // RFC 4271 §4.2: hold time is the smaller of both; 0 means no keepalives and no hold timer.
  const hold = Math.min(c.holdTime, open.holdTime);
  if (hold !== 0 && hold < 3)
    return notification(ErrorCode.OPEN_MESSAGE_ERROR, OpenMessageErrorSubcode.UNACCEPTABLE_HOLD_TIME);
  const keepaliveMs = hold === 0 ? 0 : Math.min(c.keepaliveTime, hold / 3) * 1000;
  set(w, { peerOpen: open, negotiatedHoldTime: hold, keepaliveMs });
  setTimers(w, {
    'connect-retry': undefined,
    'delay-open': undefined,
    hold: hold === 0 ? undefined : now + hold * 1000,
    keepalive: keepaliveMs === 0 ? undefined : now + keepaliveMs,
  });
  return undefined;
}

function restartHold(w: Work, now: number): void {
  if (w.s.negotiatedHoldTime !== 0) setTimers(w, { hold: now + w.s.negotiatedHoldTime * 1000 });
}

/**
 * The events that end a session the same way in every state from Connect to Established (RFC 4271 §8.2.2):
 * the peer's NOTIFICATION, a malformed message, losing a collision, and any message the state does not
 * expect (an FSM error whose subcode names the state, RFC 6608).
 */
function sessionFailed(w: Work, e: FsmEvent, now: number): void {
  switch (e.kind) {
    case 'notification-received':
      return toIdle(w, now, 'notification-received', { restart: true });
    case 'message-error':
      return toIdle(w, now, 'message-error', { notification: e.notification, restart: true });
    case 'open-collision-dump':
      return toIdle(w, now, 'collision-lost', {
        notification: notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
        restart: true,
      });
    default:
      return toIdle(w, now, 'unexpected-message', { notification: fsmError(w.s.state), restart: true });
  }
}

/** HoldTimer expired (§8.2.2 event 10, OpenSent to Established): NOTIFICATION Hold Timer Expired, then Idle. */
function holdTimerExpired(w: Work, now: number): void {
  toIdle(w, now, 'hold-timer-expired', { notification: notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), restart: true });
}

/** A timer in OpenConfirm or Established: hold ends the session, keepalive sends one and re-arms (event 11). */
function sessionTimerExpired(w: Work, timer: TimerName, now: number): void {
  if (timer === 'hold') return holdTimerExpired(w, now);
  if (timer === 'keepalive') {
    w.actions.push({ kind: 'send-keepalive' });
    setTimers(w, { keepalive: now + w.s.keepaliveMs });
  }
}

const ADMIN_SHUTDOWN = notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN);

/**
 * The RFC 4271 §8.2.2 state machine as a pure function: the next state and the actions the driver must
 * perform, in order. `now` is the clock's `now()` in milliseconds.
 */
export function stepFsm(state: FsmState, event: FsmEvent, now: number): FsmStep {
  const w: Work = { s: state, actions: [] };
  const from = state.state;
  handle(w, event, now);
  const to = w.s.state;
  if (from !== to) return { state: w.s, actions: w.actions, transition: { from, to, reason: w.s.reason } };
  return { state: w.s, actions: w.actions };
}

function handle(w: Work, e: FsmEvent, now: number): void {
  const st = w.s.state;
  // Events that every state answers the same way.
  if (e.kind === 'manual-stop') {
    if (st === 'idle') {
      // Stopping while waiting out IdleHold cancels the automatic restart.
      toIdle(w, now, 'manual-stop', { restart: false });
      return;
    }
    // RFC 4271 §8.2.2: a NOTIFICATION with Cease only once the peer has seen our OPEN.
    const sendNotice = st === 'open-sent' || st === 'open-confirm' || st === 'established';
    const n = e.notification ?? ADMIN_SHUTDOWN;
    toIdle(w, now, 'manual-stop', sendNotice ? { notification: n, restart: false } : { restart: false });
    return;
  }
  if (e.kind === 'timer-expired' && w.s.timers[e.timer] === undefined) return; // stale deadline: nothing runs
  if (e.kind === 'send-hold-timer-expired') {
    // RFC 9687 §3: a peer that stops reading is as dead as one that stops talking.
    if (st === 'open-sent' || st === 'open-confirm' || st === 'established') {
      toIdle(w, now, 'send-hold-timer-expired', {
        notification: notification(ErrorCode.SEND_HOLD_TIMER_EXPIRED, 0),
        restart: true,
      });
    }
    return;
  }
  switch (st) {
    case 'idle':
      return idle(w, e, now);
    case 'connect':
    case 'active':
      return connecting(w, e, now);
    case 'open-sent':
      return openSent(w, e, now);
    case 'open-confirm':
      return openConfirm(w, e, now);
    case 'established':
      return established(w, e, now);
  }
}

function idle(w: Work, e: FsmEvent, now: number): void {
  if (e.kind === 'manual-start') return start(w, now, 'manual-start');
  if (e.kind === 'timer-expired' && e.timer === 'idle-hold') {
    setTimers(w, { 'idle-hold': undefined });
    if (w.s.autoStart) start(w, now, 'automatic-start');
    return;
  }
  // A connection offered in Idle is refused (the driver closes it); every other event is ignored (§8.2.2).
  if (e.kind === 'tcp-connection-confirmed') w.actions.push({ kind: 'disconnect' });
}

function connecting(w: Work, e: FsmEvent, now: number): void {
  const st = w.s.state;
  switch (e.kind) {
    case 'manual-start':
      return;
    case 'timer-expired':
      if (e.timer === 'connect-retry') {
        // Connect: the attempt took too long; Active: time to try ourselves. Either way, (re)connect.
        if (st === 'connect') {
          w.actions.push({ kind: 'disconnect' });
          set(w, { connectFailures: w.s.connectFailures + 1 });
        }
        if (w.s.config.passive) {
          setTimers(w, { 'connect-retry': now + jitter(w, w.s.config.connectRetryTime * 1000) });
          return;
        }
        setTimers(w, { 'delay-open': undefined, 'connect-retry': now + connectRetryDelay(w) });
        w.actions.push({ kind: 'connect' });
        move(w, 'connect', now, 'connect-retry-expired');
        return;
      }
      if (e.timer === 'delay-open') return sendOpen(w, now, 'delay-open-expired');
      return;
    case 'tcp-connection-confirmed':
      return connectionConfirmed(w, now);
    case 'tcp-connection-failed':
      // Back off and retry (Active waits out ConnectRetry; the peer may still connect to us meanwhile).
      set(w, { connectFailures: w.s.connectFailures + 1 });
      setTimers(w, { 'delay-open': undefined, 'connect-retry': now + connectRetryDelay(w) });
      w.actions.push({ kind: 'disconnect' });
      move(w, 'active', now, 'tcp-connection-failed');
      return;
    case 'open-received':
      if (w.s.timers['delay-open'] !== undefined) {
        // Events 20: OPEN while DelayOpen runs — answer with OPEN and KEEPALIVE, go to OpenConfirm.
        const refusal = acceptOpen(w, now, e.open);
        if (refusal !== undefined) return toIdle(w, now, 'open-rejected', { notification: refusal, restart: true });
        w.actions.push({ kind: 'send-open' }, { kind: 'send-keepalive' });
        move(w, 'open-confirm', now, 'open-accepted');
        return;
      }
      // Without DelayOpen, an OPEN before ours is sent is unexpected, as is any other message before OPEN
      // (§8.2.2, Connect and Active: "any other event"): an FSM error.
      return sessionFailed(w, e, now);
    default:
      return sessionFailed(w, e, now);
  }
}

function openSent(w: Work, e: FsmEvent, now: number): void {
  switch (e.kind) {
    case 'manual-start':
      return;
    case 'timer-expired':
      if (e.timer === 'hold') return holdTimerExpired(w, now);
      return;
    case 'tcp-connection-confirmed':
      // A second connection is the driver's collision case, never this FSM's.
      return;
    case 'tcp-connection-failed':
      // §8.2.2 OpenSent event 18: close, restart ConnectRetry, continue to listen in Active.
      w.actions.push({ kind: 'disconnect' });
      setTimers(w, { hold: undefined, 'connect-retry': now + connectRetryDelay(w) });
      move(w, 'active', now, 'peer-closed');
      return;
    case 'open-received': {
      const refusal = acceptOpen(w, now, e.open);
      if (refusal !== undefined) return toIdle(w, now, 'open-rejected', { notification: refusal, restart: true });
      w.actions.push({ kind: 'send-keepalive' });
      move(w, 'open-confirm', now, 'open-accepted');
      return;
    }
    default:
      return sessionFailed(w, e, now);
  }
}

function openConfirm(w: Work, e: FsmEvent, now: number): void {
  switch (e.kind) {
    case 'manual-start':
    case 'tcp-connection-confirmed':
      return;
    case 'timer-expired':
      return sessionTimerExpired(w, e.timer, now);
    case 'tcp-connection-failed':
      return toIdle(w, now, 'peer-closed', { restart: true });
    case 'keepalive-received':
      restartHold(w, now);
      set(w, { establishedAt: now });
      w.actions.push({ kind: 'session-established' });
      move(w, 'established', now, 'keepalive-received');
      return;
    default:
      return sessionFailed(w, e, now);
  }
}

function established(w: Work, e: FsmEvent, now: number): void {
  switch (e.kind) {
    case 'manual-start':
    case 'tcp-connection-confirmed':
      return;
    case 'timer-expired':
      return sessionTimerExpired(w, e.timer, now);
    case 'keepalive-received':
    case 'update-received':
    case 'route-refresh-received':
      // Any message proves the peer alive (RFC 4271 §8.2.2 events 26 and 27).
      restartHold(w, now);
      return;
    case 'tcp-connection-failed':
      return toIdle(w, now, 'peer-closed', { restart: true });
    case 'update-error':
      return toIdle(w, now, 'update-error', { notification: e.notification, restart: true });
    default:
      return sessionFailed(w, e, now);
  }
}
