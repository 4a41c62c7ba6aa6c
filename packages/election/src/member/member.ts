import {
  InvalidArgumentError,
  StartableBase,
  realClock,
  silentLogger,
  type Clock,
  type Logger,
  type Timer,
} from '@lbkit/core';
import { MAX_NAME_BYTES, MAX_PACKET_BYTES } from '../constants.js';
import { ElectionAuthError, ElectionDecodeError } from '../errors.js';
import { systemRandom, systemRandomBytes } from '../io/defaults.js';
import { chooseOwner } from '../owner/choose-owner.js';
import { OwnerTable, type AddressEntry, type Placement } from '../owner/owner-table.js';
import { resolveProfile, type Profile, type ProfileName } from '../profiles.js';
import { createSwimState, snapshot, type SwimState } from '../swim/state.js';
import { step, type MemberView, type SwimAction, type SwimEvent } from '../swim/step.js';
import { decodePacket, decodeState, encodePacket, encodeState } from '../wire/codec.js';
import { frameOverhead, openFrame, sealFrame } from '../wire/frame.js';
import { Keyring, type RandomBytes } from '../wire/keyring.js';
import { MEMBER_FLAG } from '../wire/messages.js';
import { ReplayFilter } from '../wire/replay.js';
import type { LocalReason, MemberEventName, MemberEvents, MemberListener, OwnerInfo } from './events.js';
import type { ElectionTransport } from './transport.js';

/** Plain, serialisable configuration of a member. */
export interface MemberInit {
  /** This node's name (the Kubernetes node name); unique in the cluster. */
  readonly name: string;
  /** Address to bind when no transport is injected. @default '0.0.0.0' */
  readonly bindAddress?: string;
  /** UDP and TCP port to bind when no transport is injected. @default 7946 */
  readonly port?: number;
  /** Address peers should use to reach this member, when it differs from the bound one (e.g. bound to 0.0.0.0). */
  readonly advertiseAddress?: string;
  /** Members to join through ("host:port"); retried every `joinRetryMs` while no other member is known. @default [] */
  readonly seeds?: readonly string[];
  /** Built-in profile. @default 'default' */
  readonly profile?: ProfileName;
  /** Per-field overrides of the profile. @default {} */
  readonly overrides?: Partial<Profile>;
  /** Shared secrets: first the primary, then decrypt-only ones. Absent means plaintext (tests only). */
  readonly secrets?: ReadonlyArray<string | Uint8Array>;
  /** Cluster label: HKDF info and GCM associated data. @default '' */
  readonly label?: string;
  /** Starting incarnation; also the replay epoch. @default the wall clock in seconds, so it grows across restarts */
  readonly incarnation?: number;
  /** IPs to place, with preferences and eligible nodes. @default [] */
  readonly addresses?: readonly AddressEntry[];
  /** Strict mode: announce only while `setLeaseHeld(true)`, and no fast-path claims. @default false */
  readonly strict?: boolean;
  /**
   * Guard G3: how long this member stays withdrawn from an IP after losing a conflict, unless the winner
   * becomes eligible in its own view first. A conflict that persists is reported again and renews it.
   * @default 30000
   */
  readonly conflictHoldMs?: number;
}

/** Injected capabilities. */
export interface MemberComponents {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The network; a UDP+TCP transport on `bindAddress:port` is created when absent. */
  readonly transport?: ElectionTransport;
  /** Uniform [0, 1) source seeding the protocol's PRNG. */
  readonly random?: () => number;
  /** Random bytes for nonce prefixes. */
  readonly randomBytes?: RandomBytes;
}

/** Traffic and decision counters of a member. */
export interface MemberStats {
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
  exchanges: number;
  /** Packets dropped before reaching the protocol, by reason. */
  readonly dropped: {
    decode: number;
    auth: number;
    replay: number;
    self: number;
    'wrong-kind': number;
    oversize: number;
  };
  /** Owners this member watches as a standby, and standbys it sends heartbeats to. */
  watchedOwners: number;
  heartbeatPeers: number;
  /** Heartbeats this member sends per second (peers × 1000 / takeoverIntervalMs): the fast path's own cost. */
  heartbeatsPerSecond: number;
  /** Protocol decisions by reason (probes, suspicions, refutations, claims…). */
  readonly counters: Readonly<Record<string, number>>;
}

