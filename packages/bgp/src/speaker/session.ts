import { EventEmitter } from 'node:events';
import { formatPrefix, parseIp, parsePrefix, type Clock, type Logger, type Timer } from '@lbkit/core';
import {
  DEFAULT_CONTEXT,
  ErrorCode,
  MessageType,
  RouteRefreshSubtype,
  createEndOfRib,
  createOpen,
  decodeMessage,
  describeNotification,
  encodeKeepalive,
  encodeNotification,
  encodeOpen,
  encodeRouteRefresh,
  encodeUpdate,
  encodeUpdates,
  endOfRibFamily,
  isBgpDecodeError,
  negotiateSession,
  openAsn,
  openCapabilities,
  readHeader,
  splitMessages,
  validateUpdate,
  type BgpMessage,
  type Capability,
  type CodecContext,
  type Family,
  type NegotiatedSession,
  type NlriPrefix,
  type NotificationFields,
  type OpenMessage,
  type UpdateMessage,
} from '../codec/index.js';
import { createFsm, dueTimers, nextDeadline, stepFsm } from '../fsm/fsm.js';
import { collisionLoser } from '../fsm/collision.js';
import type {
  ConnectionDirection,
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmState,
  SessionState,
  TransitionReason,
} from '../fsm/types.js';
import type { BgpConnection, BgpTransport } from '../io/transport.js';
import { AdjRibOut } from '../rib/adj-rib-out.js';
import type { AttributeSet } from '../rib/attributes.js';
import { exportAttributes, type ExportContext } from '../rib/export.js';
import { AdjRibIn } from './adj-rib-in.js';
import type { PeerConfig } from './config.js';
import { DAMPING_RESET_TIME_S, GTSM_TTL } from './config.js';

/** A NOTIFICATION sent or received, as status shows it. */
export interface NotificationRecord {
  readonly code: number;
  readonly subcode: number;
  /** `CEASE/ADMINISTRATIVE_SHUTDOWN` style name. */
  readonly name: string;
  /** The RFC 8203 / 9003 shutdown communication, when there was one. */
  readonly communication?: string;
  /** Wall-clock milliseconds. */
  readonly at: number;
}

/** Per-session counters. */
export interface SessionCounters {
  messagesIn: number;
  messagesOut: number;
  updatesIn: number;
  updatesOut: number;
  keepalivesIn: number;
  keepalivesOut: number;
  notificationsIn: number;
  notificationsOut: number;
  routeRefreshIn: number;
  /** Prefixes announced by the peer (counted per UPDATE, whether or not kept). */
  prefixesAnnouncedIn: number;
  /** Prefixes withdrawn by the peer, including treat-as-withdraw. */
  prefixesWithdrawnIn: number;
  /** UPDATEs handled as treat-as-withdraw (RFC 7606). */
  treatAsWithdraw: number;
  /** UPDATEs with attributes discarded (RFC 7606). */
  attributeDiscard: number;
  /** Times the session reached Established. */
  establishedTransitions: number;
  /** Times the hold timer expired. */
  holdTimerExpiries: number;
  /** Failed connect attempts. */
  connectFailures: number;
}

/** The status of one session. */
export interface SessionStatus {
  readonly peer: string;
  readonly port: number;
  readonly asn: number | undefined;
  readonly description: string;
  readonly state: SessionState;
  /** Reason of the last state change. */
  readonly reason: TransitionReason;
  /** Wall-clock milliseconds of the last state change. */
  readonly since: number;
  /** Milliseconds in Established, 0 when not established. */
  readonly uptimeMs: number;
  readonly localAddress?: string;
  readonly peerBgpIdentifier?: string;
  readonly negotiatedHoldTime: number;
  readonly families: readonly string[];
  /** Routes the peer holds from us. */
  readonly prefixesOut: number;
  /** Routes held from the peer (Adj-RIB-In when kept). */
  readonly prefixesIn: number;
  readonly counters: Readonly<SessionCounters>;
  readonly lastErrorSent?: NotificationRecord;
  readonly lastErrorReceived?: NotificationRecord;
}

/** Session events (past-tense facts). */
export interface SessionEvents {
  'state-changed': [{ readonly from: SessionState; readonly to: SessionState; readonly reason: TransitionReason }];
  established: [];
  down: [{ readonly reason: TransitionReason }];
  'notification-sent': [NotificationRecord];
  'notification-received': [NotificationRecord];
  /** A validated UPDATE (after RFC 7606 handling), for embedders that collect routes. */
  'update-received': [UpdateMessage];
  'end-of-rib-received': [Family];
  'route-refresh-answered': [Family];
}

/** What a session gets from its speaker. */
export interface SessionContext {
  readonly localAsn: number;
  readonly routerId: string;
  readonly gracefulRestart: {
    readonly restartTime: number;
    readonly restarting: boolean;
    readonly forwardingState: boolean;
  };
  readonly coalesceMs: number;
  /** Fills a fresh Adj-RIB-Out with every route exported to this session (initial sync). */
  readonly loadRoutes: (session: BgpSession) => void;
  readonly random: () => number;
  /** The link-local address next to a local global IPv6 address, if any (RFC 2545 §3). */
  readonly linkLocalFor: (address: string) => string | undefined;
}

