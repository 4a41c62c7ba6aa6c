import { silentLogger, type Clock, type Logger, type Timer } from '@lbkit/core';
import { decodeControl } from '../codec/control.js';
import { validateControl, type BfdPacketCheckFailure } from '../codec/validate.js';
import type { ResolvedSessionConfig } from '../config/session-config.js';
import {
  MULTIHOP_CONTROL_PORT,
  SINGLE_HOP_CONTROL_PORT,
  SOURCE_PORT_MAX,
  SOURCE_PORT_MIN,
  type BfdDiag,
  type BfdState,
} from '../constants.js';
import { BfdSessionError } from '../errors.js';
import {
  createSession,
  nextDeadline,
  step,
  transmitIntervalUs,
  type BfdSessionDropReason,
  type BfdStateChangeCause,
  type SessionAction,
  type SessionEvent,
  type SessionState,
} from '../fsm/session.js';
import type { BfdDatagram, BfdListener, BfdSender, BfdTransport } from '../transport.js';

/** A session's state change, as delivered to listeners. */
export interface BfdStateChange {
  readonly sessionId: string;
  readonly peerAddress: string;
  readonly localAddress: string | undefined;
  readonly from: BfdState;
  readonly to: BfdState;
  /** The diagnostic code we now send: why the session left Up, or `none`. */
  readonly diag: BfdDiag;
  /** The event behind the change. */
  readonly cause: BfdStateChangeCause;
  /** True when the session is now Up. */
  readonly up: boolean;
  /**
   * True when an Up session went Down because the path failed (detection timeout or the peer saying Down),
   * false for administrative changes (either side's AdminDown), which must not be treated as failures
   * (RFC 5882 §3.2).
   */
  readonly failure: boolean;
  /** Wall-clock time of the change (ms since the epoch). */
  readonly at: number;
  /** How long before the change the last valid packet from the peer arrived (ms), if one ever did. */
  readonly sinceLastPacketMs: number | undefined;
}

/** Why a datagram matched no session or was discarded before reaching one. */
export type BfdEngineDropReason =
  'decode-error' | BfdPacketCheckFailure | 'unknown-discriminator' | 'no-session-for-address';

/** Counters of one session. */
export interface BfdSessionStats {
  readonly sessionId: string;
  readonly state: BfdState;
  readonly remoteDiscriminator: number;
  readonly txPackets: number;
  readonly rxPackets: number;
  readonly dropped: Readonly<Partial<Record<BfdSessionDropReason, number>>>;
  /** Up → Down transitions that were failures. */
  readonly failures: number;
  /** The negotiated transmit interval (ms) and detection time (ms). */
  readonly transmitIntervalMs: number;
  readonly detectionTimeMs: number;
  /** Periodic send gaps measured against the nominal interval: count, min/mean/max ratio, and how many exceeded it. */
  readonly txGaps: {
    readonly n: number;
    readonly minRatio: number;
    readonly meanRatio: number;
    readonly maxRatio: number;
    readonly over: number;
  };
  /** How late this session's timers fired (ms): count, mean, max, and how many were over 5, 20 and 50 ms late. */
  readonly timerLateness: {
    readonly n: number;
    readonly meanMs: number;
    readonly maxMs: number;
    readonly over5: number;
    readonly over20: number;
    readonly over50: number;
  };
}

/** Injected capabilities of the engine. */
export interface BfdEngineComponents {
  readonly clock: Clock;
  /** Uniform in [0, 1): discriminators, source ports, jitter. */
  readonly random: () => number;
  readonly transport: BfdTransport;
  readonly logger?: Logger;
}

/** Callbacks of the engine. */
export interface BfdEngineHandlers {
  readonly onStateChange?: (change: BfdStateChange) => void;
}

interface Entry {
  readonly id: string;
  readonly config: ResolvedSessionConfig;
  readonly addressKey: string;
  state: SessionState;
  sender: BfdSender;
  sourcePort: number;
  listenerKey: string;
  timer: Timer | undefined;
  timerAt: number | undefined;
  tx: number;
  rx: number;
  failures: number;
  dropped: Partial<Record<BfdSessionDropReason, number>>;
  lastPacedSendAt: number | undefined;
  lastPacedIntervalUs: number;
  gapN: number;
  gapSum: number;
  gapMin: number;
  gapMax: number;
  gapOver: number;
  lateN: number;
  lateSum: number;
  lateMax: number;
  late5: number;
  late20: number;
  late50: number;
  /** A detection expiry is being confirmed after one turn of the event loop. */
  confirming: boolean;
}

