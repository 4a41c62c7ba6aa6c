// The reference lab for BGP: three node namespaces running `lbkit speaker` (standalone) and a router namespace
// running BIRD 2 on one bridge, the controller in-process. Everything is checked in BIRD's own tables (read
// over its control socket): ECMP from the three nodes, `externalTrafficPolicy: Local`, communities, large
// communities and LOCAL_PREF, IPv6, and how fast a dead node's routes leave the router (TCP close on SIGKILL,
// BFD on a cut link).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { silentLogger } from '@lbkit/core';
import { Lab, privilegedSkipWith, type Netns } from '@lbkit/testkit';
import { startSpeaker, until } from './speakers.js';
import { StandaloneController } from '../../src/controller/standalone.js';
import { readState } from '../../src/standalone/state-file.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/lab-bgp/${name}`, import.meta.url));
/** The controller and the speakers read the same objects. */
const FILES = [fixture('pool.yaml'), fixture('bgp.yaml'), fixture('cluster.yaml')];
const NODES = ['node-a', 'node-b', 'node-c'] as const;
/** BFD detects in 3 × 100 ms; the bound leaves room for a loaded 2-core machine (BIRD, three speakers, tsx). */
const WITHDRAW_BOUND_MS = 1500;

/** One route of a `show route all` reply. */
interface BirdRoute {
  prefix: string;
  protocol: string;
  via: string;
  communities: string[];
  largeCommunities: string[];
  localPref: number | undefined;
}

/** A persistent connection to BIRD's control socket: one command at a time, the reply as text lines. */
class BirdControl {
  readonly #sock: Socket;
  #buf = '';
  #waiter: ((line: string) => void) | undefined;
  readonly #lines: string[] = [];