/** Components of a session. */
export interface SessionComponents {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly transport: BgpTransport;
}

interface Slot {
  fsm: FsmState;
  conn: BgpConnection | undefined;
  direction: ConnectionDirection;
  buf: Uint8Array;
  bufLen: number;
  timer: Timer | undefined;
  timerAt: number | undefined;
  localOpen: OpenMessage | undefined;
  recv: CodecContext;
  connectAttempt: AbortController | undefined;
  /** Runs while the connection refuses more data (RFC 9687 send hold timer). */
  sendHold: Timer | undefined;
}

const V4: Family = { afi: 1, safi: 1 };
const V6: Family = { afi: 2, safi: 1 };
const MAX_BUFFER = 65535 * 4;
/** Lower bound of the send hold time (RFC 9687 §4: 8 minutes). */
const SEND_HOLD_MIN_S = 480;

function familyOf(name: string): Family {
  return name === 'ipv6-unicast' ? V6 : V4;
}

function familyName(f: Family): string {
  return f.afi === 1 && f.safi === 1
    ? 'ipv4-unicast'
    : f.afi === 2 && f.safi === 1
      ? 'ipv6-unicast'
      : `afi${f.afi}/safi${f.safi}`;
}

function emptyCounters(): SessionCounters {
  return {
    messagesIn: 0,
    messagesOut: 0,
    updatesIn: 0,
    updatesOut: 0,
    keepalivesIn: 0,
    keepalivesOut: 0,
    notificationsIn: 0,
    notificationsOut: 0,
    routeRefreshIn: 0,
    prefixesAnnouncedIn: 0,
    prefixesWithdrawnIn: 0,
    treatAsWithdraw: 0,
    attributeDiscard: 0,
    establishedTransitions: 0,
    holdTimerExpiries: 0,
    connectFailures: 0,
  };
}

/**
 * One BGP session: drives the pure FSM with a connection and the clock, keeps the peer's Adj-RIB-Out, and
 * validates what the peer sends. A second, inbound connection during OpenSent/OpenConfirm runs its own FSM
 * until collision detection (RFC 4271 §6.8) keeps one of them.
 */
export class BgpSession extends EventEmitter<SessionEvents> {
  readonly config: PeerConfig;
  /** Routes this peer holds from us. */
  readonly ribOut = new AdjRibOut();
  /** Routes from the peer, when `adjRibIn` is on. */
  readonly ribIn: AdjRibIn | undefined;
  readonly #ctx: SessionContext;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #transport: BgpTransport;
  readonly #fsmConfig: FsmConfig;
  #primary: Slot;
  #secondary: Slot | undefined;
  #negotiated: NegotiatedSession | undefined;
  #export: ExportContext | undefined;
  #flushTimer: Timer | undefined;
  #counters = emptyCounters();
  #lastErrorSent: NotificationRecord | undefined;
  #lastErrorReceived: NotificationRecord | undefined;
  #sinceWall: number;
  #staleTimer: Timer | undefined;
  #peerGracefulRestart: Extract<Capability, { type: 'graceful-restart' }> | undefined;
  #closed = false;