interface ListenerEntry {
  listener: BfdListener;
  refs: number;
}

function wildcardOf(address: string): string {
  return address.includes(':') ? '::' : '0.0.0.0';
}

function addressKey(multihop: boolean, peer: string, local: string | undefined, iface: string | undefined): string {
  return `${multihop ? 'm' : 's'}|${peer}|${local ?? '*'}|${iface ?? ''}`;
}

/**
 * Runs many BFD sessions over one transport and one clock: demultiplexes received packets (RFC 5880
 * §6.8.6: by Your Discriminator, or by addresses while it is zero), feeds the reducer and carries out its
 * actions, and keeps one timer per session at its next deadline. Pure of real time: give it a real clock
 * and sockets (as the worker does) or the manual clock and the in-memory transport (as tests do).
 */
export class BfdEngine {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #transport: BfdTransport;
  readonly #log: Logger;
  readonly #handlers: BfdEngineHandlers;
  readonly #byId = new Map<string, Entry>();
  readonly #byDiscriminator = new Map<number, Entry>();
  readonly #byAddress = new Map<string, Entry>();
  /** Address keys of sessions whose sockets are being opened. */
  readonly #opening = new Set<string>();
  readonly #listeners = new Map<string, ListenerEntry>();
  readonly #usedPorts = new Set<number>();
  readonly #engineDrops: Partial<Record<BfdEngineDropReason, number>> = {};
  #closed = false;

  constructor(components: BfdEngineComponents, handlers: BfdEngineHandlers = {}) {
    this.#clock = components.clock;
    this.#random = components.random;
    this.#transport = components.transport;
    this.#log = components.logger ?? silentLogger;
    this.#handlers = handlers;
  }

  /** Drops counted before a packet reached a session. */
  get engineDrops(): Readonly<Partial<Record<BfdEngineDropReason, number>>> {
    return this.#engineDrops;
  }

