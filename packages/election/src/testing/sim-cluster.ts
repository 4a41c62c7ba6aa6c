import { createMember, type Member } from '../member/member.js';
import type { AddressEntry } from '../owner/owner-table.js';
import type { Profile, ProfileName } from '../profiles.js';
import { SimNetwork, type LinkOptions } from './sim-network.js';

/** Options of {@link SimCluster.create}. */
export interface SimClusterInit {
  readonly seed: number;
  /** Number of members, named n000, n001, … at 192.0.2.1:7946, 192.0.2.2:7946, … (198.51.100.x past 250). */
  readonly size: number;
  readonly profile?: ProfileName;
  readonly overrides?: Partial<Profile>;
  /** IPs every member places; a number makes that many from 203.0.113.0/24 and 240.0.0.0/4. @default 0 */
  readonly ips?: number | readonly AddressEntry[];
  readonly link?: LinkOptions;
  /** Seal packets with AES-256-GCM (slower; the default for realism is plaintext in long soaks). @default false */
  readonly encrypt?: boolean;
}

/** Generates `n` test IPs from documentation and reserved ranges. */
export function testIps(n: number): AddressEntry[] {
  const out: AddressEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ ip: i < 254 ? `203.0.113.${i + 1}` : `240.0.${(i >> 8) & 255}.${i & 255}` });
  return out;
}

/**
 * N members on one {@link SimNetwork}, joined through the first member. Everything runs in virtual time:
 * `run(ms)` advances it. Crash, restart, pause and partition members by name.
 */
export class SimCluster {
  readonly net: SimNetwork;
  readonly members = new Map<string, Member>();
  readonly names: string[] = [];
  readonly #init: SimClusterInit;
  readonly #ips: readonly AddressEntry[];
  #restarts = 0;
  readonly #killed = new Set<string>();

  private constructor(init: SimClusterInit) {
    this.#init = init;
    this.net = new SimNetwork({ seed: init.seed, ...(init.link === undefined ? {} : { link: init.link }) });
    this.#ips = typeof init.ips === 'number' ? testIps(init.ips) : (init.ips ?? []);
    for (let i = 0; i < init.size; i++) this.names.push(`n${String(i).padStart(3, '0')}`);
  }

  /** Creates and starts the members; the first is every other one's seed. Time is not advanced. */
  static async create(init: SimClusterInit): Promise<SimCluster> {
    const c = new SimCluster(init);
    for (const name of c.names) c.#build(name);
    for (const m of c.members.values()) await m.start();
    return c;
  }

  /** The address of a member. */
  addressOf(name: string): string {
    const i = this.names.indexOf(name);
    return i < 250 ? `192.0.2.${i + 1}:7946` : `198.51.100.${i - 249}:7946`;
  }

  /** A member by name (throws when unknown). */
  member(name: string): Member {
    const m = this.members.get(name);
    if (m === undefined) throw new Error(`no member ${name}`);
    return m;
  }

  /** The IPs placed. */
  get ips(): readonly AddressEntry[] {
    return this.#ips;
  }

  #build(name: string, seeds?: string[]): Member {
    const addr = this.addressOf(name);
    const seed = this.addressOf(this.names[0] as string);
    const m = createMember(
      {
        name,
        seeds: seeds ?? (addr === seed ? [] : [seed]),
        profile: this.#init.profile ?? 'default',
        ...(this.#init.overrides === undefined ? {} : { overrides: this.#init.overrides }),
        ...(this.#init.encrypt === true ? { secrets: ['sim-secret'], label: 'sim' } : {}),
        incarnation: 1000 + this.#restarts * 1000,
        addresses: this.#ips,
      },
      {
        clock: this.net.clockFor(addr),
        transport: this.net.transport(addr),
        random: this.net.randomFor(),
        randomBytes: this.net.randomBytesFor(),
      },
    );
    this.members.set(name, m);
    return m;
  }

  /** Advances virtual time. */
  run(ms: number): void {
    this.net.clock.advance(ms);
  }

  /** Advances time in steps until `pred` holds or `maxMs` passes; returns the time it took, or undefined. */
  runUntil(pred: () => boolean, maxMs: number, stepMs = 1): number | undefined {
    const start = this.net.clock.now();
    while (this.net.clock.now() - start <= maxMs) {
      if (pred()) return this.net.clock.now() - start;
      this.net.clock.advance(stepMs);
    }
    return pred() ? this.net.clock.now() - start : undefined;
  }

  /** Crashes a member: off the network at once, timers stopped, no leave. */
  kill(name: string): void {
    this.net.crash(this.addressOf(name));
    this.member(name).kill();
    this.#killed.add(name);
  }

  /** Whether a member is running (not killed). */
  isLive(name: string): boolean {
    return this.members.has(name) && !this.#killed.has(name);
  }

  /** Starts a crashed member again with a higher incarnation, as a restarted process would. */
  async restart(name: string): Promise<Member> {
    if (!this.#killed.has(name)) throw new Error(`${name} is running; kill it first`);
    this.#killed.delete(name);
    this.#restarts++;
    // A restarted process knows every other member's address (as a speaker does from the API server).
    const m = this.#build(
      name,
      this.names.filter((n) => n !== name && this.isLive(n)).map((n) => this.addressOf(n)),
    );
    await m.start();
    return m;
  }

  /** Live members (not killed). */
  live(): Member[] {
    return [...this.members.values()].filter((m) => !this.#killed.has(m.name));
  }

  /** True when every live member sees exactly the live members as alive or suspect. */
  converged(): boolean {
    const live = new Set(this.live().map((m) => m.name));
    for (const m of this.live()) {
      const seen = m.members().filter((v) => v.status === 'alive' || v.status === 'suspect');
      if (seen.length !== live.size) return false;
      for (const v of seen) if (!live.has(v.name)) return false;
    }
    return true;
  }

  /** True when every live member computes the same owner for every IP. */
  ownersAgree(): boolean {
    const ips = this.#ips.map((e) => e.ip);
    let ref: Map<string, { owner: string | undefined }> | undefined;
    for (const m of this.live()) {
      const o = m.ownersFor(ips);
      if (ref === undefined) ref = o;
      else for (const ip of ips) if (o.get(ip)?.owner !== ref.get(ip)?.owner) return false;
    }
    return true;
  }
}
