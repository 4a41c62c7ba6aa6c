import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realClock } from '@lbkit/core';
import { chooseOwner } from '@lbkit/election';
import { Lab, hasProgram, parseBirdRoutes, type Netns } from '@lbkit/testkit';
import type { Output } from '../commands/output.js';
import { birdConfig, birdProtocol, parseBirdProtocols } from './bird.js';
import { DEMO_BGP_SERVICE, DEMO_NODES, DEMO_SERVICE, HTTP_PORT, ROUTER_V4 } from './config.js';
import { allocate, type DemoOptions, type DemoSummary } from './loopback.js';
import { formatMs, formatTable } from './table.js';
import type { DemoWorkdir } from './workdir.js';

/** The `lbkit` entry point the speakers run: this build's own (the TypeScript source under tests). */
const CLI = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../cli.ts' : '../cli.js', import.meta.url));

/** Why the lab cannot run here, or undefined when it can. */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0)
    return 'not root: network namespaces and raw sockets need root (or CAP_NET_ADMIN and CAP_NET_RAW)';
  if (!hasProgram('ip')) return 'the ip program is missing (Debian package iproute2)';
  if (!hasProgram('sysctl')) return 'the sysctl program is missing (Debian package procps)';
  return undefined;
}

/** A tiny HTTP server answering every request with the node's name; run with `node -e`. */
const HTTP_SERVER = `const name = process.argv[1];
require('node:http').createServer((q, s) => { s.setHeader('connection', 'close'); s.end(name + '\\n'); })
  .listen(${HTTP_PORT}, '::');`;

/** Fetches a URL n times, each on a fresh connection, printing the answers as JSON; run with `node -e`. */
const HTTP_FETCH = `const [url, n] = process.argv.slice(1);
const http = require('node:http');
(async () => {
  const out = [];
  for (let i = 0; i < Number(n); i++)
    out.push(await new Promise((resolve) => {
      const q = http.get(url, { agent: false, timeout: 1000 }, (s) => {
        let b = ''; s.on('data', (d) => (b += d)); s.on('end', () => resolve(b.trim()));
      });
      q.on('timeout', () => q.destroy(new Error('timeout')));
      q.on('error', (e) => resolve('error: ' + (e.code ?? e.message)));
    }));
  console.log(JSON.stringify(out));
})();`;

interface DemoNode {
  readonly name: string;
  readonly ns: Netns;
  readonly addr: string;
  readonly addr6: string;
  readonly mac: string;
  speaker?: ChildProcess;
  readonly log: string[];
}

/** One row of timings for the table. */
type Timings = Map<string, string>;

/**
 * The whole demonstration in a network-namespace lab built with the project's test kit. Every namespace and
 * process it starts belongs to the {@link Lab}, which removes them when the demo ends, fails or is interrupted.
 */