  /** Session ids. */
  sessionIds(): string[] {
    return [...this.#byId.keys()];
  }

  /** Creates a session, opens its sockets and starts it; resolves to its id (the local discriminator in decimal). */
  async addSession(config: ResolvedSessionConfig): Promise<string> {
    if (this.#closed) throw new BfdSessionError('the BFD engine is closed');
    const key = addressKey(config.multihop, config.peerAddress, config.localAddress, config.interface);
    if (this.#byAddress.has(key) || this.#opening.has(key)) {
      throw new BfdSessionError(
        `a ${config.multihop ? 'multihop' : 'single-hop'} session to ${config.peerAddress} from ${config.localAddress ?? 'any address'} already exists`,
      );
    }
    const discriminator = this.#newDiscriminator();
    const id = String(discriminator);
    const port = config.multihop ? MULTIHOP_CONTROL_PORT : SINGLE_HOP_CONTROL_PORT;
    const listenAddress = config.localAddress ?? wildcardOf(config.peerAddress);
    const listenerKey = `${port}|${listenAddress}|${config.interface ?? ''}`;
    // Reserve the address key now so a concurrent add of the same session fails instead of racing.
    this.#opening.add(key);
    let opened: { sender: BfdSender; sourcePort: number };
    try {
      await this.#acquireListener(listenerKey, listenAddress, port, config.interface);
    } catch (err) {
      this.#opening.delete(key);
      throw err;
    }
    try {
      opened = await this.#openSender(config, port);
    } catch (err) {
      this.#opening.delete(key);
      await this.#releaseListener(listenerKey);
      throw err;
    }
    const state = createSession(
      {
        localDiscriminator: discriminator,
        desiredMinTxUs: config.transmitIntervalMs * 1000,
        requiredMinRxUs: config.receiveIntervalMs * 1000,
        detectMult: config.detectMultiplier,
        passive: config.passiveMode,
        multihop: config.multihop,
        minimumTtl: config.minimumTtl,
        ...(config.auth === undefined ? {} : { auth: config.auth }),
      },
      { random: this.#random },
    );
    const entry: Entry = {
      id,
      config,
      addressKey: key,
      state,
      sender: opened.sender,
      sourcePort: opened.sourcePort,
      listenerKey,
      timer: undefined,
      timerAt: undefined,
      tx: 0,
      rx: 0,
      failures: 0,
      dropped: {},
      lastPacedSendAt: undefined,
      lastPacedIntervalUs: 0,
      gapN: 0,
      gapSum: 0,
      gapMin: Infinity,
      gapMax: 0,
      gapOver: 0,
      lateN: 0,
      lateSum: 0,
      lateMax: 0,
      late5: 0,
      late20: 0,
      late50: 0,
      confirming: false,
    };
    this.#byId.set(id, entry);
    this.#byDiscriminator.set(discriminator, entry);
    this.#byAddress.set(key, entry);
    this.#opening.delete(key);
    this.#log.debug({ session: id, peer: config.peerAddress, multihop: config.multihop }, 'bfd session added');
    this.#apply(entry, { kind: 'start' });
    return id;
  }

  /** Sends AdminDown (RFC 5880 §6.8.16, diag 7) and removes the session. */
  async removeSession(id: string): Promise<void> {
    const entry = this.#get(id);
    this.#apply(entry, { kind: 'admin-down' });
    entry.timer?.cancel();
    this.#byId.delete(id);
    this.#byDiscriminator.delete(entry.state.params.localDiscriminator);
    this.#byAddress.delete(entry.addressKey);
    this.#usedPorts.delete(entry.sourcePort);
    await entry.sender.close();
    await this.#releaseListener(entry.listenerKey);
  }

  /** Puts a session in AdminDown (true) or takes it out (false). */
  setAdminDown(id: string, down: boolean): void {
    this.#apply(this.#get(id), { kind: down ? 'admin-down' : 'admin-up' });
  }

  /** Changes a session's timers; a poll sequence carries the change to the peer (RFC 5880 §6.8.3). */
  setTimers(
    id: string,
    timers: { transmitIntervalMs?: number; receiveIntervalMs?: number; detectMultiplier?: number },
  ): void {
    this.#apply(this.#get(id), {
      kind: 'set-timers',
      ...(timers.transmitIntervalMs === undefined ? {} : { desiredMinTxUs: timers.transmitIntervalMs * 1000 }),
      ...(timers.receiveIntervalMs === undefined ? {} : { requiredMinRxUs: timers.receiveIntervalMs * 1000 }),
      ...(timers.detectMultiplier === undefined ? {} : { detectMult: timers.detectMultiplier }),
    });
  }

  /** A session's reducer state (read-only), for tests and status. */
  sessionState(id: string): SessionState {
    return this.#get(id).state;
  }

  /** A session's counters. */
  stats(id: string): BfdSessionStats {
    const e = this.#get(id);
    return {
      sessionId: e.id,
      state: e.state.state,
      remoteDiscriminator: e.state.remoteDiscriminator,
      txPackets: e.tx,
      rxPackets: e.rx,
      dropped: { ...e.dropped },
      failures: e.failures,
      transmitIntervalMs: transmitIntervalUs(e.state) / 1000,
      detectionTimeMs: e.state.detectionTimeMs,
      txGaps: {
        n: e.gapN,
        minRatio: e.gapN === 0 ? 0 : e.gapMin,
        meanRatio: e.gapN === 0 ? 0 : e.gapSum / e.gapN,
        maxRatio: e.gapMax,
        over: e.gapOver,
      },
      timerLateness: {
        n: e.lateN,
        meanMs: e.lateN === 0 ? 0 : e.lateSum / e.lateN,
        maxMs: e.lateMax,
        over5: e.late5,
        over20: e.late20,
        over50: e.late50,
      },
    };
  }

  /** Handles one datagram from the transport. */
  receive(d: BfdDatagram): void {
    if (this.#closed) return;
    let packet;
    try {
      packet = decodeControl(d.data);
    } catch {
      this.#countEngineDrop('decode-error');
      return;
    }
    const bad = validateControl(packet);
    if (bad !== undefined) {
      this.#countEngineDrop(bad);
      return;
    }
    let entry: Entry | undefined;
    if (packet.yourDiscriminator !== 0) {
      entry = this.#byDiscriminator.get(packet.yourDiscriminator);
      if (entry === undefined) {
        this.#countEngineDrop('unknown-discriminator');
        return;
      }
    } else {
      const multihop = d.localPort === MULTIHOP_CONTROL_PORT;
      entry = this.#findByAddress(multihop, d.remoteAddress, d.localAddress);
      if (entry === undefined) {
        this.#countEngineDrop('no-session-for-address');
        return;
      }
    }
    if (entry.config.peerAddress !== d.remoteAddress) {
      // A discriminator for one peer arriving from another address is spoofed or misrouted.
      this.#countEngineDrop('unknown-discriminator');
      return;
    }
    this.#apply(entry, { kind: 'received', packet, bytes: d.data, ttl: d.ttl });
  }

  /** Sends AdminDown on every session, closes every socket and cancels every timer. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const id of [...this.#byId.keys()]) await this.removeSession(id);
    this.#closed = true;
  }

  #findByAddress(multihop: boolean, remote: string, local: string | undefined): Entry | undefined {
    const exact = this.#byAddress.get(addressKey(multihop, remote, local, undefined));
    if (exact !== undefined) return exact;
    const any = this.#byAddress.get(addressKey(multihop, remote, undefined, undefined));
    if (any !== undefined) return any;
    // Sessions tied to an interface: the first whose peer and local address match.
    for (const e of this.#byId.values()) {
      if (
        e.config.multihop === multihop &&
        e.config.peerAddress === remote &&
        (e.config.localAddress === undefined || e.config.localAddress === local)
      )
        return e;
    }
    return undefined;
  }

  #get(id: string): Entry {
    const e = this.#byId.get(id);
    if (e === undefined) throw new BfdSessionError(`no BFD session ${JSON.stringify(id)}`);
    return e;
  }

  #newDiscriminator(): number {
    for (;;) {
      const d = (Math.floor(this.#random() * 0xffff_ffff) + 1) >>> 0;
      if (d !== 0 && !this.#byDiscriminator.has(d)) return d;
    }
  }

  async #acquireListener(key: string, address: string, port: number, device: string | undefined): Promise<void> {
    const existing = this.#listeners.get(key);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    const entry: ListenerEntry = { listener: { close: async () => {} }, refs: 1 };
    this.#listeners.set(key, entry);
    try {
      entry.listener = await this.#transport.listen(
        { address, port, ...(device === undefined ? {} : { device }) },
        (d) => this.receive(d),
      );
    } catch (err) {
      this.#listeners.delete(key);
      throw err;
    }
  }

  async #releaseListener(key: string): Promise<void> {
    const entry = this.#listeners.get(key);
    if (entry === undefined) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.#listeners.delete(key);
    await entry.listener.close();
  }

  async #openSender(config: ResolvedSessionConfig, port: number): Promise<{ sender: BfdSender; sourcePort: number }> {
    const span = SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1;
    let lastErr: unknown;
    for (let attempt = 0; attempt < 16; attempt++) {
      let sourcePort = config.sourcePort;
      if (sourcePort === undefined) {
        do sourcePort = SOURCE_PORT_MIN + Math.floor(this.#random() * span);
        while (this.#usedPorts.has(sourcePort));
      }
      try {
        const sender = await this.#transport.openSender({
          sourcePort,
          remoteAddress: config.peerAddress,
          remotePort: port,
          ttl: 255,
          ...(config.localAddress === undefined ? {} : { localAddress: config.localAddress }),
          ...(config.interface === undefined ? {} : { device: config.interface }),
        });
        this.#usedPorts.add(sourcePort);
        return { sender, sourcePort };
      } catch (err) {
        lastErr = err;
        if (config.sourcePort !== undefined) break;
      }
    }
    const why = lastErr instanceof Error ? `: ${lastErr.message}` : '';
    throw new BfdSessionError(`cannot open a send socket to ${config.peerAddress}${why}`, { cause: lastErr });
  }

  #apply(entry: Entry, event: SessionEvent): void {
    const now = this.#clock.now();
    const before = entry.state;
    const { state, actions } = step(before, event, { now, random: this.#random });
    entry.state = state;
    if (event.kind === 'received') {
      entry.rx++;
      entry.confirming = false;
    }
    for (const a of actions) this.#act(entry, a, event, now, before);
    this.#arm(entry);
  }

  #act(entry: Entry, a: SessionAction, event: SessionEvent, now: number, before: SessionState): void {
    switch (a.kind) {
      case 'send': {
        entry.sender.send(a.bytes);
        entry.tx++;
        if (a.packet.final && event.kind === 'received') break;
        const interval = transmitIntervalUs(before);
        if (
          event.kind === 'timer' &&
          entry.lastPacedSendAt !== undefined &&
          entry.lastPacedIntervalUs === interval &&
          interval > 0
        ) {
          const ratio = (now - entry.lastPacedSendAt) / (interval / 1000);
          entry.gapN++;
          entry.gapSum += ratio;
          if (ratio < entry.gapMin) entry.gapMin = ratio;
          if (ratio > entry.gapMax) entry.gapMax = ratio;
          if (ratio > 1) entry.gapOver++;
        }
        entry.lastPacedSendAt = now;
        entry.lastPacedIntervalUs = transmitIntervalUs(entry.state);
        break;
      }
      case 'packet-dropped':
        entry.dropped[a.reason] = (entry.dropped[a.reason] ?? 0) + 1;
        break;
      case 'state-changed': {
        const failure = a.from === 'Up' && a.to === 'Down' && a.cause !== 'peer-admin-down';
        if (failure) entry.failures++;
        const change: BfdStateChange = {
          sessionId: entry.id,
          peerAddress: entry.config.peerAddress,
          localAddress: entry.config.localAddress,
          from: a.from,
          to: a.to,
          diag: a.diag,
          cause: a.cause,
          up: a.to === 'Up',
          failure,
          at: this.#clock.wallTime(),
          sinceLastPacketMs: before.lastRxAt === undefined ? undefined : now - before.lastRxAt,
        };
        const level = failure ? 'warn' : 'info';
        this.#log[level](
          { session: entry.id, peer: entry.config.peerAddress, from: a.from, to: a.to, diag: a.diag, cause: a.cause },
          'bfd session state changed',
        );
        this.#handlers.onStateChange?.(change);
        break;
      }
      case 'poll-completed':
        break;
    }
  }

  #arm(entry: Entry): void {
    if (!this.#byId.has(entry.id)) return;
    const at = nextDeadline(entry.state);
    if (at === entry.timerAt && entry.timer !== undefined) return;
    entry.timer?.cancel();
    entry.timer = undefined;
    entry.timerAt = at;
    if (at === undefined) return;
    entry.timer = this.#clock.setTimer(at - this.#clock.now(), () => {
      entry.timer = undefined;
      entry.timerAt = undefined;
      if (this.#byId.get(entry.id) !== entry) return;
      const now = this.#clock.now();
      if (!entry.confirming) this.#countLateness(entry, now - at);
      const detect = entry.state.detectDeadline;
      if (detect !== undefined && now >= detect && !entry.confirming) {
        // The detection time has run out, or this thread was descheduled while the peer's packets waited in
        // the socket. Send what is due, then look again on the next turn of the event loop: a timer armed
        // now fires after the loop has read pending datagrams, and one of them moves the deadline.
        entry.confirming = true;
        this.#apply(entry, { kind: 'timer', skipDetection: true });
        return;
      }
      entry.confirming = false;
      this.#apply(entry, { kind: 'timer' });
    });
  }

  #countLateness(entry: Entry, late: number): void {
    if (late < 0) return;
    entry.lateN++;
    entry.lateSum += late;
    if (late > entry.lateMax) entry.lateMax = late;
    if (late > 5) entry.late5++;
    if (late > 20) entry.late20++;
    if (late > 50) entry.late50++;
  }

  #countEngineDrop(reason: BfdEngineDropReason): void {
    this.#engineDrops[reason] = (this.#engineDrops[reason] ?? 0) + 1;
  }
}
