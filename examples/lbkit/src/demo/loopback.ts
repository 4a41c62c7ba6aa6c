import { realClock, silentLogger } from '@lbkit/core';
import { UdpTransport, createMember, type Member } from '@lbkit/election';
import { runExplain } from '../commands/explain.js';
import type { Output } from '../commands/output.js';
import { StandaloneController } from '../controller/standalone.js';
import { readState } from '../standalone/state-file.js';
import { DEMO_NODES, DEMO_SERVICE } from './config.js';
import { formatMs, formatTable } from './table.js';
import type { DemoWorkdir } from './workdir.js';

/** Options shared by both demo paths. */
export interface DemoOptions {
  /** Pause between steps, so a reader can follow, in milliseconds. */
  readonly paceMs: number;
}

/** What a demo step found, for the closing summary and for tests. */
export interface DemoSummary {
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  readonly moved?: { readonly from: string; readonly to: string; readonly ms: number };
}

/** The Service addresses the in-process controller allocates from the built-in configuration. */
export function allocate(work: DemoWorkdir, io: Output): Map<string, readonly string[]> {
  const controller = new StandaloneController(
    { namespace: 'metallb-system', loadBalancerClass: '', files: [work.config], stateFile: work.state },
    { logger: silentLogger },
  );
  const changes = controller.pass();
  const services = readState(work.state).services;
  const addresses = new Map(Object.entries(services).map(([k, v]) => [k, v.ips]));
  io.out(
    `The controller (in this process, standalone) read the built-in configuration and wrote ${changes} Service status(es):\n`,
  );
  io.out(
    formatTable(
      ['service', 'addresses', 'pool'],
      Object.entries(services).map(([k, v]) => [k, v.ips.join(', '), v.pool ?? '']),
    ),
  );
  return addresses;
}

/**
 * The demo without root: the controller allocating from the built-in configuration, `explain` for the layer 2
 * Service, and an election among three members on 127.0.0.1 with the owner of the Service's address crashed.
 */
export async function runLoopbackDemo(
  options: DemoOptions,
  work: DemoWorkdir,
  io: Output,
  why: string,
): Promise<DemoSummary> {
  const pause = (): Promise<void> => realClock.sleep(options.paceMs);
  io.out(`Mode: loopback only — ${why}.\n`);
  io.out('Step 1. Allocation');
  const addresses = allocate(work, io);
  await pause();

  io.out(`\nStep 2. lbkit explain ${DEMO_SERVICE}\n`);
  runExplain([DEMO_SERVICE, '-f', work.config, '--state', work.state], io);
  await pause();

  const ip = addresses.get(DEMO_SERVICE)?.[0];
  if (ip === undefined) {
    io.out(`\n${DEMO_SERVICE} got no address; the election step needs one. Stopping here.`);
    return { addresses };
  }
  io.out(`\nStep 3. Election: three members on 127.0.0.1 (UDP and TCP, encrypted) place ${ip}`);
  const moved = await electionOnLoopback(ip, io);
  await pause();

  io.out('\nSkipped, and why:');
  io.out(
    '  - the network lab (three node namespaces running `lbkit speaker`, a client and a router namespace):\n' +
      `    ${why}`,
  );
  io.out('  - layer 2 answers (ARP/NDP) and the client reaching the address: need raw sockets in those namespaces');
  io.out('  - BGP with BIRD and ECMP routes: needs the lab (and the bird program)');
  io.out('Run `sudo npm start` for the whole demonstration.');
  return moved === undefined ? { addresses } : { addresses, moved };
}

async function electionOnLoopback(
  ip: string,
  io: Output,
): Promise<{ from: string; to: string; ms: number } | undefined> {
  const transports = await Promise.all(DEMO_NODES.map(() => UdpTransport.bind({ address: '127.0.0.1', port: 0 })));
  const members = new Map<string, Member>();
  DEMO_NODES.forEach((name, i) => {
    const transport = transports[i]!;
    members.set(
      name,
      createMember(
        {
          name,
          seeds: transports.filter((t) => t !== transport).map((t) => t.localAddress),
          secrets: ['lbkit demo shared key'],
          label: 'lbkit-demo',
          profile: 'default',
          addresses: [{ ip }],
        },
        { transport, logger: silentLogger },
      ),
    );
  });
  try {
    const t0 = realClock.now();
    for (const m of members.values()) await m.start();
    const ownerOf = (m: Member): string | undefined => m.ownersFor([ip]).get(ip)?.owner;
    const agreed = await waitFor(10_000, () => {
      const all = [...members.values()];
      if (!all.every((m) => m.members().filter((x) => x.status === 'alive').length === DEMO_NODES.length))
        return undefined;
      const owners = new Set(all.map(ownerOf));
      const [owner] = owners;
      return owners.size === 1 && owner !== undefined ? owner : undefined;
    });
    if (agreed === undefined) {
      io.out('  the members did not agree on an owner within 10 s (a busy machine?); skipping the failover');
      return undefined;
    }
    io.out(
      formatTable(
        ['member', 'address', 'alive members', `owner of ${ip}`],
        [...members].map(([name, m]) => [
          name,
          transports[DEMO_NODES.indexOf(name as (typeof DEMO_NODES)[number])]!.localAddress,
          String(m.members().filter((x) => x.status === 'alive').length),
          ownerOf(m) === name ? `${name} (announces)` : (ownerOf(m) ?? '-'),
        ]),
      ),
    );
    io.out(`  all three agree after ${formatMs(realClock.now() - t0)}: ${agreed} owns ${ip} (MetalLB's rule)`);

    io.out(`  crashing ${agreed} (no goodbye; its sockets close) ...`);
    const killedAt = realClock.now();
    members.get(agreed)!.kill();
    const survivors = [...members].filter(([n]) => n !== agreed).map(([, m]) => m);
    const next = await waitFor(15_000, () => {
      const owners = new Set(survivors.map(ownerOf));
      const [owner] = owners;
      return owners.size === 1 && owner !== undefined && owner !== agreed ? owner : undefined;
    });
    if (next === undefined) {
      io.out(`  the owner did not move within 15 s`);
      return undefined;
    }
    const ms = realClock.now() - killedAt;
    io.out(
      `  owner moved: ${agreed} -> ${next} after ${formatMs(ms)} (failure detected, next in the ranking took over)`,
    );
    return { from: agreed, to: next, ms };
  } finally {
    for (const m of members.values()) await m.stop().catch(() => undefined);
    for (const t of transports) await Promise.resolve(t.close()).catch(() => undefined);
  }
}

/** Polls `probe` every 10 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(timeoutMs: number, probe: () => T | undefined): Promise<T | undefined> {
  const end = realClock.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (realClock.now() > end) return undefined;
    await realClock.sleep(10);
  }
}
