import { EventEmitter } from 'node:events';
import {
  InvalidArgumentError,
  parseIp,
  prefixContains,
  realClock,
  silentLogger,
  type Clock,
  type Logger,
  type Prefix,
  type Startable,
} from '@lbkit/core';
import {
  CeaseSubcode,
  ErrorCode,
  WellKnownCommunity,
  createShutdownNotification,
  type Family,
  type UpdateMessage,
} from '../codec/index.js';
import type { SessionState, TransitionReason } from '../fsm/types.js';
import type { BgpConnection, BgpListener, BgpTransport } from '../io/transport.js';
import { TcpTransport } from '../io/tcp-transport.js';
import { defaultRandom } from '../io/defaults.js';
import { linkLocalFor } from '../io/interfaces.js';
import { keyFamily } from '../rib/adj-rib-out.js';
import { AttributeInterner, toRouteAttributes, type AttributeSet, type RouteAttributes } from '../rib/attributes.js';
import {
  BGP_PORT,
  COALESCE_MS,
  GRACEFUL_RESTART_TIME_S,
  checkAsn,
  checkRange,
  checkRouterId,
  resolvePeer,
  type DynamicNeighborInit,
  type PeerConfig,
  type PeerInit,
} from './config.js';
import { BgpSession, prefixKey, type NotificationRecord, type SessionContext, type SessionStatus } from './session.js';

/** Where the speaker listens for peers that connect to it. */
export interface ListenInit {
  /** @default '::' — all addresses, IPv4 included. */
  readonly address?: string;
  /** @default 179 — needs CAP_NET_BIND_SERVICE; use a high port in tests. */
  readonly port?: number;
  /** @default undefined — bind the listener to an interface or VRF. */
  readonly device?: string;
}

/** Graceful restart settings (RFC 4724). */
export interface GracefulRestartInit {
  /** @default 120 — seconds peers keep our routes while we restart (at most 4095). */
  readonly restartTime?: number;
  /** @default false — set after our own restart: the R bit asks peers to keep our routes until End-of-RIB. */
  readonly restarting?: boolean;
  /** @default true — the F bit: our forwarding (the load-balanced service) kept working through the restart. */
  readonly forwardingState?: boolean;
}

/** Configuration of a speaker: plain data. */
export interface SpeakerInit {
  /** Our AS number (2- or 4-octet). */
  readonly asn: number;
  /** Our BGP Identifier, a non-zero dotted quad (RFC 6286). */
  readonly routerId: string;
  /** @default undefined (no listener) — accept connections from configured peers and dynamic neighbours. */
  readonly listen?: ListenInit;
  /** @default [] — configured neighbours. */
  readonly peers?: readonly PeerInit[];
  /** @default [] — address ranges whose peers may connect without being configured (passive sessions). */
  readonly dynamicNeighbors?: readonly DynamicNeighborInit[];
  /** @default 25 — milliseconds route changes wait so they pack into shared UPDATEs; 0 sends at once. */
  readonly coalesceMs?: number;
  /** @default { restartTime: 120, restarting: false, forwardingState: true } */
  readonly gracefulRestart?: GracefulRestartInit;
  /** @default 1000 — sessions at most, dynamic ones included (a guard against a flood of connections). */
  readonly maxSessions?: number;
}

/** What the export hook learns about a peer. */
export interface ExportPeer {
  readonly address: string;
  readonly asn: number | undefined;
  readonly external: boolean;
}

/**
 * A per-peer export hook: return the attributes to send, `null` to keep the route from this peer, or
 * `undefined` to send it unchanged.
 */
export type ExportPolicy = (
  route: { readonly prefix: string; readonly attributes: RouteAttributes },
  peer: ExportPeer,
) => RouteAttributes | null | undefined;

