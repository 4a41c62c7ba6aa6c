import type { ChildProcess } from 'node:child_process';
import { chown, stat, writeFile } from 'node:fs/promises';
import { run } from '../lab.js';
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
 * FRR in a namespace (Debian 12's frr 8.4): `zebra` and `bgpd` started directly as the frr user, with their own
 * config, pid files, zserv socket and vty socket directory, queried with `vtysh --vty_socket DIR -d bgpd`.
 * No watchfrr or frrinit is needed, and nothing touches /etc/frr or /run/frr.
 */
export class FrrPeer extends DaemonPeer implements RealBgpPeer {
  readonly implementation = 'frr';
  readonly init: PeerInit;
  #zebra: ChildProcess | undefined;

  constructor(ns: Netns, init: PeerInit) {
    super(ns);
    this.init = init;
  }

  protected override async cleanup(): Promise<void> {
    const z = this.#zebra;
    if (z === undefined || z.pid === undefined || z.exitCode !== null || z.signalCode !== null) return;
    const exited = new Promise<void>((r) => z.once('exit', () => r()));
    try {
      process.kill(-z.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000).unref())]);
    try {
      process.kill(-z.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** The bgpd config text. */
  config(): string {
    const lines = [
      'frr defaults traditional',
      'hostname lbk-frr',
      'log stdout informational',
      `router bgp ${this.init.asn}`,
    ];
    lines.push(
      ` bgp router-id ${this.init.routerId}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp network import-check',
      ' no bgp default ipv4-unicast',
    );
    for (const n of this.init.neighbors) {
      lines.push(
        ` neighbor ${n.address} remote-as ${n.asn}`,
        ` neighbor ${n.address} timers 30 ${n.holdTime ?? 90}`,
        ` neighbor ${n.address} timers connect 1`,
      );
      if (n.passive === true) lines.push(` neighbor ${n.address} passive`);
      if (n.localAddress !== undefined) lines.push(` neighbor ${n.address} update-source ${n.localAddress}`);
    }
    for (const fam of ['ipv4', 'ipv6'] as const) {
      lines.push(` address-family ${fam} unicast`);
      for (const n of this.init.neighbors)
        if (neighborFamilies(n).includes(fam)) lines.push(`  neighbor ${n.address} activate`);
      for (const r of this.init.routes ?? [])
        if (r.prefix.includes(':') === (fam === 'ipv6')) lines.push(`  ${networkLine(r)}`);
      lines.push(' exit-address-family');
    }
    lines.push('exit');
    for (const r of this.init.routes ?? []) lines.push(...routeMap(r));
    return `${lines.join('\n')}\n`;
  }

  async start(): Promise<void> {
    await this.makeDir('frr');
    await writeFile(join(this.dir, 'bgpd.conf'), this.config());
    const zsock = join(this.dir, 'zserv.api');
    // zebra tells bgpd about interfaces, which it needs to use an IPv6 link-local next hop (RFC 2545 §3).
    await writeFile(join(this.dir, 'zebra.conf'), 'hostname lbk-zebra\n');
    // The daemons run as the frr user, as the Debian package sets them up; their directory must be its own.
    const uid = Number((await run('id', ['-u', 'frr'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'frr'])).stdout.trim());
    for (const f of ['', 'bgpd.conf', 'zebra.conf']) await chown(join(this.dir, f), uid, gid);
    const user = ['-u', 'frr', '-g', 'frr'];
    this.#zebra = this.ns.spawn('/usr/lib/frr/zebra', [
      '-f',
      join(this.dir, 'zebra.conf'),
      '-i',
      join(this.dir, 'zebra.pid'),
      '-z',
      zsock,
      '--vty_socket',
      this.dir,
      ...user,
      '-P',
      '0',
    ]);
    await waitFor(
      'the zebra socket',
      async () => (await stat(zsock).catch(() => undefined)) !== undefined,
      15_000,
      100,
    );
    const args = [
      '-f',
      join(this.dir, 'bgpd.conf'),
      '-i',
      join(this.dir, 'bgpd.pid'),
      '-z',
      zsock,
      '--vty_socket',
      this.dir,
      ...user,
      '-P',
      '0',
    ];
    if (this.init.listen === false) args.push('-p', '0');
    this.launch('/usr/lib/frr/bgpd', args);
    await waitFor(
      'the bgpd vty socket',
      async () => (await this.vtysh(['show bgp summary json'])).includes('{'),
      15_000,
    );
  }

  /** Runs vtysh commands (`-c` each) against this bgpd. */
  async vtysh(commands: readonly string[]): Promise<string> {
    const r = await this.ns.exec(
      'vtysh',
      ['--vty_socket', this.dir, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])],
      { timeoutMs: 15_000 },
    );
    return r.stdout;
  }

  async waitEstablished(neighbor: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `FRR neighbour ${neighbor} Established`,
      async () => {
        const j = JSON.parse(await this.vtysh([`show bgp neighbors ${neighbor} json`])) as Record<
          string,
          { bgpState?: string }
        >;
        return j[neighbor]?.bgpState === 'Established';
      },
      timeoutMs,
    );
  }

  async version(): Promise<string> {
    const r = await this.ns.exec('/usr/lib/frr/bgpd', ['--version'], { allowFail: true });
    return (r.stdout.split('\n')[0] ?? '').trim();
  }

  async routes(family: 4 | 6): Promise<PeerRoute[]> {
    const afi = family === 4 ? 'ipv4' : 'ipv6';
    const table = JSON.parse(await this.vtysh([`show bgp ${afi} unicast json`])) as {
      routes?: Record<string, unknown[]>;
    };
    const out: PeerRoute[] = [];
    for (const prefix of Object.keys(table.routes ?? {})) {
      const detail = JSON.parse(await this.vtysh([`show bgp ${afi} unicast ${prefix} json`])) as { paths?: FrrPath[] };
      for (const p of detail.paths ?? []) out.push(parseFrrPath(prefix, p));
    }
    return out;
  }

  async #configure(afi: 'ipv4' | 'ipv6', lines: readonly string[], before: readonly string[] = []): Promise<void> {
    await this.vtysh([
      'configure terminal',
      ...before,
      `router bgp ${this.init.asn}`,
      `address-family ${afi} unicast`,
      ...lines,
      'end',
    ]);
  }

  async announce(route: PeerRouteSpec): Promise<void> {
    await this.#configure(route.prefix.includes(':') ? 'ipv6' : 'ipv4', [networkLine(route)], routeMap(route));
  }

  async withdraw(prefix: string): Promise<void> {
    await this.#configure(prefix.includes(':') ? 'ipv6' : 'ipv4', [`no network ${prefix}`]);
  }

  async refreshFrom(neighbor: string): Promise<void> {
    await this.vtysh([`clear bgp ${neighbor} soft in`]);
  }

  async shutdownNeighbor(neighbor: string, message: string): Promise<void> {
    await this.vtysh([
      'configure terminal',
      `router bgp ${this.init.asn}`,
      `neighbor ${neighbor} shutdown message ${message}`,
      'end',
    ]);
  }
}

function mapName(r: PeerRouteSpec): string {
  return `LBK-${r.prefix.replace(/[^0-9a-f]/gi, '-')}`;
}

function hasSets(r: PeerRouteSpec): boolean {
  return (r.communities ?? []).length > 0 || (r.largeCommunities ?? []).length > 0 || r.med !== undefined;
}

function networkLine(r: PeerRouteSpec): string {
  return hasSets(r) ? `network ${r.prefix} route-map ${mapName(r)}` : `network ${r.prefix}`;
}

function routeMap(r: PeerRouteSpec): string[] {
  if (!hasSets(r)) return [];
  const lines = [`route-map ${mapName(r)} permit 10`];
  if ((r.communities ?? []).length > 0) lines.push(` set community ${r.communities!.join(' ')}`);
  if ((r.largeCommunities ?? []).length > 0) lines.push(` set large-community ${r.largeCommunities!.join(' ')}`);
  if (r.med !== undefined) lines.push(` set metric ${r.med}`);
  lines.push('exit');
  return lines;
}

interface FrrPath {
  aspath?: { string?: string; segments?: { list?: number[] }[] };
  community?: { string?: string };
  largeCommunity?: { string?: string };
  nexthops?: { ip?: string }[];
}

function parseFrrPath(prefix: string, p: FrrPath): PeerRoute {
  const asText = p.aspath?.string ?? '';
  return {
    prefix,
    nextHop: p.nexthops?.[0]?.ip ?? '',
    asPath: asText.match(/\d+/g)?.map(Number) ?? [],
    communities: (p.community?.string ?? '').split(' ').filter((c) => /^\d+:\d+$/.test(c)),
    largeCommunities: (p.largeCommunity?.string ?? '').split(' ').filter((c) => c !== ''),
  };
}