  constructor(config: PeerConfig, ctx: SessionContext, components: SessionComponents) {
    super();
    this.config = config;
    this.#ctx = ctx;
    this.#clock = components.clock;
    this.#log = components.logger;
    this.#transport = components.transport;
    this.ribIn = config.adjRibIn ? new AdjRibIn() : undefined;
    this.#fsmConfig = {
      localAsn: ctx.localAsn,
      ...(config.asn === undefined ? {} : { peerAsn: config.asn }),
      bgpIdentifier: ctx.routerId,
      holdTime: config.holdTime,
      keepaliveTime: config.keepaliveTime,
      connectRetryTime: config.connectRetryTime,
      connectRetryMaxTime: config.connectRetryMaxTime,
      passive: config.passive,
      delayOpenTime: config.delayOpenTime,
      idleHoldTime: config.idleHoldTime,
      idleHoldMaxTime: config.idleHoldMaxTime,
      dampingResetTime: DAMPING_RESET_TIME_S,
      seed: Math.floor(ctx.random() * 0xffffffff) >>> 0,
    };
    this.#primary = this.#newSlot(createFsm(this.#fsmConfig, this.#clock.now()), 'outbound');
    this.#sinceWall = this.#clock.wallTime();
  }

  /** The session state (of the connection that counts). */
  get state(): SessionState {
    return this.#primary.fsm.state;
  }

  /** What the session negotiated, once established. */
  get negotiated(): NegotiatedSession | undefined {
    return this.#negotiated;
  }

  /** Whether the peer is in another AS. */
  get external(): boolean {
    const peerAsn =
      this.config.asn ?? (this.#primary.fsm.peerOpen === undefined ? undefined : openAsn(this.#primary.fsm.peerOpen));
    return peerAsn !== this.#ctx.localAsn;
  }

  /** Whether routes of an IP family go to this peer now. */
  carries(family: 4 | 6): boolean {
    const n = this.#negotiated;
    if (n === undefined || this.state !== 'established') return false;
    return n.families.some((f) => f.safi === 1 && f.afi === (family === 4 ? 1 : 2));
  }

  /** Starts the session (ManualStart). */
  start(): void {
    this.#closed = false;
    this.#step(this.#primary, { kind: 'manual-start' });
  }

  /**
   * Stops the session (ManualStop): a Cease NOTIFICATION (Administrative Shutdown with `notification`'s
   * communication, RFC 8203) when the peer has seen our OPEN, then no automatic restart.
   */
  stop(notification?: NotificationFields): void {
    if (this.#secondary !== undefined)
      this.#step(
        this.#secondary,
        notification === undefined ? { kind: 'manual-stop' } : { kind: 'manual-stop', notification },
      );
    this.#step(
      this.#primary,
      notification === undefined ? { kind: 'manual-stop' } : { kind: 'manual-stop', notification },
    );
  }

  /**
   * Drops the connection without a NOTIFICATION and stops, as a process that dies would: a peer with graceful
   * restart (RFC 4724) keeps our routes as stale until we come back.
   */
  abandon(): void {
    for (const slot of [this.#secondary, this.#primary]) {
      if (slot === undefined) continue;
      slot.connectAttempt?.abort();
      slot.conn?.destroy();
      slot.conn = undefined;
    }
    this.#step(this.#primary, { kind: 'manual-stop' });
  }

  /** Releases timers; the session cannot be used afterwards. */
  dispose(): void {
    this.#closed = true;
    for (const slot of [this.#primary, this.#secondary]) {
      slot?.timer?.cancel();
      slot?.sendHold?.cancel();
      if (slot !== undefined) slot.timer = undefined;
      slot?.connectAttempt?.abort();
      slot?.conn?.destroy();
    }
    this.#flushTimer?.cancel();
    this.#staleTimer?.cancel();
    this.removeAllListeners();
  }

  /** Offers an inbound connection from this peer. */
  acceptInbound(conn: BgpConnection): void {
    const p = this.#primary;
    const st = p.fsm.state;
    if (st === 'idle' || this.#closed) {
      // RFC 4271 §8.2.2: Idle refuses connections (this is also how a damped peer is held off).
      conn.destroy();
      return;
    }
    if (st === 'connect' || st === 'active') {
      // Take the peer's connection and give up our own attempt.
      if (p.conn !== undefined) {
        p.conn.destroy();
        p.conn = undefined;
      }
      p.connectAttempt?.abort();
      p.connectAttempt = undefined;
      this.#adopt(p, conn, 'inbound');
      return;
    }
    if (st === 'established') {
      if (this.#peerGracefulRestart !== undefined) {
        // RFC 4724 §4.2: a new connection from a restarting peer replaces the old session.
        this.#log.info({ peer: this.config.address }, 'peer reconnected while established: graceful restart');
        this.#step(p, { kind: 'tcp-connection-failed' });
        const fresh = this.#newSlot(
          {
            ...createFsm(this.#fsmConfig, this.#clock.now()),
            state: 'active',
            autoStart: true,
            idleHoldMs: p.fsm.idleHoldMs,
          },
          'inbound',
        );
        p.timer?.cancel();
        this.#primary = fresh;
        this.#adopt(fresh, conn, 'inbound');
        return;
      }
      // RFC 4271 §6.8: a collision with an Established session closes the new connection.
      conn.write(
        encodeNotification({ type: 'notification', code: ErrorCode.CEASE, subcode: 7, data: new Uint8Array(0) }),
      );
      conn.end();
      return;
    }
    if (this.#secondary !== undefined) {
      conn.destroy();
      return;
    }
    this.#secondary = this.#newSlot({ ...createFsm(this.#fsmConfig, this.#clock.now()), state: 'active' }, 'inbound');
    this.#adopt(this.#secondary, conn, 'inbound');
  }

  /** Queues an announcement (`set`) or withdrawal (`null`) towards this peer and schedules a flush. */
  queue(key: string, set: AttributeSet | null): void {
    if (this.state !== 'established') return;
    this.ribOut.set(key, set);
    this.#scheduleFlush();
  }

  /** The status of this session. */
  status(): SessionStatus {
    const f = this.#primary.fsm;
    const now = this.#clock.now();
    return {
      peer: this.config.address,
      port: this.config.port,
      asn: this.config.asn ?? (f.peerOpen === undefined ? undefined : openAsn(f.peerOpen)),
      description: this.config.description,
      state: f.state,
      reason: f.reason,
      since: this.#sinceWall,
      uptimeMs: f.state === 'established' && f.establishedAt !== undefined ? now - f.establishedAt : 0,
      ...(this.#primary.conn === undefined ? {} : { localAddress: this.#primary.conn.localAddress }),
      ...(f.peerOpen === undefined ? {} : { peerBgpIdentifier: f.peerOpen.bgpIdentifier }),
      negotiatedHoldTime: f.negotiatedHoldTime,
      families: this.#negotiated?.families.map(familyName) ?? [],
      prefixesOut: this.ribOut.size,
      prefixesIn: this.ribIn?.size ?? 0,
      counters: { ...this.#counters },
      ...(this.#lastErrorSent === undefined ? {} : { lastErrorSent: this.#lastErrorSent }),
      ...(this.#lastErrorReceived === undefined ? {} : { lastErrorReceived: this.#lastErrorReceived }),
    };
  }

  /** Sends pending route changes now instead of at the end of the coalescing window. */
  flush(): void {
    this.#flushTimer?.cancel();
    this.#flushTimer = undefined;
    if (this.state !== 'established' || this.#primary.conn === undefined) return;
    const changes = this.ribOut.takeChanges();
    for (const fam of [4, 6] as const) {
      const c = changes[fam];
      if (c.withdraw.length > 0) this.#sendUpdates(fam, [], c.withdraw, true);
      for (const [set, keys] of c.announce) this.#sendGroup(fam, set, keys);
    }
  }

  // ---- internals ----

  #newSlot(fsm: FsmState, direction: ConnectionDirection): Slot {
    return {
      fsm,
      conn: undefined,
      direction,
      buf: new Uint8Array(4096),
      bufLen: 0,
      timer: undefined,
      timerAt: undefined,
      localOpen: undefined,
      recv: DEFAULT_CONTEXT,
      connectAttempt: undefined,
      sendHold: undefined,
    };
  }

  /**
   * Takes a connection: the FSM learns of it first (TcpConnectionConfirmed), then bytes flow, so a peer that
   * speaks at once never finds the FSM still in Connect.
   */
  #adopt(slot: Slot, conn: BgpConnection, direction: ConnectionDirection): void {
    slot.conn = conn;
    slot.direction = direction;
    slot.bufLen = 0;
    slot.recv = DEFAULT_CONTEXT;
    this.#step(slot, { kind: 'tcp-connection-confirmed', direction });
    if (slot.conn !== conn) return;
    conn.setHandlers({
      data: (chunk) => {
        if (slot.conn === conn) this.#onData(slot, chunk);
      },
      close: () => {
        if (slot.conn !== conn) return;
        slot.conn = undefined;
        this.#step(slot, { kind: 'tcp-connection-failed' });
      },
      drain: () => {
        if (slot.conn !== conn) return;
        slot.sendHold?.cancel();
        slot.sendHold = undefined;
      },
    });
  }

  #step(slot: Slot, event: FsmEvent): void {
    if (this.#closed && event.kind !== 'manual-stop') return;
    const r = stepFsm(slot.fsm, event, this.#clock.now());
    slot.fsm = r.state;
    for (const a of r.actions) this.#act(slot, a);
    if (r.transition !== undefined) {
      const { from, to, reason } = r.transition;
      if (slot === this.#primary) {
        this.#sinceWall = this.#clock.wallTime();
        if (reason === 'hold-timer-expired') this.#counters.holdTimerExpiries++;
        this.#log.info({ peer: this.config.address, from, to, reason }, 'bgp session state changed');
        this.emit('state-changed', { from, to, reason });
      }
      if (to === 'idle') this.#slotIdle(slot);
    }
    this.#arm(slot);
  }

  #slotIdle(slot: Slot): void {
    if (slot === this.#secondary) {
      slot.timer?.cancel();
      this.#secondary = undefined;
      return;
    }
    const sec = this.#secondary;
    if (slot === this.#primary && sec !== undefined && sec.fsm.state !== 'idle') {
      // The primary lost (collision or error) while a second connection is alive: that one carries on.
      this.#promote(sec);
    }
  }

  /** The second connection won: it becomes the session, the first one goes. */
  #promote(sec: Slot): void {
    const old = this.#primary;
    old.timer?.cancel();
    old.timer = undefined;
    old.connectAttempt?.abort();
    const c = old.conn;
    old.conn = undefined;
    c?.destroy();
    sec.fsm = { ...sec.fsm, autoStart: true, idleHoldMs: old.fsm.idleHoldMs };
    this.#primary = sec;
    this.#secondary = undefined;
  }

  #arm(slot: Slot): void {
    if (this.#closed) return;
    if (slot !== this.#primary && slot !== this.#secondary) {
      slot.timer?.cancel();
      return;
    }
    const d = nextDeadline(slot.fsm);
    if (d === slot.timerAt && slot.timer !== undefined) return;
    slot.timer?.cancel();
    slot.timer = undefined;
    slot.timerAt = d;
    if (d === undefined) return;
    slot.timer = this.#clock.setTimer(d - this.#clock.now(), () => {
      slot.timer = undefined;
      slot.timerAt = undefined;
      for (const t of dueTimers(slot.fsm, this.#clock.now())) {
        if (slot !== this.#primary && slot !== this.#secondary) return;
        this.#step(slot, { kind: 'timer-expired', timer: t });
      }
      this.#arm(slot);
    });
  }

  #act(slot: Slot, a: FsmAction): void {
    switch (a.kind) {
      case 'connect':
        return this.#connect(slot);
      case 'send-open': {
        const open = this.#buildOpen();
        slot.localOpen = open;
        this.#write(slot, encodeOpen(open));
        return;
      }
      case 'send-keepalive':
        this.#counters.keepalivesOut++;
        this.#write(slot, encodeKeepalive());
        return;
      case 'send-notification': {
        if (slot.conn === undefined) return; // abandoned: nothing goes out
        const n = a.notification;
        this.#counters.notificationsOut++;
        const rec = this.#record(n);
        if (slot === this.#primary) this.#lastErrorSent = rec;
        this.#log.warn(
          { peer: this.config.address, notification: rec.name, communication: rec.communication },
          'bgp notification sent',
        );
        this.emit('notification-sent', rec);
        this.#write(slot, encodeNotification({ type: 'notification', ...n }));
        return;
      }
      case 'disconnect': {
        slot.sendHold?.cancel();
        slot.sendHold = undefined;
        slot.connectAttempt?.abort();
        slot.connectAttempt = undefined;
        const c = slot.conn;
        slot.conn = undefined;
        slot.bufLen = 0;
        c?.end();
        return;
      }
      case 'session-established':
        if (slot === this.#secondary) this.#promote(slot);
        if (slot === this.#primary) this.#onEstablished(slot);
        return;
      case 'session-down':
        if (slot === this.#primary) this.#onDown(slot);
        return;
    }
  }

  #record(n: NotificationFields): NotificationRecord {
    let communication: string | undefined;
    if (
      n.code === ErrorCode.CEASE &&
      (n.subcode === 2 || n.subcode === 4) &&
      n.data.length > 0 &&
      n.data[0] === n.data.length - 1
    ) {
      try {
        communication = new TextDecoder('utf-8', { fatal: true }).decode(n.data.subarray(1));
      } catch {
        communication = undefined;
      }
    }
    return {
      code: n.code,
      subcode: n.subcode,
      name: describeNotification(n.code, n.subcode),
      ...(communication === undefined ? {} : { communication }),
      at: this.#clock.wallTime(),
    };
  }

  #connect(slot: Slot): void {
    slot.connectAttempt?.abort();
    const ac = new AbortController();
    slot.connectAttempt = ac;
    const c = this.config;
    const ttl = c.gtsm ? GTSM_TTL : c.ebgpMultihop;
    const minTtl = c.gtsm ? GTSM_TTL + 1 - (c.ebgpMultihop ?? 1) : undefined;
    this.#transport
      .connect({
        remoteAddress: c.address,
        remotePort: c.port,
        timeoutMs: c.connectTimeout * 1000,
        signal: ac.signal,
        ...(c.localAddress === undefined ? {} : { localAddress: c.localAddress }),
        ...(c.md5Password === undefined ? {} : { md5Password: c.md5Password }),
        ...(ttl === undefined ? {} : { ttl }),
        ...(minTtl === undefined ? {} : { minTtl }),
        ...(c.device === undefined ? {} : { device: c.device }),
      })
      .then(
        (conn) => {
          if (ac.signal.aborted || this.#closed) {
            conn.destroy();
            return;
          }
          slot.connectAttempt = undefined;
          const p = this.#primary;
          if (slot === p && p.conn === undefined && (p.fsm.state === 'connect' || p.fsm.state === 'active')) {
            this.#adopt(p, conn, 'outbound');
          } else if ((p.fsm.state === 'open-sent' || p.fsm.state === 'open-confirm') && this.#secondary === undefined) {
            // Both sides connected at once: run the second connection until collision detection picks one.
            const sec = this.#newSlot(
              { ...createFsm(this.#fsmConfig, this.#clock.now()), state: 'active' },
              'outbound',
            );
            this.#secondary = sec;
            this.#adopt(sec, conn, 'outbound');
          } else {
            conn.destroy();
          }
        },
        (err: unknown) => {
          if (ac.signal.aborted || this.#closed) return;
          slot.connectAttempt = undefined;
          this.#counters.connectFailures++;
          this.#log.debug(
            { peer: this.config.address, err: err instanceof Error ? err.message : String(err) },
            'bgp connect failed',
          );
          if (slot.conn === undefined && slot.fsm.state === 'connect')
            this.#step(slot, { kind: 'tcp-connection-failed' });
        },
      );
  }

  #buildOpen(): OpenMessage {
    const c = this.config;
    const caps: Capability[] = [];
    for (const f of c.families) {
      const fam = familyOf(f);
      caps.push({ type: 'multiprotocol', afi: fam.afi, safi: fam.safi });
    }
    caps.push({ type: 'route-refresh' }, { type: 'enhanced-route-refresh' });
    if (c.extendedMessage) caps.push({ type: 'extended-message' });
    if (c.gracefulRestart) {
      const gr = this.#ctx.gracefulRestart;
      caps.push({
        type: 'graceful-restart',
        // R: we restarted and the peer should keep our routes until our End-of-RIB (RFC 4724 §3).
        flags: gr.restarting ? 0x8 : 0,
        restartTime: gr.restartTime,
        families: c.families.map((f) => ({ ...familyOf(f), flags: gr.forwardingState ? 0x80 : 0 })),
      });
    }
    if (c.addPath)
      caps.push({ type: 'add-path', families: c.families.map((f) => ({ ...familyOf(f), sendReceive: 2 })) });
    return createOpen({
      asn: this.#ctx.localAsn,
      holdTime: c.holdTime,
      bgpIdentifier: this.#ctx.routerId,
      capabilities: caps,
    });
  }

  #write(slot: Slot, bytes: Uint8Array): void {
    const conn = slot.conn;
    if (conn === undefined) return;
    this.#counters.messagesOut++;
    if (conn.write(bytes) || slot.sendHold !== undefined) return;
    // RFC 9687: SendHoldTimer = max(8 minutes, 2 × negotiated hold time); a peer that does not drain our
    // messages for that long is dropped instead of buffering for it without end.
    const ms = Math.max(SEND_HOLD_MIN_S, 2 * slot.fsm.negotiatedHoldTime) * 1000;
    slot.sendHold = this.#clock.setTimer(ms, () => {
      slot.sendHold = undefined;
      if (slot.conn === conn && (slot === this.#primary || slot === this.#secondary))
        this.#step(slot, { kind: 'send-hold-timer-expired' });
    });
  }

  #onData(slot: Slot, chunk: Uint8Array): void {
    try {
      this.#append(slot, chunk);
      this.#drain(slot);
    } catch (err) {
      // Peer input must never take the process down: an unexpected fault closes only this session.
      this.#log.error(
        { peer: this.config.address, err: err instanceof Error ? err.stack : String(err) },
        'bgp session input fault',
      );
      if (slot.conn !== undefined)
        this.#step(slot, {
          kind: 'message-error',
          notification: { code: ErrorCode.CEASE, subcode: 8, data: new Uint8Array(0) },
        });
    }
  }

  #append(slot: Slot, chunk: Uint8Array): void {
    const need = slot.bufLen + chunk.length;
    if (need > slot.buf.length) {
      const grown = new Uint8Array(Math.max(need, slot.buf.length * 2));
      grown.set(slot.buf.subarray(0, slot.bufLen));
      slot.buf = grown;
    }
    slot.buf.set(chunk, slot.bufLen);
    slot.bufLen = need;
  }

  #drain(slot: Slot): void {
    while (slot.conn !== undefined && slot.bufLen > 0) {
      let split;
      try {
        split = splitMessages(slot.buf.subarray(0, slot.bufLen), slot.recv);
      } catch (err) {
        if (!isBgpDecodeError(err)) throw err;
        this.#step(slot, { kind: 'message-error', notification: err.notification });
        return;
      }
      if (split.messages.length === 0) {
        if (slot.bufLen > MAX_BUFFER) throw new Error('receive buffer overflow');
        return;
      }
      // Copy the rest out before handling: handlers may keep views of decoded data.
      const msgs = split.messages.map((m) => m.slice());
      const rest = slot.buf.subarray(split.consumed, slot.bufLen);
      slot.buf.copyWithin(0, split.consumed, slot.bufLen);
      slot.bufLen = rest.length;
      for (const bytes of msgs) {
        if (slot.conn === undefined) return;
        this.#onMessage(slot, bytes);
      }
    }
  }

  #onMessage(slot: Slot, bytes: Uint8Array): void {
    this.#counters.messagesIn++;
    let msg: BgpMessage;
    try {
      msg = decodeMessage(bytes, slot.recv);
    } catch (err) {
      if (!isBgpDecodeError(err)) throw err;
      const type = readHeader(bytes, 0, slot.recv)?.type;
      this.#step(slot, {
        kind: type === MessageType.UPDATE && slot.fsm.state === 'established' ? 'update-error' : 'message-error',
        notification: err.notification,
      });
      return;
    }
    switch (msg.type) {
      case 'open':
        return this.#onOpen(slot, msg);
      case 'keepalive':
        this.#counters.keepalivesIn++;
        return this.#step(slot, { kind: 'keepalive-received' });
      case 'notification': {
        this.#counters.notificationsIn++;
        const rec = this.#record(msg);
        if (slot === this.#primary) this.#lastErrorReceived = rec;
        this.#log.warn(
          { peer: this.config.address, notification: rec.name, communication: rec.communication },
          'bgp notification received',
        );
        this.emit('notification-received', rec);
        // RFC 4724 §4.2 / RFC 8538: a NOTIFICATION ends graceful restart retention of the peer's routes.
        this.#peerGracefulRestart = undefined;
        return this.#step(slot, { kind: 'notification-received', notification: msg });
      }
      case 'route-refresh':
        this.#counters.routeRefreshIn++;
        this.#step(slot, { kind: 'route-refresh-received' });
        if (slot === this.#primary && this.state === 'established')
          this.#answerRefresh({ afi: msg.afi, safi: msg.safi }, msg.subtype);
        return;
      case 'update':
        this.#counters.updatesIn++;
        if (slot.fsm.state !== 'established') return this.#step(slot, { kind: 'update-received' });
        this.#onUpdate(slot, msg);
        return;
    }
  }

  #onOpen(slot: Slot, open: OpenMessage): void {
    const other = slot === this.#primary ? this.#secondary : this.#primary;
    if (other !== undefined && (other.fsm.state === 'open-sent' || other.fsm.state === 'open-confirm')) {
      // RFC 4271 §6.8: both connections lead to the same peer; the BGP Identifiers decide which one stays.
      const loserDir = collisionLoser(this.#ctx.routerId, open.bgpIdentifier);
      const loser = slot.direction === loserDir ? slot : other.direction === loserDir ? other : undefined;
      if (loser !== undefined) {
        this.#log.info({ peer: this.config.address, closing: loserDir }, 'bgp connection collision resolved');
        this.#step(loser, { kind: 'open-collision-dump' });
        if (loser === slot) return;
      }
    }
    this.#step(slot, { kind: 'open-received', open });
    if (slot.fsm.peerOpen === open && slot.localOpen !== undefined) {
      const n = negotiateSession(slot.localOpen, open);
      slot.recv = n.receive;
    }
  }

  #onEstablished(slot: Slot): void {
    const peerOpen = slot.fsm.peerOpen!;
    const localOpen = slot.localOpen ?? this.#buildOpen();
    const n = negotiateSession(localOpen, peerOpen);
    this.#negotiated = n;
    slot.recv = n.receive;
    const gr = openCapabilities(peerOpen).find((c) => c.type === 'graceful-restart');
    this.#peerGracefulRestart = gr?.type === 'graceful-restart' ? gr : undefined;
    this.#counters.establishedTransitions++;
    const conn = slot.conn!;
    const local = conn.localAddress;
    let localFamily: 4 | 6 | undefined;
    try {
      localFamily = parseIp(local.split('%')[0]!).family;
    } catch {
      localFamily = undefined;
    }
    const c = this.config;
    const isLinkLocal = localFamily === 6 && local.toLowerCase().startsWith('fe80');
    const nextHopV4 = c.nextHopV4 ?? (localFamily === 4 ? local : undefined);
    const nextHopV6 =
      c.nextHopV6 ?? (localFamily === 6 && !isLinkLocal ? local : localFamily === 4 ? `::ffff:${local}` : undefined);
    // RFC 2545 §3: a directly connected peer also gets our link-local address as a second next hop.
    const direct = c.ebgpMultihop === undefined && this.external;
    const linkLocal =
      c.linkLocalNextHopV6 ??
      (isLinkLocal
        ? local.split('%')[0]
        : localFamily === 6 && direct && nextHopV6 === local
          ? this.#ctx.linkLocalFor(local)
          : undefined);
    this.#export = {
      localAsn: this.#ctx.localAsn,
      external: this.external,
      fourOctetAs: n.fourOctetAs,
      defaultLocalPref: c.defaultLocalPref,
      ...(nextHopV4 === undefined ? {} : { nextHopV4 }),
      ...(nextHopV6 === undefined ? {} : { nextHopV6 }),
      ...(linkLocal === undefined ? {} : { linkLocalNextHopV6: linkLocal }),
    };
    this.ribOut.clear();
    this.emit('established');
    // Initial sync: everything exported, packed, then End-of-RIB per family (RFC 4724 §2).
    this.#ctx.loadRoutes(this);
    this.flush();
    for (const f of n.families) this.#sendMessage(encodeUpdate(createEndOfRib(f), n.send), true);
  }

  #onDown(_slot: Slot): void {
    this.#flushTimer?.cancel();
    this.#flushTimer = undefined;
    this.ribOut.clear();
    const reason = this.#primary.fsm.reason;
    const gr = this.#peerGracefulRestart;
    if (this.ribIn !== undefined) {
      if (gr !== undefined && reason !== 'notification-received' && reason !== 'manual-stop') {
        // Helper mode (RFC 4724 §4.2): keep the peer's routes as stale for its restart time.
        this.ribIn.markStale();
        this.#staleTimer?.cancel();
        this.#staleTimer = this.#clock.setTimer(gr.restartTime * 1000, () => this.ribIn?.dropStale());
      } else {
        this.ribIn.clear();
      }
    }
    this.#negotiated = undefined;
    this.#export = undefined;
    this.emit('down', { reason });
  }

  #onUpdate(slot: Slot, msg: UpdateMessage): void {
    this.#step(slot, { kind: 'update-received' });
    const eor = endOfRibFamily(msg);
    if (eor !== undefined) {
      this.ribIn?.dropStale(eor);
      this.emit('end-of-rib-received', eor);
      return;
    }
    const verdict = validateUpdate(msg, {
      ...slot.recv,
      external: this.external,
      ...(this.config.asn === undefined ? {} : { peerAs: this.config.asn }),
    });
    let announced = msg.nlri.length;
    let withdrawn = msg.withdrawn.length;
    for (const a of msg.attributes) {
      if (a.type === 'mp-reach-nlri') announced += a.nlri.length;
      else if (a.type === 'mp-unreach-nlri') withdrawn += a.withdrawn.length;
    }
    switch (verdict.outcome) {
      case 'session-reset':
        this.#step(slot, { kind: 'update-error', notification: verdict.notification });
        return;
      case 'treat-as-withdraw':
        this.#counters.treatAsWithdraw++;
        this.#counters.prefixesWithdrawnIn += verdict.withdrawn.length;
        this.#log.warn(
          { peer: this.config.address, issues: verdict.issues.map((i) => i.reason) },
          'bgp update treated as withdraw',
        );
        this.ribIn?.withdraw(verdict.withdrawn);
        return;
      case 'attribute-discard': {
        this.#counters.attributeDiscard++;
        this.#counters.prefixesAnnouncedIn += announced;
        this.#counters.prefixesWithdrawnIn += withdrawn;
        const fixed: UpdateMessage = { ...msg, attributes: verdict.attributes };
        this.ribIn?.apply(fixed);
        this.emit('update-received', fixed);
        return;
      }
      case 'accept':
        this.#counters.prefixesAnnouncedIn += announced;
        this.#counters.prefixesWithdrawnIn += withdrawn;
        this.ribIn?.apply(msg);
        this.emit('update-received', msg);
        return;
    }
  }

  #answerRefresh(f: Family, subtype: number): void {
    const n = this.#negotiated;
    if (n === undefined || !n.families.some((x) => x.afi === f.afi && x.safi === f.safi)) return;
    if (subtype !== RouteRefreshSubtype.NORMAL) return; // BoRR/EoRR from the peer concern its routes, not ours
    const fam: 4 | 6 = f.afi === 1 ? 4 : 6;
    this.flush();
    // RFC 7313 §4: bracket the re-advertisement with BoRR and EoRR when enhanced route refresh is on.
    if (n.enhancedRouteRefresh)
      this.#sendMessage(
        encodeRouteRefresh({ type: 'route-refresh', afi: f.afi, safi: f.safi, subtype: RouteRefreshSubtype.BORR }),
        false,
      );
    for (const [set, keys] of this.ribOut.snapshot(fam)) this.#sendGroup(fam, set, keys);
    if (n.enhancedRouteRefresh)
      this.#sendMessage(
        encodeRouteRefresh({ type: 'route-refresh', afi: f.afi, safi: f.safi, subtype: RouteRefreshSubtype.EORR }),
        false,
      );
    this.emit('route-refresh-answered', f);
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = this.#clock.setTimer(this.#ctx.coalesceMs, () => {
      this.#flushTimer = undefined;
      this.flush();
    });
  }

  #toNlri(keys: readonly string[], fam: 4 | 6): NlriPrefix[] {
    const addPath = this.#negotiated?.send.addPath?.some((f) => f.afi === (fam === 4 ? 1 : 2) && f.safi === 1) ?? false;
    const out: NlriPrefix[] = new Array<NlriPrefix>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const p = parsePrefix(keys[i]!);
      out[i] = addPath ? { ...p, pathId: 1 } : p;
    }
    return out;
  }

  #sendGroup(fam: 4 | 6, set: AttributeSet, keys: readonly string[]): void {
    const ctx = this.#export;
    if (ctx === undefined) return;
    const attrs = exportAttributes(set, fam, ctx);
    if (attrs === undefined) {
      this.#log.warn(
        { peer: this.config.address, family: fam, prefixes: keys.length },
        'no next hop for family: routes not sent',
      );
      return;
    }
    this.#sendUpdates(fam, attrs, keys, false);
  }

  #sendUpdates(
    fam: 4 | 6,
    attrs: Parameters<typeof encodeUpdates>[0]['attributes'],
    keys: readonly string[],
    withdraw: boolean,
  ): void {
    const n = this.#negotiated;
    if (n === undefined) return;
    const prefixes = this.#toNlri(keys, fam);
    const msgs = encodeUpdates(
      withdraw ? { attributes: [], withdraw: prefixes } : { attributes: attrs, announce: prefixes },
      n.send,
    );
    for (const m of msgs) this.#sendMessage(m, true);
  }

  #sendMessage(bytes: Uint8Array, isUpdate: boolean): void {
    if (isUpdate) this.#counters.updatesOut++;
    this.#write(this.#primary, bytes);
  }
}

/** The canonical key of a prefix given as text or object (host bits must be clear). */
export function prefixKey(prefix: string | { family: 4 | 6; base: bigint; length: number }): string {
  return typeof prefix === 'string' ? formatPrefix(parsePrefix(prefix)) : formatPrefix(prefix);
}