/** Injected capabilities of a speaker. */
export interface SpeakerComponents {
  /** @default realClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default TCP (plain `net`, or dgram-plus for MD5/TTL/GTSM/device) */
  readonly transport?: BgpTransport;
  /** @default Math.random — seeds timer jitter. */
  readonly random?: () => number;
  /** @default none — every route to every peer. */
  readonly exportPolicy?: ExportPolicy;
  /** @default the host's interfaces — finds the link-local address sent as second IPv6 next hop. */
  readonly linkLocalFor?: (address: string) => string | undefined;
}

/** Speaker events: session facts, tagged with the peer's address. */
export interface SpeakerEvents {
  'session-state-changed': [
    {
      readonly peer: string;
      readonly from: SessionState;
      readonly to: SessionState;
      readonly reason: TransitionReason;
    },
  ];
  'session-established': [{ readonly peer: string }];
  'session-down': [{ readonly peer: string; readonly reason: TransitionReason }];
  'notification-sent': [{ readonly peer: string; readonly notification: NotificationRecord }];
  'notification-received': [{ readonly peer: string; readonly notification: NotificationRecord }];
  'update-received': [{ readonly peer: string; readonly update: UpdateMessage }];
  'end-of-rib-received': [{ readonly peer: string; readonly family: Family }];
  'route-refresh-answered': [{ readonly peer: string; readonly family: Family }];
}

/** Options of {@link BgpSpeaker.stop}. */
export interface StopOptions {
  /** Shutdown communication sent in the Cease NOTIFICATION (RFC 8203 / 9003), at most 255 octets of UTF-8. */
  readonly message?: string;
  /**
   * Leave as a restarting speaker (RFC 4724): drop connections without NOTIFICATION so peers with graceful
   * restart keep our routes for the restart time.
   * @default false
   */
  readonly graceful?: boolean;
}

interface DynamicRange {
  readonly prefix: Prefix;
  readonly init: DynamicNeighborInit;
  readonly index: number;
}

function normaliseAddress(a: string): string {
  const bare = a.split('%')[0]!.toLowerCase();
  return bare.startsWith('::ffff:') && bare.includes('.') ? bare.slice(7) : bare;
}

/**
 * A BGP speaker: sessions to configured and dynamic peers, one route table, and an Adj-RIB-Out per peer
 * fed through an optional export hook. Announcements and withdrawals coalesce for `coalesceMs`, then go out
 * packed: every prefix sharing attributes in as few UPDATEs as fit.
 */
export class BgpSpeaker extends EventEmitter<SpeakerEvents> implements Startable {
  readonly asn: number;
  readonly routerId: string;
  readonly #init: SpeakerInit;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #transport: BgpTransport;
  readonly #random: () => number;
  readonly #policy: ExportPolicy | undefined;
  readonly #interner = new AttributeInterner();
  readonly #routes = new Map<string, AttributeSet>();
  readonly #sessions = new Map<string, BgpSession>();
  readonly #dynamic: DynamicRange[];
  readonly #ctx: SessionContext;
  readonly #maxSessions: number;
  #listener: BgpListener | undefined;
  #started = false;
  #gracefulShutdown = false;

