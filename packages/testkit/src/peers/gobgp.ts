import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Netns } from '../lab.js';
import {
  DaemonPeer,
  neighborFamilies,
  waitFor,
  type PeerInit,
  type PeerRoute,
  type PeerRouteSpec,
  type RealBgpPeer,
} from './peer.js';

/**
 * GoBGP in a namespace: `gobgpd -f conf.toml` with the gRPC API on the namespace's own loopback, driven and
 * queried with the `gobgp` CLI (`-j` for JSON). Routes are added to the global RIB after start.
 */
export class GobgpPeer extends DaemonPeer implements RealBgpPeer {
  readonly implementation = 'gobgp';
  readonly init: PeerInit;
  readonly apiPort: number;

  constructor(ns: Netns, init: PeerInit, options: { apiPort?: number } = {}) {
    super(ns);
    this.init = init;
    this.apiPort = options.apiPort ?? 50051;
  }

  /** The TOML config gobgpd runs with. */
  config(): string {
    const lines = ['[global.config]', `  as = ${this.init.asn}`, `  router-id = "${this.init.routerId}"`];
    if (this.init.listen === false) lines.push('  port = -1');
    for (const n of this.init.neighbors) {
      lines.push(
        '[[neighbors]]',
        '  [neighbors.config]',
        `    neighbor-address = "${n.address}"`,
        `    peer-as = ${n.asn}`,
      );
      lines.push('  [neighbors.timers.config]', `    hold-time = ${n.holdTime ?? 90}`, '    connect-retry = 1');
      lines.push('  [neighbors.transport.config]', `    passive-mode = ${n.passive === true}`);
      if (n.localAddress !== undefined) lines.push(`    local-address = "${n.localAddress}"`);
      lines.push('  [neighbors.graceful-restart.config]', '    enabled = true', '    restart-time = 120');
      for (const f of neighborFamilies(n)) {
        lines.push(
          '  [[neighbors.afi-safis]]',
          '    [neighbors.afi-safis.config]',
          `      afi-safi-name = "${f}-unicast"`,
        );
        lines.push('    [neighbors.afi-safis.mp-graceful-restart.config]', '      enabled = true');
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Runs the gobgp CLI against this daemon. */
  async gobgp(args: readonly string[]): Promise<string> {
    const r = await this.ns.exec('gobgp', ['-p', String(this.apiPort), ...args], { timeoutMs: 10_000 });
    return r.stdout;
  }

  async start(): Promise<void> {
    await this.makeDir('gobgp');
    await writeFile(join(this.dir, 'gobgpd.toml'), this.config());
    this.launch('gobgpd', [
      '-f',
      join(this.dir, 'gobgpd.toml'),
      '-t',
      'toml',
      '--api-hosts',
      `127.0.0.1:${this.apiPort}`,
      '--pprof-disable',
      '-p',
      '-l',
      'info',
    ]);
    await waitFor(
      'the gobgpd API',
      async () => {
        await this.gobgp(['global', '-j']);
        return true;
      },
      10_000,
    );
    for (const r of this.init.routes ?? []) await this.announce(r);
  }

  async waitEstablished(neighbor: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `GoBGP neighbour ${neighbor} Established`,
      async () => {
        const j = JSON.parse(await this.gobgp(['neighbor', neighbor, '-j'])) as { state?: { session_state?: unknown } };
        const s = j.state?.session_state;
        return s === 6 || (typeof s === 'string' && s.toUpperCase().includes('ESTABLISHED'));
      },
      timeoutMs,
    );
  }

  async version(): Promise<string> {
    const r = await this.ns.exec('gobgpd', ['--version'], { allowFail: true });
    return (r.stdout + r.stderr).trim();
  }

  async routes(family: 4 | 6): Promise<PeerRoute[]> {
    const out = await this.gobgp(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', '-j']);
    return parseGobgpRib(out === '' ? '{}' : out);
  }

  async announce(route: PeerRouteSpec): Promise<void> {
    const family = route.prefix.includes(':') ? 'ipv6' : 'ipv4';
    const args = ['global', 'rib', 'add', '-a', family, route.prefix];
    if ((route.communities ?? []).length > 0) args.push('community', route.communities!.join(','));
    if ((route.largeCommunities ?? []).length > 0) args.push('large-community', route.largeCommunities!.join(','));
    if (route.med !== undefined) args.push('med', String(route.med));
    await this.gobgp(args);
  }

  async withdraw(prefix: string): Promise<void> {
    await this.gobgp(['global', 'rib', 'del', '-a', prefix.includes(':') ? 'ipv6' : 'ipv4', prefix]);
  }

  async refreshFrom(neighbor: string): Promise<void> {
    await this.gobgp(['neighbor', neighbor, 'softresetin']);
  }

  async shutdownNeighbor(neighbor: string, message: string): Promise<void> {
    await this.gobgp(['neighbor', neighbor, 'shutdown', '--reason', message]);
  }
}

interface GobgpAttr {
  type: number;
  value?: unknown;
  nexthop?: string;
  as_paths?: { asns?: number[] }[];
  communities?: number[];
}

/** Parses `gobgp global rib -j` output. */
export function parseGobgpRib(json: string): PeerRoute[] {
  const data = JSON.parse(json) as Record<string, { nlri?: { prefix?: string }; attrs?: GobgpAttr[] }[]>;
  const out: PeerRoute[] = [];
  for (const [prefix, paths] of Object.entries(data)) {
    for (const p of paths) {
      const attrs = p.attrs ?? [];
      let nextHop = '';
      let asPath: number[] = [];
      let communities: string[] = [];
      let largeCommunities: string[] = [];
      for (const a of attrs) {
        if (a.type === 3 && typeof a.nexthop === 'string') nextHop = a.nexthop;
        if (a.type === 14 && typeof a.nexthop === 'string' && nextHop === '') nextHop = a.nexthop;
        if (a.type === 2) asPath = (a.as_paths ?? []).flatMap((s) => s.asns ?? []);
        if (a.type === 8) communities = (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`);
        if (a.type === 32 && Array.isArray(a.value)) {
          largeCommunities = (a.value as { ASN?: number; LocalData1?: number; LocalData2?: number }[]).map(
            (v) => `${v.ASN ?? 0}:${v.LocalData1 ?? 0}:${v.LocalData2 ?? 0}`,
          );
        }
      }
      out.push({ prefix: p.nlri?.prefix ?? prefix, nextHop, asPath, communities, largeCommunities });
    }
  }
  return out;
}