/** Result of {@link Member.reportConflict}. */
export interface ConflictDecision {
  readonly action: 'keep' | 'yield' | 'ignore';
  readonly reason: 'ranks-higher' | 'ranks-lower' | 'not-owner' | 'unknown-ip' | 'unknown-node';
}

/**
 * One election member: the SWIM reducer driven by an injected clock and transport, the owner table, the fast
 * takeover claims and the split-brain guards. Use {@link createMember}.
 */
export class Member extends StartableBase {
  readonly name: string;
  readonly profile: Profile;
  readonly #init: MemberInit;
  readonly #clock: Clock;
  readonly #log: Logger;
  #transport: ElectionTransport | undefined;
  readonly #random: () => number;
  readonly #randomBytes: RandomBytes;
  #keyring: Keyring | undefined;
  readonly #replay = new ReplayFilter();
  #state: SwimState | undefined;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #packetSeq = 0;
  readonly #table = new OwnerTable();
  #owners = new Map<string, OwnerInfo>();
  readonly #claimsAgainst = new Set<string>();
  readonly #conflicts = new Map<string, { winner: string; until: number }>();
  readonly #pendingNodes = new Set<string>();
  #leaseHeld = false;
  #pairsKey = '';
  #dispatching = false;
  #queued: SwimEvent[] = [];
  #dirty = false;
  #killed = false;
  #ownTransport = false;
  #stopLoopHealth: (() => void) | undefined;
  readonly #listeners = new Map<MemberEventName, Set<(e: never) => void>>();
  readonly #stats: Omit<MemberStats, 'counters' | 'watchedOwners' | 'heartbeatPeers' | 'heartbeatsPerSecond'> = {
    packetsOut: 0,
    packetsIn: 0,
    bytesOut: 0,
    bytesIn: 0,
    exchanges: 0,
    dropped: { decode: 0, auth: 0, replay: 0, self: 0, 'wrong-kind': 0, oversize: 0 },
  };

  constructor(init: MemberInit, components: MemberComponents = {}) {
    super();
    if (typeof init.name !== 'string' || init.name === '' || Buffer.byteLength(init.name) > MAX_NAME_BYTES) {
      throw new InvalidArgumentError('name', `a non-empty node name of at most ${MAX_NAME_BYTES} bytes`, init.name);
    }
    if (init.port !== undefined && !(Number.isInteger(init.port) && init.port >= 0 && init.port < 65536))
      throw new InvalidArgumentError('port', 'an integer 0–65535', init.port);
    for (const [i, s] of (init.seeds ?? []).entries())
      if (typeof s !== 'string' || !/^.+:\d+$/.test(s))
        throw new InvalidArgumentError(`seeds[${i}]`, 'a "host:port" string', s);
    this.name = init.name;
    let profile = resolveProfile(init.profile ?? 'default', init.overrides ?? {});
    if (init.strict === true) profile = { ...profile, takeoverIntervalMs: 0 };
    this.profile = profile;
    this.#init = init;
    this.#clock = components.clock ?? realClock;
    this.#log = components.logger ?? silentLogger;
    this.#transport = components.transport;
    this.#random = components.random ?? systemRandom;
    this.#randomBytes = components.randomBytes ?? systemRandomBytes;
    if (init.secrets !== undefined)
      this.#keyring = new Keyring(
        { secrets: init.secrets, ...(init.label === undefined ? {} : { label: init.label }) },
        this.#randomBytes,
      );
    this.#table.setAddresses(init.addresses ?? []);
    this.#table.addNodes([init.name]);
  }

  /** The keyring (absent in plaintext mode), for rotations: `addKey`, `useKey`, `removeKey`. */
  get keyring(): Keyring | undefined {
    return this.#keyring;
  }

  /** This member's own address as peers see it. */
  get address(): string {
    return this.#state?.addr ?? this.#transport?.localAddress ?? '';
  }

  /** Current incarnation. */
  get incarnation(): number {
    return this.#state?.incarnation ?? 0;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends MemberEventName>(event: K, fn: MemberListener<K>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn as (e: never) => void);
    return () => set.delete(fn as (e: never) => void);
  }

  #emit<K extends MemberEventName>(event: K, e: MemberEvents[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const fn of set) {
      try {
        (fn as MemberListener<K>)(e);
      } catch (err) {
        this.#log.error({ err, event }, 'election event listener threw');
      }
    }
  }

  protected async onStart(): Promise<void> {
    if (this.#transport === undefined) {
      this.#ownTransport = true;
      const { UdpTransport } = await import('../io/udp-transport.js');
      this.#transport = await UdpTransport.bind({
        address: this.#init.bindAddress ?? '0.0.0.0',
        port: this.#init.port ?? 7946,
        ...(this.#init.advertiseAddress === undefined ? {} : { advertise: this.#init.advertiseAddress }),
      });
    }
    const transport: ElectionTransport = this.#transport;
    const incarnation = this.#init.incarnation ?? Math.floor(this.#clock.wallTime() / 1000);
    this.#state = createSwimState({
      name: this.name,
      addr: transport.localAddress,
      profile: this.profile,
      incarnation,
      seed: Math.floor(this.#random() * 4294967296),
      seeds: (this.#init.seeds ?? []).filter((s) => s !== transport.localAddress),
      // Budget as if sealed even in plaintext mode, so packets never grow when encryption is turned on.
      frameOverhead: frameOverhead(this.#keyring ?? ({ overhead: 32 } as Keyring)),
    });
    this.#killed = false;
    transport.listen({
      onPacket: (from, bytes) => this.#onPacket(from, bytes),
      onExchange: (from, bytes, reply) => this.#onExchange(from, bytes, reply),
    });
    this.#dispatch({ kind: 'start' });
    this.#recompute();
    if (this.#ownTransport) {
      // On real sockets, feed this thread's event-loop delay into the local health score.
      const { startLoopHealth } = await import('../io/loop-health.js');
      this.#stopLoopHealth = startLoopHealth((lag) => this.reportLoopDelay(lag));
    }
    this.#log.info(
      {
        name: this.name,
        addr: transport.localAddress,
        incarnation,
        profile: this.#init.profile ?? 'default',
        encrypted: this.#keyring !== undefined,
      },
      'election member started',
    );
  }

  protected async onStop(): Promise<void> {
    this.#killed = true;
    this.#stopLoopHealth?.();
    this.#stopLoopHealth = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    await this.#transport?.close();
    // A transport we bound ourselves is bound afresh on the next start.
    if (this.#ownTransport) this.#transport = undefined;
  }

  /**
   * Leaves gracefully: tells every member at once, keeps gossiping for `lingerMs`, then stops. Successors take
   * over within one round trip.
   */
  async leave(lingerMs = this.profile.gossipIntervalMs * 3): Promise<void> {
    if (!this.isStarted()) return;
    this.#dispatch({ kind: 'leave' });
    this.#recompute();
    await this.#clock.sleep(lingerMs);
    await this.stop();
  }

  /** Lifeguard local health: this thread's recent event-loop delay (p99, ms); a lag above the probe timeout backs probing off. */
  reportLoopDelay(lagMs: number): void {
    this.#dispatch({ kind: 'local-health', lagMs });
  }

  /** Replaces the IPs this member places. */
  setAddresses(entries: readonly AddressEntry[]): void {
    this.#table.setAddresses(entries);
    this.#recompute();
  }

  /** Adds seeds and contacts them now. */
  join(seeds: readonly string[]): void {
    this.#dispatch({ kind: 'join', seeds });
  }

  /** Marks this member draining (not eligible, gossiped) before a planned stop. */
  setDraining(draining: boolean): void {
    this.#dispatch({ kind: 'set-draining', draining });
    this.#recompute();
  }

  /** Strict mode: whether this node's Kubernetes Lease is fresh. */
  setLeaseHeld(held: boolean): void {
    this.#leaseHeld = held;
    this.#recompute();
  }

  /**
   * Guard G3: another node (`other`, by name) announces `ip` too. Both sides apply the same pairwise rule:
   * whichever ranks higher for the IP keeps it; the other withdraws until that node stops being eligible.
   */
  reportConflict(ip: string, other: string): ConflictDecision {
    const info = this.#owners.get(ip);
    if (info === undefined) return { action: 'ignore', reason: 'unknown-ip' };
    if (info.owner !== this.name) return { action: 'ignore', reason: 'not-owner' };
    if (other === this.name || !this.#table.nodes.has(other)) return { action: 'ignore', reason: 'unknown-node' };
    const winner = this.#table.higherOf(ip, this.name, other);
    if (winner === this.name) return { action: 'keep', reason: 'ranks-higher' };
    const hold = this.#init.conflictHoldMs ?? 30_000;
    this.#conflicts.set(ip, { winner: other, until: this.#clock.now() + hold });
    this.#clock.setTimer(hold, () => {
      if (!this.#killed) this.#recompute();
    });
    this.#log.warn({ ip, winner: other }, 'announcement conflict: a higher-ranked node announces this IP; withdrawing');
    this.#recompute();
    return { action: 'yield', reason: 'ranks-lower' };
  }

  /** Owners of the given IPs in this member's view; IPs not configured are placed with no preferences. */
  ownersFor(ips: readonly string[]): Map<string, OwnerInfo> {
    const out = new Map<string, OwnerInfo>();
    let eligibleNames: string[] | undefined;
    for (const ip of ips) {
      const known = this.#owners.get(ip);
      if (known !== undefined) {
        out.set(ip, known);
        continue;
      }
      eligibleNames ??= [...this.#table.nodes].filter((n) => this.#eligible(n));
      const c = chooseOwner(ip, eligibleNames);
      out.set(ip, this.#info({ ip, owner: c.owner, standby: c.ranking[1], reason: c.reason }));
    }
    return out;
  }

  /** Every member this one knows, self included. */
  members(): MemberView[] {
    const s = this.#state;
    if (s === undefined) return [];
    return snapshot(s).map((r) => ({
      name: r.node,
      addr: r.addr,
      incarnation: r.incarnation,
      status: r.status,
      flags: r.flags,
    }));
  }

  /** Counters. */
  stats(): MemberStats {
    const s = this.#state;
    return {
      ...this.#stats,
      dropped: { ...this.#stats.dropped },
      watchedOwners: s?.watches.size ?? 0,
      heartbeatPeers: s?.heartbeatTo.length ?? 0,
      heartbeatsPerSecond:
        this.profile.takeoverIntervalMs > 0
          ? ((s?.heartbeatTo.length ?? 0) * 1000) / this.profile.takeoverIntervalMs
          : 0,
      counters: { ...(s?.counters ?? {}) },
    };
  }

  /** Whether guard G1 has fenced this member. */
  get fenced(): boolean {
    return this.#state?.fenced ?? false;
  }

  /** Whether guard G2 has found this member isolated. */
  get isolated(): boolean {
    return this.#state?.isolated ?? false;
  }

  /** Simulations: drop everything at once as a crash would (no leave, no more packets). */
  kill(): void {
    this.#killed = true;
    void this.stop();
  }

  // ------------------------------------------------------------------------------------------- internals

  #onPacket(from: string, bytes: Uint8Array): void {
    if (this.#killed || this.#state === undefined) return;
    this.#stats.packetsIn++;
    this.#stats.bytesIn += bytes.length;
    let packet;
    try {
      const f = openFrame(bytes, this.#keyring);
      if (f.kind !== 'packet') {
        this.#stats.dropped['wrong-kind']++;
        return;
      }
      packet = decodePacket(f.body);
    } catch (err) {
      this.#drop(err, from);
      return;
    }
    if (packet.sender === this.name) {
      this.#stats.dropped.self++;
      return;
    }
    const verdict = this.#replay.check(packet.sender, packet.epoch, packet.seq);
    if (verdict !== 'ok') {
      this.#stats.dropped.replay++;
      this.#log.debug({ from, sender: packet.sender, verdict }, 'election packet dropped: replay');
      return;
    }
    this.#dispatch({ kind: 'packet', from, packet });
  }

  #onExchange(from: string, bytes: Uint8Array, reply: (bytes: Uint8Array) => void): void {
    if (this.#killed || this.#state === undefined) return;
    let state;
    try {
      const f = openFrame(bytes, this.#keyring);
      if (f.kind !== 'state') {
        this.#stats.dropped['wrong-kind']++;
        return;
      }
      state = decodeState(f.body);
    } catch (err) {
      this.#drop(err, from);
      return;
    }
    if (state.sender === this.name) return;
    this.#dispatch({ kind: 'state', from, state });
    reply(this.#encodeState(state.join));
  }

  #drop(err: unknown, from: string): void {
    if (err instanceof ElectionAuthError) this.#stats.dropped.auth++;
    else if (err instanceof ElectionDecodeError) this.#stats.dropped.decode++;
    else {
      this.#stats.dropped.decode++;
      this.#log.warn({ err, from }, 'election packet: unexpected decode failure');
      return;
    }
    this.#log.debug({ from, err: (err as Error).message }, 'election packet dropped');
  }

  #encodeState(join: boolean): Uint8Array {
    const s = this.#state as SwimState;
    const body = encodeState({ sender: this.name, epoch: s.epoch, seq: ++this.#packetSeq, join, members: snapshot(s) });
    return sealFrame('state', body, this.#keyring);
  }

  #dispatch(ev: SwimEvent): void {
    if (this.#killed || this.#state === undefined) return;
    if (this.#dispatching) {
      this.#queued.push(ev);
      return;
    }
    this.#dispatching = true;
    try {
      let next: SwimEvent | undefined = ev;
      for (;;) {
        while (next !== undefined) {
          const { actions } = step(this.#state, next, this.#clock.now());
          this.#apply(actions);
          next = this.#queued.shift();
        }
        if (this.#dirty) this.#recompute();
        next = this.#queued.shift();
        if (next === undefined) break;
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #apply(actions: readonly SwimAction[]): void {
    const s = this.#state as SwimState;
    for (const a of actions) {
      switch (a.kind) {
        case 'send': {
          if (this.#killed) break;
          const body = encodePacket({
            sender: this.name,
            epoch: s.epoch,
            seq: ++this.#packetSeq,
            messages: a.messages,
          });
          const frame = sealFrame('packet', body, this.#keyring);
          if (frame.length > MAX_PACKET_BYTES) {
            this.#stats.dropped.oversize++;
            break;
          }
          this.#stats.packetsOut++;
          this.#stats.bytesOut += frame.length;
          this.#transport?.send(a.to, frame);
          break;
        }
        case 'exchange':
          this.#exchange(a.to, a.join);
          break;
        case 'member':
          this.#onMember(a.reason, a.member);
          break;
        case 'claim':
          this.#claimsAgainst.add(a.owner);
          this.#claimEvent(a.owner);
          break;
        case 'claim-ended': {
          const before = this.#localIps();
          this.#claimsAgainst.delete(a.owner);
          this.#recompute();
          if (a.reason === 'refuted') {
            const after = this.#localIps();
            const ips = [...before].filter((ip) => !after.has(ip));
            this.#log.info({ owner: a.owner, ips: ips.length }, 'fast takeover claim released: owner refuted');
            this.#emit('release', { owner: a.owner, ips, reason: 'refuted' });
          }
          break;
        }
        case 'fence':
          this.#log.warn(
            { fenced: a.fenced },
            a.fenced ? 'minority fence: withdrawing every IP' : 'minority fence lifted',
          );
          this.#dirty = true;
          this.#emit('fence', { fenced: a.fenced });
          break;
        case 'isolation':
          this.#log.warn({ isolated: a.isolated }, a.isolated ? 'isolated: withdrawing every IP' : 'isolation ended');
          this.#dirty = true;
          this.#emit('isolation', { isolated: a.isolated });
          break;
        case 'refuted':
          this.#emit('refuted', { incarnation: a.incarnation, accusedBy: a.accusedBy });
          break;
        case 'arm':
          this.#arm(a.at);
          break;
      }
    }
  }

  #claimEvent(owner: string): void {
    const before = this.#localIps();
    this.#recompute();
    const after = this.#localIps();
    const ips = [...after].filter((ip) => !before.has(ip));
    this.#log.info({ owner, ips: ips.length }, 'fast takeover: claimed IPs of an unresponsive owner');
    this.#emit('claim', { owner, ips });
  }

  #localIps(): Set<string> {
    const out = new Set<string>();
    for (const [ip, info] of this.#owners) if (info.local) out.add(ip);
    return out;
  }

  #onMember(reason: string, member: MemberView): void {
    this.#dirty = true;
    if (member.status !== 'left' && member.status !== 'dead' && !this.#table.nodes.has(member.name))
      this.#pendingNodes.add(member.name);
    switch (member.status) {
      case 'alive':
        if (reason === 'flags-changed') this.#emit('member-updated', { member, reason: 'flags-changed' });
        else this.#emit('member-alive', { member, reason: reason as 'joined' });
        break;
      case 'suspect':
        this.#emit('member-suspect', { member });
        break;
      case 'dead':
        if (reason === 'reaped') {
          this.#table.removeNodes([member.name]);
          this.#replay.forget(member.name);
          this.#emit('member-updated', { member, reason: 'reaped' });
        } else this.#emit('member-dead', { member });
        break;
      case 'left':
        if (reason === 'reaped') {
          this.#table.removeNodes([member.name]);
          this.#replay.forget(member.name);
          this.#emit('member-updated', { member, reason: 'reaped' });
        } else this.#emit('member-left', { member });
        break;
    }
  }

  #exchange(to: string, join: boolean): void {
    const t = this.#transport;
    if (t === undefined || this.#killed) return;
    this.#stats.exchanges++;
    t.exchange(to, this.#encodeState(join), this.profile.tcpTimeoutMs, (err, reply) => {
      if (this.#killed || err !== undefined || reply === undefined) return;
      try {
        const f = openFrame(reply, this.#keyring);
        if (f.kind !== 'state') {
          this.#stats.dropped['wrong-kind']++;
          return;
        }
        const state = decodeState(f.body);
        this.#dispatch({ kind: 'state', from: to, state });
      } catch (e) {
        this.#drop(e, to);
      }
    });
  }

  #arm(at: number): void {
    if (at === this.#timerAt && this.#timer !== undefined) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Infinity || this.#killed) return;
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), () => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#dispatch({ kind: 'tick' });
    });
  }

  #eligible(name: string): boolean {
    const s = this.#state;
    if (s === undefined) return name === this.name;
    if (name === this.name)
      return s.status === 'alive' && (s.flags & (MEMBER_FLAG.fenced | MEMBER_FLAG.draining)) === 0;
    if (this.#claimsAgainst.has(name)) return false;
    const m = s.members.get(name);
    // Suspects stay eligible (as in MetalLB), so a refuted suspicion never moves an IP.
    return (
      m !== undefined &&
      (m.status === 'alive' || m.status === 'suspect') &&
      (m.flags & (MEMBER_FLAG.fenced | MEMBER_FLAG.draining)) === 0
    );
  }

  #info(p: Placement): OwnerInfo {
    let localReason: LocalReason;
    const s = this.#state;
    if (p.owner !== this.name)
      localReason = s?.status === 'left' ? 'left' : s?.fenced === true ? 'fenced' : 'not-owner';
    else if (s?.isolated === true) localReason = 'isolated';
    else if (this.#init.strict === true && !this.#leaseHeld) localReason = 'no-lease';
    else if (this.#conflicts.has(p.ip)) localReason = 'conflict-lost';
    else localReason = 'owner';
    return {
      ip: p.ip,
      owner: p.owner,
      standby: p.standby,
      reason: p.reason,
      local: localReason === 'owner',
      localReason,
    };
  }

  #recompute(): void {
    this.#dirty = false;
    if (this.#pendingNodes.size > 0) {
      this.#table.addNodes(this.#pendingNodes);
      this.#pendingNodes.clear();
    }
    const eligible = (n: string): boolean => this.#eligible(n);
    // A yield ends when it times out, or when the winner is eligible here (the ranking then decides).
    const now = this.#clock.now();
    for (const [ip, c] of this.#conflicts) if (now >= c.until || eligible(c.winner)) this.#conflicts.delete(ip);
    const placements = this.#table.placeAll(eligible);
    const owners = new Map<string, OwnerInfo>();
    const heartbeatTo = new Set<string>();
    const watch = new Set<string>();
    for (const [ip, p] of placements) {
      const info = this.#info(p);
      owners.set(ip, info);
      const old = this.#owners.get(ip);
      if (
        old === undefined ||
        old.owner !== info.owner ||
        old.local !== info.local ||
        old.localReason !== info.localReason
      ) {
        this.#emit('owner-changed', { info, previous: old?.owner });
      }
      if (p.owner === this.name && p.standby !== undefined) heartbeatTo.add(p.standby);
      if (p.standby === this.name && p.owner !== undefined) watch.add(p.owner);
    }
    this.#owners = owners;
    if (this.profile.takeoverIntervalMs > 0 && this.#state !== undefined) {
      const hb = [...heartbeatTo].sort();
      const w = [...watch].sort();
      const key = `${hb.join(',')}|${w.join(',')}`;
      if (key !== this.#pairsKey) {
        this.#pairsKey = key;
        this.#dispatch({ kind: 'set-pairs', heartbeatTo: hb, watch: w });
      }
    }
  }
}

/** Creates a member; `start()` it to join. */
export function createMember(init: MemberInit, components: MemberComponents = {}): Member {
  return new Member(init, components);
}