  constructor(init: SpeakerInit, components: SpeakerComponents = {}) {
    super();
    if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('init', 'an object', init);
    this.asn = checkAsn(init.asn, 'asn');
    this.routerId = checkRouterId(init.routerId, 'routerId');
    this.#init = init;
    this.#clock = components.clock ?? realClock;
    this.#log = components.logger ?? silentLogger;
    this.#transport = components.transport ?? new TcpTransport();
    this.#random = components.random ?? defaultRandom;
    this.#policy = components.exportPolicy;
    const coalesceMs = init.coalesceMs ?? COALESCE_MS;
    if (!Number.isFinite(coalesceMs) || coalesceMs < 0)
      throw new InvalidArgumentError('coalesceMs', 'milliseconds ≥ 0', coalesceMs);
    const gr = init.gracefulRestart ?? {};
    const restartTime = gr.restartTime ?? GRACEFUL_RESTART_TIME_S;
    if (!Number.isInteger(restartTime) || restartTime < 0 || restartTime > 4095)
      throw new InvalidArgumentError(
        'gracefulRestart.restartTime',
        'whole seconds in 0..4095 (RFC 4724 §3)',
        restartTime,
      );
    this.#maxSessions = init.maxSessions ?? 1000;
    this.#ctx = {
      localAsn: this.asn,
      routerId: this.routerId,
      coalesceMs,
      gracefulRestart: { restartTime, restarting: gr.restarting ?? false, forwardingState: gr.forwardingState ?? true },
      loadRoutes: (s) => this.#loadRoutes(s),
      random: this.#random,
      linkLocalFor: components.linkLocalFor ?? linkLocalFor,
    };
    this.#dynamic = (init.dynamicNeighbors ?? []).map((d, index) => {
      // Validate the template now, so a bad range fails at construction and not on first connect.
      resolvePeer({ ...d, address: '192.0.2.1' }, `dynamicNeighbors[${index}]`, true);
      return { prefix: checkRange(d.prefix, `dynamicNeighbors[${index}].prefix`), init: d, index };
    });
    (init.peers ?? []).forEach((p, i) => this.#addSession(resolvePeer(p, `peers[${i}]`)));
  }

  isStarted(): boolean {
    return this.#started;
  }

  /** Opens the listener (if configured) and starts every session. Starting twice does nothing. */
  async start(): Promise<void> {
    if (this.#started) return;
    const l = this.#init.listen;
    if (l !== undefined) {
      const md5 = [...this.#sessions.values()]
        .filter((s) => s.config.md5Password !== undefined)
        .map((s) => ({ address: s.config.address.split('%')[0]!, password: s.config.md5Password! }));
      const minTtls =
        [...this.#sessions.values()].filter((s) => s.config.gtsm).length > 0
          ? 255 - Math.max(0, ...[...this.#sessions.values()].map((s) => (s.config.ebgpMultihop ?? 1) - 1))
          : undefined;
      this.#listener = await this.#transport.listen(
        {
          address: l.address ?? '::',
          port: l.port ?? BGP_PORT,
          ...(md5.length === 0 ? {} : { md5 }),
          ...(minTtls === undefined ? {} : { minTtl: minTtls, ttl: 255 }),
          ...(l.device === undefined ? {} : { device: l.device }),
        },
        (conn) => this.#onInbound(conn),
      );
    }
    this.#started = true;
    for (const s of this.#sessions.values()) s.start();
  }

  /**
   * Stops every session — with a Cease / Administrative Shutdown NOTIFICATION carrying `message`, or, with
   * `graceful`, by dropping the connections so peers keep our routes (RFC 4724) — and closes the listener.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    const notice = options.message === undefined ? undefined : createShutdownNotification(options.message);
    for (const s of this.#sessions.values()) {
      if (options.graceful === true) s.abandon();
      else s.stop(notice === undefined ? undefined : { code: notice.code, subcode: notice.subcode, data: notice.data });
    }
    await this.#listener?.close();
    this.#listener = undefined;
    // Let NOTIFICATIONs reach the wire before timers go.
    await new Promise<void>((r) => queueMicrotask(r));
    for (const s of this.#sessions.values()) s.dispose();
    for (const [k, s] of this.#sessions) {
      if (s.config.dynamic) this.#sessions.delete(k);
      else this.#sessions.set(k, this.#createSession(s.config));
    }
  }

  /** Adds a neighbour; it starts at once when the speaker runs. */
  addPeer(init: PeerInit): void {
    const cfg = resolvePeer(init, 'peer');
    const s = this.#addSession(cfg);
    if (cfg.md5Password !== undefined)
      this.#listener?.setMd5({ address: cfg.address.split('%')[0]!, password: cfg.md5Password });
    if (this.#started) s.start();
  }

  /** Removes a neighbour: Cease / Peer De-configured (RFC 4486), then forgets it. */
  removePeer(address: string): boolean {
    const key = normaliseAddress(address);
    const s = this.#sessions.get(key);
    if (s === undefined) return false;
    s.stop({ code: ErrorCode.CEASE, subcode: CeaseSubcode.PEER_DE_CONFIGURED, data: new Uint8Array(0) });
    if (s.config.md5Password !== undefined) this.#listener?.removeMd5(s.config.address.split('%')[0]!);
    queueMicrotask(() => s.dispose());
    this.#sessions.delete(key);
    return true;
  }

  /** Administratively shuts one session down with an RFC 8203 message (it stays down until `enablePeer`). */
  disablePeer(address: string, message = ''): void {
    const s = this.#session(address);
    const n = createShutdownNotification(message);
    s.stop({ code: n.code, subcode: n.subcode, data: n.data });
  }

  /** Starts a session stopped by `disablePeer`. */
  enablePeer(address: string): void {
    this.#session(address).start();
  }

  /** Announces (or re-announces with new attributes) a prefix to every peer carrying its family. */
  announce(prefix: string | Prefix, attributes: RouteAttributes = {}): void {
    const key = this.#key(prefix);
    const set = this.#interner.intern(attributes);
    if (this.#routes.get(key) === set) return;
    this.#routes.set(key, set);
    for (const s of this.#sessions.values()) if (s.carries(keyFamily(key))) s.queue(key, this.#exportFor(s, key, set));
  }

  /** Withdraws a prefix from every peer. Returns false when it was not announced. */
  withdraw(prefix: string | Prefix): boolean {
    const key = this.#key(prefix);
    if (!this.#routes.delete(key)) return false;
    for (const s of this.#sessions.values()) if (s.carries(keyFamily(key))) s.queue(key, null);
    return true;
  }

  /** Withdraws every prefix. */
  withdrawAll(): void {
    for (const key of [...this.#routes.keys()]) this.withdraw(key);
  }

  /** The announced routes. */
  routes(): Array<{ prefix: string; attributes: RouteAttributes }> {
    return [...this.#routes].map(([prefix, set]) => ({ prefix, attributes: toRouteAttributes(set) }));
  }

  /**
   * Graceful shutdown (RFC 8326): re-announces every route with the GRACEFUL_SHUTDOWN community (and
   * LOCAL_PREF 0 towards internal peers) so routers move traffic away before the routes are withdrawn, waits
   * `drainMs`, then withdraws everything. `drainMs` 0 only marks the routes.
   */
  async gracefulShutdown(drainMs = 0): Promise<void> {
    this.#gracefulShutdown = true;
    for (const s of this.#sessions.values()) this.#reexport(s);
    for (const s of this.#sessions.values()) s.flush();
    if (drainMs > 0) {
      await this.#clock.sleep(drainMs);
      this.withdrawAll();
      for (const s of this.#sessions.values()) s.flush();
    }
  }

  /** Ends graceful shutdown: routes are announced without the community again. */
  cancelGracefulShutdown(): void {
    this.#gracefulShutdown = false;
    for (const s of this.#sessions.values()) this.#reexport(s);
  }

  /** Sends pending changes to every peer now. */
  flush(): void {
    for (const s of this.#sessions.values()) s.flush();
  }

  /** Status of every session. */
  sessions(): SessionStatus[] {
    return [...this.#sessions.values()].map((s) => s.status());
  }

  /** One session, for status and its Adj-RIB-In. */
  session(address: string): BgpSession | undefined {
    return this.#sessions.get(normaliseAddress(address));
  }

  // ---- internals ----

  #key(prefix: string | Prefix): string {
    try {
      return prefixKey(prefix);
    } catch (err) {
      throw new InvalidArgumentError('prefix', 'an IPv4 or IPv6 prefix without host bits, e.g. 192.0.2.10/32', prefix, {
        cause: err,
      });
    }
  }

  #session(address: string): BgpSession {
    const s = this.#sessions.get(normaliseAddress(address));
    if (s === undefined) throw new InvalidArgumentError('address', 'a configured peer', address);
    return s;
  }

  #addSession(cfg: PeerConfig): BgpSession {
    const key = normaliseAddress(cfg.address);
    if (this.#sessions.has(key))
      throw new InvalidArgumentError('peer.address', 'an address not configured yet', cfg.address);
    if (this.#sessions.size >= this.#maxSessions)
      throw new InvalidArgumentError(
        'peers',
        `at most ${this.#maxSessions} sessions (maxSessions)`,
        this.#sessions.size + 1,
      );
    const s = this.#createSession(cfg);
    this.#sessions.set(key, s);
    return s;
  }

  #createSession(cfg: PeerConfig): BgpSession {
    const s = new BgpSession(cfg, this.#ctx, { clock: this.#clock, logger: this.#log, transport: this.#transport });
    const peer = cfg.address;
    s.on('state-changed', (e) => {
      this.emit('session-state-changed', { peer, ...e });
      if (cfg.dynamic && e.to === 'idle' && this.#sessions.get(normaliseAddress(peer)) === s) {
        // A dynamic neighbour exists only while connected.
        this.#sessions.delete(normaliseAddress(peer));
        queueMicrotask(() => s.dispose());
      }
    });
    s.on('established', () => this.emit('session-established', { peer }));
    s.on('down', (e) => this.emit('session-down', { peer, ...e }));
    s.on('notification-sent', (n) => this.emit('notification-sent', { peer, notification: n }));
    s.on('notification-received', (n) => this.emit('notification-received', { peer, notification: n }));
    s.on('update-received', (u) => this.emit('update-received', { peer, update: u }));
    s.on('end-of-rib-received', (f) => this.emit('end-of-rib-received', { peer, family: f }));
    s.on('route-refresh-answered', (f) => this.emit('route-refresh-answered', { peer, family: f }));
    return s;
  }

  #onInbound(conn: BgpConnection): void {
    const remote = normaliseAddress(conn.remoteAddress);
    const s = this.#sessions.get(remote);
    if (s !== undefined) {
      s.acceptInbound(conn);
      return;
    }
    let addr;
    try {
      addr = parseIp(remote);
    } catch {
      conn.destroy();
      return;
    }
    const range = this.#dynamic.find((d) => prefixContains(d.prefix, addr));
    if (range === undefined || !this.#started || this.#sessions.size >= this.#maxSessions) {
      // Only configured peers and dynamic ranges may talk to us (RFC 4271 §8.2.1.1 does not require more).
      this.#log.info({ remote }, 'bgp connection from unknown address refused');
      conn.destroy();
      return;
    }
    const cfg = resolvePeer({ ...range.init, address: remote }, `dynamicNeighbors[${range.index}]`, true);
    const session = this.#addSession(cfg);
    session.start();
    session.acceptInbound(conn);
  }

  #exportFor(s: BgpSession, key: string, set: AttributeSet): AttributeSet | null {
    let out = set;
    if (this.#policy !== undefined) {
      const r = this.#policy(
        { prefix: key, attributes: toRouteAttributes(set) },
        { address: s.config.address, asn: s.config.asn, external: s.external },
      );
      if (r === null) return null;
      if (r !== undefined) out = this.#interner.intern(r);
    }
    if (this.#gracefulShutdown)
      out = this.#interner.withCommunity(out, WellKnownCommunity.GRACEFUL_SHUTDOWN, s.external ? undefined : 0);
    return out;
  }

  #loadRoutes(s: BgpSession): void {
    for (const [key, set] of this.#routes) {
      if (!s.carries(keyFamily(key))) continue;
      const out = this.#exportFor(s, key, set);
      if (out !== null) s.ribOut.set(key, out);
    }
  }

  #reexport(s: BgpSession): void {
    for (const [key, set] of this.#routes) if (s.carries(keyFamily(key))) s.queue(key, this.#exportFor(s, key, set));
  }
}

/** Creates a speaker (not started). */
export function createSpeaker(init: SpeakerInit, components: SpeakerComponents = {}): BgpSpeaker {
  return new BgpSpeaker(init, components);
}
