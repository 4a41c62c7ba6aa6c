import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Netns } from '../lab.js';

/** A BGP neighbour of a real peer daemon. */
export interface PeerNeighbor {
  /** The neighbour's address (IPv4 or IPv6, no prefix length). */
  readonly address: string;
  /** The neighbour's AS. */
  readonly asn: number;
  /** Families to negotiate; defaults to the neighbour address's own family. */
  readonly families?: readonly ('ipv4' | 'ipv6')[];
  /** Only wait for the neighbour to connect. @default false */
  readonly passive?: boolean;
  /** Hold time in seconds. @default 90 */
  readonly holdTime?: number;
  /** Our source address for the session. */
  readonly localAddress?: string;
}

/** A route a peer originates. */
export interface PeerRouteSpec {
  /** CIDR text. */
  readonly prefix: string;
  /** Standard communities, `high:low`. */
  readonly communities?: readonly string[];
  /** Large communities, `global:local1:local2`. */
  readonly largeCommunities?: readonly string[];
  /** MULTI_EXIT_DISC. */
  readonly med?: number;
}

/** What every peer daemon helper is started with. */
export interface PeerInit {
  readonly asn: number;
  readonly routerId: string;
  readonly neighbors: readonly PeerNeighbor[];
  readonly routes?: readonly PeerRouteSpec[];
  /** Accept incoming sessions on port 179 (GoBGP and FRR honour false; BIRD listens while a session is configured). @default true */
  readonly listen?: boolean;
}

/** A route as a peer reports it, normalised across daemons. */
export interface PeerRoute {
  readonly prefix: string;
  readonly nextHop: string;
  /** AS numbers of the path, flattened in order (sets included). */
  readonly asPath: readonly number[];
  /** `high:low` text. */
  readonly communities: readonly string[];
  /** `global:local1:local2` text. */
  readonly largeCommunities: readonly string[];
}

/** The shape shared by the BIRD, GoBGP and FRR helpers. */
export interface RealBgpPeer {
  readonly implementation: 'bird' | 'gobgp' | 'frr';
  start(): Promise<void>;
  /** Resolves once the session with `neighbor` is Established; rejects after `timeoutMs`. */
  waitEstablished(neighbor: string, timeoutMs?: number): Promise<void>;
  /** Routes in the daemon's table of a family (learned and originated). */
  routes(family: 4 | 6): Promise<PeerRoute[]>;
  /** The daemon's version string. */
  version(): Promise<string>;
  /** Starts announcing one more route. */
  announce(route: PeerRouteSpec): Promise<void>;
  /** Stops announcing a route. */
  withdraw(prefix: string): Promise<void>;
  /** Asks the neighbour to resend its routes (ROUTE-REFRESH, RFC 2918). */
  refreshFrom(neighbor: string): Promise<void>;
  /** Shuts the session down with an RFC 9003 shutdown communication. */
  shutdownNeighbor(neighbor: string, message: string): Promise<void>;
  /** Stops the daemon and removes its files; safe to call twice. */
  stop(): Promise<void>;
}

/** Families of a neighbour, defaulted from its address. */
export function neighborFamilies(n: PeerNeighbor): readonly ('ipv4' | 'ipv6')[] {
  return n.families ?? [n.address.includes(':') ? 'ipv6' : 'ipv4'];
}

/** Polls `probe` until it returns true. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Base of the helpers: a temporary directory and one long-running daemon process in a namespace. */
export abstract class DaemonPeer {
  protected readonly ns: Netns;
  protected dir = '';
  protected child: ChildProcess | undefined;
  protected output = '';
  #stopped = false;

  constructor(ns: Netns) {
    this.ns = ns;
  }

  protected async makeDir(prefix: string): Promise<string> {
    this.dir = await mkdtemp(join(tmpdir(), `lbk-${prefix}-`));
    return this.dir;
  }

  protected launch(cmd: string, args: readonly string[]): ChildProcess {
    const child = this.ns.spawn(cmd, args);
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.child = child;
    return child;
  }

  /** The last lines the daemon printed, for failure messages. */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3_000).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await exited;
      }
    }
    await this.cleanup();
    if (this.dir !== '') await rm(this.dir, { recursive: true, force: true });
  }

  /** Extra cleanup a daemon needs (pid files it left elsewhere, …). */
  protected async cleanup(): Promise<void> {}
}
