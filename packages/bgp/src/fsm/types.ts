import type { NotificationFields, OpenMessage } from '../codec/index.js';

/** The six session states of RFC 4271 §8.2.2. */
export type SessionState = 'idle' | 'connect' | 'active' | 'open-sent' | 'open-confirm' | 'established';

/** The timers of RFC 4271 §8 (and §8.1.1's optional IdleHold and DelayOpen), each a deadline in the state. */
export type TimerName = 'connect-retry' | 'hold' | 'keepalive' | 'delay-open' | 'idle-hold';

/** Which side opened the TCP connection. */
export type ConnectionDirection = 'outbound' | 'inbound';

/**
 * Why the FSM changed state (or, for a self-transition, acted): one name per cause, logged, counted and
 * asserted in tests.
 */
export type TransitionReason =
  | 'manual-start'
  | 'automatic-start'
  | 'manual-stop'
  | 'connect-retry-expired'
  | 'tcp-connection-confirmed'
  | 'tcp-connection-failed'
  | 'delay-open-expired'
  | 'open-accepted'
  | 'open-rejected'
  | 'keepalive-received'
  | 'hold-timer-expired'
  | 'send-hold-timer-expired'
  | 'notification-received'
  | 'message-error'
  | 'update-error'
  | 'unexpected-message'
  | 'collision-lost'
  | 'peer-closed'
  | 'idle-hold-expired';

/** Session configuration the FSM needs; the rest of the peer's settings stay with the driver. */
export interface FsmConfig {
  /** Our AS number. */
  readonly localAsn: number;
  /** The peer's AS; undefined accepts any (dynamic neighbour with a range of ASNs, checked by the driver). */
  readonly peerAsn?: number;
  /** Our BGP Identifier, dotted quad. */
  readonly bgpIdentifier: string;
  /** Hold time we propose, in seconds: 0 or at least 3 (RFC 4271 §4.2). */
  readonly holdTime: number;
  /** Largest keepalive interval in seconds; the effective one is min(this, negotiated hold / 3). */
  readonly keepaliveTime: number;
  /** ConnectRetryTime in seconds (RFC 4271 §10 suggests 120). */
  readonly connectRetryTime: number;
  /** Longest ConnectRetry backoff after repeated connection failures, in seconds. */
  readonly connectRetryMaxTime: number;
  /** Wait for the peer to connect instead of connecting (PassiveTcpEstablishment, §8.1.1). */
  readonly passive: boolean;
  /** DelayOpenTime in seconds; 0 disables DelayOpen (§8.1.1). */
  readonly delayOpenTime: number;
  /** IdleHoldTime after the first error, in seconds (§8.1.1 DampPeerOscillations). */
  readonly idleHoldTime: number;
  /** Ceiling of the doubling IdleHoldTime, in seconds. */
  readonly idleHoldMaxTime: number;
  /** A session up at least this long, in seconds, counts as stable: the next error starts the backoff over. */
  readonly dampingResetTime: number;
  /** Capability codes a peer must advertise (RFC 5492 §5: Unsupported Capability otherwise). */
  readonly requiredCapabilities?: readonly number[];
  /** Seed of the FSM's own jitter generator (RFC 4271 §10 jitter), so runs are reproducible. */
  readonly seed?: number;
}

/** Deadlines of the running timers, on the clock's `now()` scale in milliseconds. */
export interface FsmTimers {
  readonly 'connect-retry'?: number;
  readonly hold?: number;
  readonly keepalive?: number;
  readonly 'delay-open'?: number;
  readonly 'idle-hold'?: number;
}

/** The whole state of one session FSM: plain data, replaced (never mutated) by {@link stepFsm}. */
export interface FsmState {
  readonly config: FsmConfig;
  readonly state: SessionState;
  /** Reason of the last transition. */
  readonly reason: TransitionReason;
  /** When the state last changed. */
  readonly since: number;
  readonly timers: FsmTimers;
  /** ConnectRetryCounter of RFC 4271 §8. */
  readonly connectRetryCounter: number;
  /** Connection failures in a row, driving the ConnectRetry backoff. */
  readonly connectFailures: number;
  /** The IdleHoldTime the next error will wait, in milliseconds. */
  readonly idleHoldMs: number;
  /** False after a manual stop: no automatic restart. */
  readonly autoStart: boolean;
  /** The peer's OPEN once accepted. */
  readonly peerOpen?: OpenMessage;
  /** Negotiated hold time in seconds (0 = no hold or keepalive timers). */
  readonly negotiatedHoldTime: number;
  /** Effective keepalive interval in milliseconds (0 = none). */
  readonly keepaliveMs: number;
  /** When the session last reached Established. */
  readonly establishedAt?: number;
  /** State of the jitter generator (xorshift32). */
  readonly rng: number;
}

/**
 * Inputs of the FSM, named after RFC 4271 §8.1 events. Timer expiries arrive as `timer-expired`; the driver
 * learns which are due from {@link dueTimers}.
 */
export type FsmEvent =
  | { readonly kind: 'manual-start' }
  | { readonly kind: 'manual-stop'; readonly notification?: NotificationFields }
  | { readonly kind: 'timer-expired'; readonly timer: TimerName }
  | { readonly kind: 'tcp-connection-confirmed'; readonly direction: ConnectionDirection }
  | { readonly kind: 'tcp-connection-failed' }
  | { readonly kind: 'open-received'; readonly open: OpenMessage }
  | { readonly kind: 'keepalive-received' }
  | { readonly kind: 'update-received' }
  | { readonly kind: 'route-refresh-received' }
  | { readonly kind: 'notification-received'; readonly notification: NotificationFields }
  /** A header or OPEN message that could not be decoded (RFC 4271 events 21 and 22). */
  | { readonly kind: 'message-error'; readonly notification: NotificationFields }
  /** An UPDATE whose RFC 7606 verdict is session reset (event 28). */
  | { readonly kind: 'update-error'; readonly notification: NotificationFields }
  /** This connection lost collision detection (event 23, §6.8). */
  | { readonly kind: 'open-collision-dump' }
  /** The peer has not read what we sent for the send hold time (RFC 9687). */
  | { readonly kind: 'send-hold-timer-expired' };

/** What the driver must do, in order. */
export type FsmAction =
  | { readonly kind: 'connect' }
  | { readonly kind: 'send-open' }
  | { readonly kind: 'send-keepalive' }
  | { readonly kind: 'send-notification'; readonly notification: NotificationFields }
  /** Drop the TCP connection (after writing what was queued). */
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'session-established' }
  /** The session left Established: the driver releases its per-session resources. */
  | { readonly kind: 'session-down' };

/** A state change, with its named reason. */
export interface FsmTransition {
  readonly from: SessionState;
  readonly to: SessionState;
  readonly reason: TransitionReason;
}

/** Result of one {@link stepFsm}. */
export interface FsmStep {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
  /** Present when the state changed. */
  readonly transition?: FsmTransition;
}