export async function runLabDemo(options: DemoOptions, work: DemoWorkdir, io: Output): Promise<DemoSummary> {
  const pause = (): Promise<void> => realClock.sleep(options.paceMs);
  const timings: Timings = new Map();
  const hasBird = hasProgram('bird') && hasProgram('birdc');
  const hasPing = hasProgram('ping');
  io.out('Mode: network-namespace lab (root).');
  if (!hasBird) io.out('BGP part skipped: BIRD 2 is not installed (Debian package bird2).');
  if (!hasPing) io.out('ping checks skipped: the ping program is missing (Debian package iputils-ping).');

  io.out('\nStep 1. Allocation');
  const addresses = allocate(work, io);
  const ips = addresses.get(DEMO_SERVICE) ?? [];
  const bgpIps = addresses.get(DEMO_BGP_SERVICE) ?? [];
  const v4 = ips.find((ip) => !ip.includes(':'));
  const v6 = ips.find((ip) => ip.includes(':'));
  const bgpVip = bgpIps[0];
  if (v4 === undefined || v6 === undefined || bgpVip === undefined) {
    io.out('The built-in Services did not get their addresses; nothing to announce. Stopping here.');
    return { addresses };
  }
  await pause();

  const lab = Lab.create({ tag: 'demo' });
  try {
    io.out('\nStep 2. The lab');
    const t0 = realClock.now();
    const sw = await lab.namespace('lan');
    await lab.bridge(sw, 'br0');
    const nodes: DemoNode[] = [];
    for (const [i, name] of DEMO_NODES.entries()) {
      const ns = await lab.namespace(name.replace('node-', 'n'));
      const addr = `192.0.2.${i + 1}`;
      const addr6 = `2001:db8::${i + 1}`;
      await lab.attach(ns, 'eth0', sw, 'br0', `p${i}`, [`${addr}/24`, `${addr6}/64`]);
      // The Service addresses are local on every node (kube-proxy's job in a cluster), but the kernel must not
      // answer ARP for them: only the speaker that owns an address does.
      await ns.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);
      for (const ip of [v4, bgpVip]) await ns.exec('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
      await ns.exec('ip', ['-6', 'addr', 'add', `${v6}/128`, 'dev', 'lo']);
      await ns.exec('ip', ['route', 'add', '198.51.100.0/24', 'via', ROUTER_V4]);
      ns.spawn(process.execPath, ['-e', HTTP_SERVER, name], { stdio: 'ignore' });
      nodes.push({ name, ns, addr, addr6, mac: await ns.mac('eth0'), log: [] });
    }
    const client = await lab.namespace('client');
    await lab.attach(client, 'eth0', sw, 'br0', 'pc', ['192.0.2.50/24', '2001:db8::50/64']);
    let router: Netns | undefined;
    let outside: Netns | undefined;
    const birdSocket = join(work.dir, 'bird.ctl');
    if (hasBird) {
      router = await lab.namespace('router');
      await lab.attach(router, 'eth0', sw, 'br0', 'pr', [`${ROUTER_V4}/24`]);
      outside = await lab.namespace('outside');
      await lab.link(router, 'eth1', outside, 'eth0', { addressA: '198.51.100.1/24', addressB: '198.51.100.2/24' });
      await outside.exec('ip', ['route', 'add', 'default', 'via', '198.51.100.1']);
      await router.enableForwarding();
      // Hash flows on ports too, so connections from one client spread over the ECMP next hops.
      await router.exec('sysctl', ['-qw', 'net.ipv4.fib_multipath_hash_policy=1']);
      const conf = join(work.dir, 'bird.conf');
      writeFileSync(conf, birdConfig(new Map(nodes.map((n) => [n.name, n.addr]))));
      router.spawn('bird', ['-f', '-c', conf, '-s', birdSocket, '-P', join(work.dir, 'bird.pid')], {
        stdio: 'ignore',
      });
    }
    const birdc = async (args: readonly string[]): Promise<string> =>
      router === undefined ? '' : (await router.exec('birdc', ['-s', birdSocket, ...args], { allowFail: true })).stdout;

    const startSpeaker = (n: DemoNode): void => {
      const seeds = nodes.filter((x) => x !== n).map((x) => `${x.addr}:7946`);
      const proc = n.ns.node(CLI, [
        ...['speaker', '--standalone', '-f', work.config, '--state', work.state],
        ...['--node-name', n.name, '--ml-bindaddr', n.addr, '--ml-seeds', seeds.join(',')],
        ...['--ml-profile', 'aggressive', '--interfaces', '^eth0$', '--port', '0', '--log-level', 'warn'],
      ]);
      proc.stderr?.on('data', (d: Buffer) => n.log.push(...String(d).trim().split('\n')));
      n.speaker = proc;
    };
    const tSpeakers = realClock.now();
    for (const n of nodes) startSpeaker(n);
    timings.set('lab built', formatMs(realClock.now() - t0));
    io.out(
      formatTable(
        ['namespace', 'role', 'addresses'],
        [
          ...nodes.map((n) => [
            n.ns.name,
            `${n.name}: lbkit speaker --standalone, HTTP :${HTTP_PORT}`,
            `${n.addr}, ${n.addr6} (MAC ${n.mac})`,
          ]),
          [client.name, 'client on the LAN', '192.0.2.50, 2001:db8::50'],
          ...(router === undefined || outside === undefined
            ? []
            : [
                [router.name, 'router: BIRD 2, AS 64512, peers with each node', `${ROUTER_V4}, 198.51.100.1`],
                [outside.name, 'client behind the router', '198.51.100.2'],
              ]),
          [sw.name, 'the LAN switch (bridge br0)', ''],
        ],
      ),
    );
    io.out(`  built in ${timings.get('lab built')}; speakers started with the aggressive failure-detection profile`);
    await pause();

    // Who answers for an address: the node whose MAC the client's kernel resolved it to.
    const macToNode = (mac: string | undefined): DemoNode | undefined => nodes.find((n) => n.mac === mac);
    const neighbour = async (ip: string): Promise<DemoNode | undefined> => {
      const list = await client.ipJson<Array<{ lladdr?: string; state?: string[] }>>([
        ip.includes(':') ? '-6' : '-4',
        'neigh',
        'show',
        ip,
      ]);
      const e = list.find(
        (x) => x.lladdr !== undefined && !(x.state ?? []).some((s) => s === 'FAILED' || s === 'INCOMPLETE'),
      );
      return macToNode(e?.lladdr);
    };
    const ping = async (ns: Netns, ip: string): Promise<boolean> =>
      hasPing &&
      (await ns.exec('ping', [ip.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', ip], { allowFail: true })).code ===
        0;
    const fetch = async (ns: Netns, ip: string, n = 1): Promise<string[]> => {
      const url = `http://${ip.includes(':') ? `[${ip}]` : ip}:${HTTP_PORT}/`;
      const r = await ns.exec(process.execPath, ['-e', HTTP_FETCH, url, String(n)], {
        allowFail: true,
        timeoutMs: 20_000,
      });
      try {
        return JSON.parse(r.stdout) as string[];
      } catch {
        return [`error: ${r.stderr.trim().split('\n')[0] ?? 'no output'}`];
      }
    };

    io.out('\nStep 3. Layer 2: the client reaches the Service');
    // MetalLB's rule ranks the nodes by a hash of node and address; once the three speakers have joined, the
    // first of the ranking answers. (A speaker that starts alone answers at once, then hands over.)
    const expected = chooseOwner(v4, [...DEMO_NODES], {}).owner;
    const owner = await waitForAsync(30_000, async () => {
      await ping(client, v4);
      if (!hasPing) await fetch(client, v4);
      const who = await neighbour(v4);
      return who !== undefined && who.name === expected ? who : undefined;
    });
    if (owner === undefined) {
      io.out(`  ${expected ?? 'no node'} did not answer for ${v4} within 30 s. Last speaker messages:`);
      for (const n of nodes) io.out(`  ${n.name}: ${n.log.slice(-5).join('\n    ') || '(none)'}`);
      return { addresses };
    }
    timings.set('owner answering (from speakers starting)', formatMs(realClock.now() - tSpeakers));
    io.out(
      `  ${v4} resolves to ${owner.mac}: ${owner.name} answers, first in MetalLB's ranking of ${DEMO_NODES.join(', ')} (the others stay silent)`,
    );
    if (hasPing) io.out(`  ping ${v4}: ${(await ping(client, v4)) ? 'reply' : 'no reply'}`);
    io.out(`  GET http://${v4}:${HTTP_PORT}/ -> answered by ${(await fetch(client, v4))[0]}`);
    await waitForAsync(10_000, async () => {
      await ping(client, v6);
      if (!hasPing) await fetch(client, v6);
      return (await neighbour(v6)) === owner ? true : undefined;
    });
    const owner6 = await neighbour(v6);
    io.out(
      `  ${v6} resolves to ${owner6?.mac ?? '(nothing)'}: ${owner6?.name ?? 'no node'} (NDP; the first address decides for both)`,
    );
    io.out(`  GET http://[${v6}]:${HTTP_PORT}/ -> answered by ${(await fetch(client, v6))[0]}`);
    await pause();

    const bgpState = async (): Promise<Map<string, string>> => parseBirdProtocols(await birdc(['show', 'protocols']));
    const bgpNextHops = async (): Promise<string[]> =>
      parseBirdRoutes(await birdc(['show', 'route', `${bgpVip}/32`, 'all']))
        .map((r) => r.nextHop)
        .sort();
    const nodeOfHop = (hop: string): string => nodes.find((n) => n.addr === hop)?.name ?? hop;
    if (router !== undefined && outside !== undefined) {
      io.out('\nStep 4. BGP: BIRD learns the BGP Service from every node');
      const hops = await waitForAsync(30_000, async () => {
        const h = await bgpNextHops();
        return h.length === nodes.length ? h : undefined;
      });
      if (hops === undefined) {
        io.out(`  BIRD did not hear ${bgpVip} from all three nodes within 30 s; sessions:`);
        for (const [p, s] of await bgpState()) io.out(`    ${p}: ${s}`);
      } else {
        timings.set('ECMP routes at BIRD (from speakers starting)', formatMs(realClock.now() - tSpeakers));
        io.out(`  birdc show route ${bgpVip}/32: next hops ${hops.map((h) => `${h} (${nodeOfHop(h)})`).join(', ')}`);
        const kernel = await router.exec('ip', ['route', 'show', `${bgpVip}/32`], { allowFail: true });
        io.out(`  the router's kernel (ECMP, BIRD merge paths):\n${indent(kernel.stdout.trim(), 4)}`);
        const answers = await fetch(outside, bgpVip, 12);
        io.out(`  12 connections from 198.51.100.2 to ${bgpVip}:${HTTP_PORT} answered by: ${countOf(answers)}`);
      }
      await pause();
    }

    const table = async (): Promise<string> => {
      const o4 = await neighbour(v4);
      const sessions = await bgpState();
      const hops = await bgpNextHops();
      const rows = [
        [DEMO_SERVICE, `${v4}, ${v6}`, 'layer 2', o4?.name ?? '-'],
        [
          DEMO_BGP_SERVICE,
          bgpVip,
          'BGP',
          router === undefined ? '(BGP skipped)' : hops.map(nodeOfHop).join(', ') || '-',
        ],
      ];
      const lines = [formatTable(['service', 'addresses', 'mode', 'announced by'], rows)];
      if (router !== undefined)
        lines.push(
          `  BGP sessions at BIRD: ${nodes.map((n) => `${n.name} ${sessions.get(birdProtocol(n.name)) ?? '?'}`).join(', ')}`,
        );
      lines.push(`  timings:\n${[...timings].map(([k, v]) => `    ${k}: ${v}`).join('\n')}`);
      return lines.join('\n');
    };
    io.out('\nState');
    io.out(await table());
    await pause();

    const current = (await neighbour(v4)) ?? owner;
    if (current !== owner) io.out(`\n(${v4} moved to ${current.name} meanwhile)`);
    io.out(`\nStep 5. Failover: SIGKILL of ${current.name}'s speaker (the owner of ${v4})`);
    const killedAt = realClock.now();
    current.speaker?.kill('SIGKILL');
    const [moved, bgpMs] = await Promise.all([
      waitForAsync(
        15_000,
        async () => {
          const who = await neighbour(v4);
          return who !== undefined && who !== current ? { who, ms: realClock.now() - killedAt } : undefined;
        },
        5,
      ),
      router === undefined
        ? Promise.resolve(undefined)
        : waitForAsync(
            15_000,
            async () => {
              const hops = await bgpNextHops();
              return hops.length > 0 && !hops.includes(current.addr) ? realClock.now() - killedAt : undefined;
            },
            20,
          ),
    ]);
    let summaryMove: DemoSummary['moved'];
    if (moved === undefined) {
      io.out(`  ${v4} did not move within 15 s`);
    } else {
      summaryMove = { from: current.name, to: moved.who.name, ms: moved.ms };
      timings.set('layer 2 failover (from SIGKILL)', formatMs(moved.ms));
      io.out(
        `  ${v4} moved: ${current.name} -> ${moved.who.name} in ${formatMs(moved.ms)} (SIGKILL to the client's neighbour entry changing)`,
      );
      io.out(`  GET http://${v4}:${HTTP_PORT}/ -> answered by ${(await fetch(client, v4))[0]}`);
      io.out(`  ${v6} now resolves to ${(await neighbour(v6))?.name ?? '(not yet re-resolved)'}`);
    }
    if (router !== undefined && outside !== undefined) {
      if (bgpMs === undefined) io.out(`  BIRD still routes ${bgpVip} through ${current.name} after 15 s`);
      else {
        timings.set('BGP route withdrawn (from SIGKILL)', formatMs(bgpMs));
        io.out(
          `  BIRD dropped ${current.name}'s route in ${formatMs(bgpMs)} (its session closed with the process); next hops now ${(await bgpNextHops()).map(nodeOfHop).join(', ')}`,
        );
        io.out(`  12 connections from outside now answered by: ${countOf(await fetch(outside, bgpVip, 12))}`);
      }
    }
    io.out('\nState');
    io.out(await table());
    await pause();
    return summaryMove === undefined ? { addresses } : { addresses, moved: summaryMove };
  } finally {
    io.out('\nRemoving the lab ...');
    await lab.destroy();
  }
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');
}

function countOf(answers: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k} x${v}`).join(', ');
}

/** Polls an async probe every `stepMs` until it returns a value or `timeoutMs` passes. */
async function waitForAsync<T>(
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  stepMs = 100,
): Promise<T | undefined> {
  const end = realClock.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (realClock.now() > end) return undefined;
    await realClock.sleep(stepMs);
  }
}