  private constructor(sock: Socket) {
    this.#sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.#buf += d;
      let i: number;
      while ((i = this.#buf.indexOf('\n')) !== -1) {
        this.#lines.push(this.#buf.slice(0, i));
        this.#buf = this.#buf.slice(i + 1);
      }
      this.#waiter?.('');
    });
  }

  static async connect(path: string): Promise<BirdControl> {
    const sock = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const c = new BirdControl(sock);
    await c.#reply(); // the greeting
    return c;
  }

  async #nextLine(): Promise<string> {
    for (;;) {
      const l = this.#lines.shift();
      if (l !== undefined) return l;
      await new Promise<string>((r) => (this.#waiter = r));
    }
  }

  async #reply(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const line = await this.#nextLine();
      if (/^\d{4} /.test(line)) {
        if (line.length > 5) out.push(line.slice(5));
        return out;
      }
      out.push(/^\d{4}-/.test(line) ? line.slice(5) : line.slice(1));
    }
  }

  async command(cmd: string): Promise<string[]> {
    this.#sock.write(`${cmd}\n`);
    return this.#reply();
  }

  async routes(table: string, prefix: string): Promise<BirdRoute[]> {
    const routes: BirdRoute[] = [];
    let net = '';
    for (const line of await this.command(`show route all for ${prefix} table ${table}`)) {
      const head = /^(\S+\/\d+)\s+\S+\s+\[(\S+)\s/.exec(line) ?? /^()\s+\S+\s+\[(\S+)\s/.exec(line);
      if (head !== null) {
        if (head[1] !== '') net = head[1]!;
        routes.push({
          prefix: net,
          protocol: head[2]!,
          via: '',
          communities: [],
          largeCommunities: [],
          localPref: undefined,
        });
        continue;
      }
      const cur = routes.at(-1);
      if (cur === undefined) continue;
      const via = /^\s+via (\S+)/.exec(line);
      if (via !== null) cur.via = via[1]!;
      const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
      if (attr === null) continue;
      const [, name, value] = attr as unknown as [string, string, string];
      if (name === 'community') cur.communities = [...value.matchAll(/\((\d+),(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
      else if (name === 'large_community')
        cur.largeCommunities = [...value.matchAll(/\((\d+), (\d+), (\d+)\)/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
      else if (name === 'local_pref') cur.localPref = Number(value);
    }
    return routes.filter(
      (r) => r.prefix === (prefix.includes('/') ? prefix : `${prefix}/${prefix.includes(':') ? 128 : 32}`),
    );
  }

  close(): void {
    this.#sock.destroy();
  }
}

const protocols = (routes: readonly BirdRoute[]): string =>
  routes
    .map((r) => r.protocol)
    .sort()
    .join(',');

t.test(
  'BGP: BIRD holds ECMP routes from every node with the advertised attributes; a dead node leaves at once',
  { skip: privilegedSkipWith('bird') },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'lbkit-bgp-e2e-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const state = join(dir, 'state.json');
    const controller = new StandaloneController(
      { namespace: 'metallb-system', loadBalancerClass: '', files: FILES, stateFile: state },
      { logger: silentLogger },
    );
    t.equal(controller.pass(), 4, 'the controller gives the four Services their addresses');
    const services = readState(state).services;
    const web = services['default/web']?.ips[0] ?? '';
    const web6 = services['default/web6']?.ips[0] ?? '';
    const local = services['default/local']?.ips[0] ?? '';
    t.ok(web !== '' && web6.includes(':') && local !== '', `addresses web ${web}, web6 ${web6}, local ${local}`);

    const lab = Lab.create({ tag: 'bgpe2e' }, t);
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const router = await lab.namespace('rtr');
    await lab.attach(router, 'eth0', sw, 'br0', 'pr', ['192.0.2.254/24', '192.0.2.253/24', '2001:db8::fe/64']);
    const nodes = new Map<string, { ns: Netns; addr: string; proc?: ChildProcess; log: string[] }>();
    for (const [i, name] of NODES.entries()) {
      const ns = await lab.namespace(name.replace('node-', 'n'));
      const addr = `192.0.2.${i + 1}`;
      await lab.attach(ns, 'eth0', sw, 'br0', `p${i}`, [`${addr}/24`, `2001:db8::${i + 1}/64`]);
      nodes.set(name, { ns, addr, log: [] });
      // node-a's second address is the source of its internal session (see bgp.yaml).
      if (name === 'node-a') await ns.addAddress('eth0', '192.0.2.11/24');
    }

    // BIRD first, so every speaker's first connection finds it listening.
    const sock = join(dir, 'bird.ctl');
    const birdLog: string[] = [];
    const bird = router.spawn('bird', ['-f', '-c', fixture('bird.conf'), '-s', sock, '-P', join(dir, 'bird.pid')]);
    bird.stderr?.on('data', (d: Buffer) => birdLog.push(...String(d).trim().split('\n')));
    const ctl = await until('the BIRD control socket', () => BirdControl.connect(sock), 10_000, 100);

    for (const name of NODES) {
      const n = nodes.get(name)!;
      const seeds = NODES.filter((x) => x !== name).map((x) => `${nodes.get(x)!.addr}:7946`);
      startSpeaker(n, { name, files: FILES, state, seeds });
    }
    // A speaker that dies on its own (a crash at start) fails the wait below at once, not after its timeout.
    const crashed = new Promise<never>((_, reject) => {
      for (const [name, n] of nodes)
        n.proc?.once('exit', (code, signal) => reject(new Error(`${name}'s speaker exited (${code ?? signal})`)));
    });
    crashed.catch(() => undefined);
    t.teardown(async () => {
      if (!t.passing()) {
        for (const [name, n] of nodes) t.comment(`--- ${name} ---\n${n.log.slice(-40).join('\n')}`);
        const protos = await ctl.command('show protocols').catch((err: unknown) => [String(err)]);
        t.comment(`--- bird ---\n${birdLog.slice(-60).join('\n')}\n${protos.join('\n')}`);
      }
      ctl.close();
    });

    // (1) ECMP: one route per node in BIRD's table, and the kernel protocol installs them as one multipath route.
    const webRoutes = await Promise.race([
      crashed,
      until(
        `routes to ${web} from the three nodes`,
        async () => {
          const r = await ctl.routes('master4', web);
          return protocols(r) === 'a4,b4,c4' ? r : undefined;
        },
        45_000,
        100,
      ),
    ]);
    t.same(
      webRoutes.map((r) => r.via).sort(),
      ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
      `BIRD has ${web}/32 from a4, b4 and c4 with each node as next hop`,
    );
    const fib = await until(
      `a multipath kernel route to ${web}`,
      async () => {
        const r = await router.ipJson<Array<{ nexthops?: Array<{ gateway: string }> }>>(['route', 'show', `${web}/32`]);
        const hops = (r[0]?.nexthops ?? []).map((h) => h.gateway).sort();
        return hops.length === 3 ? hops : undefined;
      },
      5_000,
      50,
    );
    t.same(fib, ['192.0.2.1', '192.0.2.2', '192.0.2.3'], 'BIRD merges the paths into one ECMP route in the FIB');

    // (2) externalTrafficPolicy: Local with the only endpoint on node-a: only node-a advertises it.
    const localRoutes = await until(
      `a route to ${local}`,
      async () => {
        const r = await ctl.routes('master4', local);
        return r.length > 0 ? r : undefined;
      },
      10_000,
      100,
    );
    // Every session is up and has sent the Cluster Service, so a Local announcement from b or c would be here.
    await new Promise((r) => setTimeout(r, 1000));
    t.equal(protocols(await ctl.routes('master4', local)), 'a4', `${local} (Local policy) comes from node-a only`);
    t.equal(localRoutes[0]?.via, '192.0.2.1', 'with node-a as next hop');

    // (3) Communities and large communities on every eBGP route; LOCAL_PREF over the internal session.
    for (const r of webRoutes) {
      t.same(r.communities.sort(), ['64512:100', '64512:200'], `${r.protocol}: communities arrive`);
      t.same(r.largeCommunities, ['64512:7:8'], `${r.protocol}: the large community arrives`);
    }
    const ibgp = await until(
      `${web} over the internal session`,
      async () => {
        const r = await ctl.routes('ibgp4', web);
        return r.length > 0 ? r : undefined;
      },
      10_000,
      100,
    );
    t.equal(ibgp[0]?.protocol, 'ia4', 'the internal session from node-a carries the route');
    t.equal(ibgp[0]?.localPref, 150, "with the advertisement's local preference 150");

    // (4) IPv6: the IPv6 Service over the IPv6 sessions, ECMP too.
    const v6Routes = await until(
      `routes to ${web6} from the three nodes`,
      async () => {
        const r = await ctl.routes('master6', web6);
        return protocols(r) === 'a6,b6,c6' ? r : undefined;
      },
      20_000,
      100,
    );
    t.same(
      v6Routes.map((r) => r.via).sort(),
      ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
      `BIRD has ${web6}/128 from the three nodes over IPv6`,
    );
    t.same(v6Routes[0]?.communities.sort(), ['64512:100', '64512:200'], 'with the communities');

    // (4b) Dual-stack: one Service, an address of each family, each over its own family's sessions.
    const dual = readState(state).services['default/dual']?.ips ?? [];
    t.equal(dual.length, 2, `the dual-stack Service has ${dual.join(' and ')}`);
    const [dual4, dual6] = dual as [string, string];
    const dualRoutes = await until(
      `routes to ${dual4} and ${dual6} from the three nodes`,
      async () => {
        const [r4, r6] = [await ctl.routes('master4', dual4), await ctl.routes('master6', dual6)];
        return protocols(r4) === 'a4,b4,c4' && protocols(r6) === 'a6,b6,c6' ? [r4, r6] : undefined;
      },
      20_000,
      100,
    );
    t.same(
      dualRoutes.map((rs) => rs.map((r) => r.via).sort()),
      [
        ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
        ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
      ],
      `BIRD has ${dual4}/32 over IPv4 and ${dual6}/128 over IPv6 from every node`,
    );

    // (5a) SIGKILL of node-b's speaker: the kernel closes its TCP session, BIRD withdraws at once.
    const killedAt = Date.now();
    nodes.get('node-b')!.proc?.kill('SIGKILL');
    await until(
      `b4's route to ${web} to leave BIRD`,
      async () => {
        const r = await ctl.routes('master4', web);
        return r.some((x) => x.protocol === 'b4') ? undefined : true;
      },
      10_000,
    );
    const killMs = Date.now() - killedAt;
    t.comment(`SIGKILL of node-b's speaker to its route leaving BIRD: ${killMs} ms`);
    t.ok(killMs < WITHDRAW_BOUND_MS, `node-b's route leaves within ${WITHDRAW_BOUND_MS} ms (${killMs} ms)`);
    t.equal(protocols(await ctl.routes('master4', web)), 'a4,c4', 'node-a and node-c still advertise');
    await until(
      `b6's route to ${web6} to leave BIRD`,
      async () => {
        const r = await ctl.routes('master6', web6);
        return r.some((x) => x.protocol === 'b6') ? undefined : true;
      },
      5_000,
    );
    t.equal(protocols(await ctl.routes('master6', web6)), 'a6,c6', 'its IPv6 route leaves too');

    // (5b) node-c's link cut: nothing reaches BIRD, so only BFD (100 ms × 3) can tell it.
    await until(
      "BIRD's BFD session with node-c to be up",
      async () =>
        (await ctl.command('show bfd sessions')).some((l) => /192\.0\.2\.3\s.*\bUp\b/.test(l)) ? true : undefined,
      15_000,
      100,
    );
    const cutAt = Date.now();
    await nodes.get('node-c')!.ns.exec('ip', ['link', 'set', 'eth0', 'down']);
    await until(
      `c4's route to ${web} to leave BIRD`,
      async () => {
        const r = await ctl.routes('master4', web);
        return r.some((x) => x.protocol === 'c4') ? undefined : true;
      },
      10_000,
    );
    const cutMs = Date.now() - cutAt;
    t.comment(`link cut on node-c to its route leaving BIRD (BFD 3 × 100 ms): ${cutMs} ms`);
    t.ok(cutMs < WITHDRAW_BOUND_MS, `node-c's route leaves within ${WITHDRAW_BOUND_MS} ms (${cutMs} ms)`);
    t.ok(cutMs >= 200, `and not before BFD could have detected it (${cutMs} ms ≥ 200 ms)`);
    t.equal(protocols(await ctl.routes('master4', web)), 'a4', 'node-a alone advertises now');
  },
);
