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
 * BIRD 2 in a namespace: `bird -f` with its own config and control socket, queried with `birdc`. Neighbour i
 * is the protocol `n<i>`. Routes are static blackhole routes; their communities are set by the export filter.
 */
export class BirdPeer extends DaemonPeer implements RealBgpPeer {
  readonly implementation = 'bird';
  readonly init: PeerInit;
  #routes: PeerRouteSpec[];

  constructor(ns: Netns, init: PeerInit) {
    super(ns);
    this.init = init;
    this.#routes = [...(init.routes ?? [])];
  }

  get socket(): string {
    return join(this.dir, 'bird.ctl');
  }

  /** The config text BIRD runs with. */
  config(): string {
    const lines = [`router id ${this.init.routerId};`, 'protocol device {}'];
    const v4 = this.#routes.filter((r) => !r.prefix.includes(':'));
    const v6 = this.#routes.filter((r) => r.prefix.includes(':'));
    lines.push(`protocol static static4 { ipv4; ${v4.map((r) => `route ${r.prefix} blackhole;`).join(' ')} }`);
    lines.push(`protocol static static6 { ipv6; ${v6.map((r) => `route ${r.prefix} blackhole;`).join(' ')} }`);
    const sets = this.#routes
      .map((r) => {
        const acts = [
          ...(r.communities ?? []).map((c) => `bgp_community.add((${c.replace(':', ',')}));`),
          ...(r.largeCommunities ?? []).map((c) => `bgp_large_community.add((${c.split(':').join(',')}));`),
          ...(r.med === undefined ? [] : [`bgp_med = ${r.med};`]),
        ];
        return acts.length === 0 ? '' : `  if net = ${r.prefix} then { ${acts.join(' ')} }`;
      })
      .filter((s) => s !== '');
    lines.push(`filter lbk_export {\n  if proto !~ "static*" then reject;\n${sets.join('\n')}\n  accept;\n}`);
    this.init.neighbors.forEach((n, i) => {
      const channels = neighborFamilies(n)
        .map(
          (f) =>
            `  ${f} { import all; export filter lbk_export;${f === 'ipv4' && n.address.includes(':') ? ' next hop self; extended next hop on;' : ''} };`,
        )
        .join('\n');
      lines.push(
        [
          `protocol bgp n${i} {`,
          `  local${n.localAddress === undefined ? '' : ` ${n.localAddress}`} as ${this.init.asn};`,
          `  neighbor ${n.address} as ${n.asn};`,
          `  hold time ${n.holdTime ?? 90};`,
          `  connect retry time 1;`,
          `  error wait time 1, 2;`,
          n.passive === true ? '  passive on;' : '',
          '  enable route refresh on;',
          '  graceful restart on;',
          channels,
          '}',
        ]
          .filter((l) => l !== '')
          .join('\n'),
      );
    });
    return `${lines.join('\n')}\n`;
  }

  async start(): Promise<void> {
    await this.makeDir('bird');
    await writeFile(join(this.dir, 'bird.conf'), this.config());
    const args = ['-c', join(this.dir, 'bird.conf'), '-s', this.socket, '-P', join(this.dir, 'bird.pid'), '-f'];
    this.launch('bird', args);
    await waitFor(
      'the BIRD control socket',
      async () => (await this.birdc(['show', 'status'])).includes('Daemon is up'),
      10_000,
    );
  }

  /** Runs a birdc command and returns its output. */
  async birdc(args: readonly string[]): Promise<string> {
    const r = await this.ns.exec('birdc', ['-s', this.socket, ...args], { timeoutMs: 10_000 });
    return r.stdout;
  }

  #protocol(neighbor: string): string {
    const i = this.init.neighbors.findIndex((n) => n.address === neighbor);
    if (i === -1) throw new Error(`BIRD has no neighbour ${neighbor}`);
    return `n${i}`;
  }

  async waitEstablished(neighbor: string, timeoutMs = 30_000): Promise<void> {
    const proto = this.#protocol(neighbor);
    await waitFor(
      `BIRD ${proto} Established`,
      async () => /BGP state:\s+Established/.test(await this.birdc(['show', 'protocols', 'all', proto])),
      timeoutMs,
    );
  }

  async version(): Promise<string> {
    const r = await this.ns.exec('bird', ['--version'], { allowFail: true });
    return (r.stderr + r.stdout).trim();
  }

  async routes(family: 4 | 6): Promise<PeerRoute[]> {
    const out = await this.birdc(['show', 'route', 'all', 'table', family === 4 ? 'master4' : 'master6']);
    return parseBirdRoutes(out);
  }

  async #reconfigure(): Promise<void> {
    await writeFile(join(this.dir, 'bird.conf'), this.config());
    const out = await this.birdc(['configure']);
    if (!/Reconfigur/i.test(out)) throw new Error(`birdc configure: ${out}`);
  }

  async announce(route: PeerRouteSpec): Promise<void> {
    this.#routes.push(route);
    await this.#reconfigure();
  }

  async withdraw(prefix: string): Promise<void> {
    this.#routes = this.#routes.filter((r) => r.prefix !== prefix);
    await this.#reconfigure();
  }

  async refreshFrom(neighbor: string): Promise<void> {
    await this.birdc(['reload', 'in', this.#protocol(neighbor)]);
  }

  async shutdownNeighbor(neighbor: string, message: string): Promise<void> {
    await this.birdc(['disable', this.#protocol(neighbor), JSON.stringify(message)]);
  }
}

/** Parses `birdc show route all` output into routes. */
export function parseBirdRoutes(text: string): PeerRoute[] {
  const routes: PeerRoute[] = [];
  let prefix = '';
  let cur:
    | { prefix: string; nextHop: string; asPath: number[]; communities: string[]; largeCommunities: string[] }
    | undefined;
  const flush = (): void => {
    if (cur !== undefined) routes.push(cur);
    cur = undefined;
  };
  for (const line of text.split('\n')) {
    const head = /^(\S+\/\d+)\s+\S+\s+\[/.exec(line);
    const alt = /^\s+(unicast|blackhole|unreachable|prohibit)\s+\[/.exec(line);
    if (head !== null) {
      flush();
      prefix = head[1]!;
      cur = { prefix, nextHop: '', asPath: [], communities: [], largeCommunities: [] };
      continue;
    }
    if (alt !== null && prefix !== '') {
      flush();
      cur = { prefix, nextHop: '', asPath: [], communities: [], largeCommunities: [] };
      continue;
    }
    if (cur === undefined) continue;
    const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (attr === null) continue;
    const [, name, value] = attr as unknown as [string, string, string];
    if (name === 'next_hop') cur.nextHop = value.split(' ')[0] ?? '';
    else if (name === 'as_path') cur.asPath = value.match(/\d+/g)?.map(Number) ?? [];
    else if (name === 'community')
      cur.communities = [...value.matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    else if (name === 'large_community')
      cur.largeCommunities = [...value.matchAll(/\((\d+), (\d+), (\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
  }
  flush();
  return routes;
}
