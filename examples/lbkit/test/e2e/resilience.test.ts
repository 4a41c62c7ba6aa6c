// Resilience end to end: the reference layer 2 lab (three node namespaces running `lbkit speaker`, a client,
// one bridge) with the controller as the real `lbkit controller --standalone` process in a namespace of its
// own, reading a folder of objects this test edits while everything runs.
//   - A broken IPAddressPool, then a BGPPeer with an out-of-range ASN: the controller and every speaker log
//     the object, field and value; the controller's metrics say the configuration is stale; no address
//     moves; the client keeps reaching every address through the same node; a Service created meanwhile
//     gets an address from the last good configuration, and one that needs the broken pool waits for it.
//   - The fix clears the staleness and the waiting Service gets its address.
//   - SIGTERM, SIGKILL, and a restart with the pools renamed and their files reordered: no address changes.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseOwner } from '@lbkit/election';
import { Lab, privilegedSkip } from '@lbkit/testkit';
import { neighbourMac, startSpeaker as startNode, until, type LabNode } from './speakers.js';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const NODES = ['node-a', 'node-b', 'node-c'] as const;
/** The controller's operations port, inside its own namespace (nothing else listens there). */
const OPS_PORT = 7472;

// --- the objects -------------------------------------------------------------------------------------------

const pool = (name: string, ranges: readonly string[]): string => `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: ${name}, namespace: metallb-system }
spec:
  addresses: [${ranges.join(', ')}]
`;
const ALPHA = ['192.0.2.100-192.0.2.104', '2001:db8::100-2001:db8::104'];
const BETA = ['192.0.2.105-192.0.2.110', '2001:db8::105-2001:db8::110'];
// No pools named: it applies to every pool, whatever they are called.
const L2ADV = `apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: lab, namespace: metallb-system }
`;
const NODE_LIST = `apiVersion: v1
kind: List
items:
${NODES.map((n) => `  - { apiVersion: v1, kind: Node, metadata: { name: ${n} } }`).join('\n')}
`;

/** A LoadBalancer Service with a ready endpoint on every node. */
function service(name: string, o: { dual?: boolean; ips?: string; clusterIp: string }): string {
  const annotations = o.ips === undefined ? '' : `, annotations: { metallb.io/loadBalancerIPs: "${o.ips}" }`;
  const families =
    o.dual === true
      ? `clusterIPs: [${o.clusterIp}, fd00::${o.clusterIp.split('.').at(-1)}], ipFamilies: [IPv4, IPv6], ipFamilyPolicy: RequireDualStack`
      : `clusterIPs: [${o.clusterIp}], ipFamilies: [IPv4]`;
  return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default${annotations} }
spec: { type: LoadBalancer, ${families}, ports: [{ port: 80, protocol: TCP }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${name}-1, namespace: default, labels: { kubernetes.io/service-name: ${name} } }
addressType: IPv4
endpoints:
${NODES.map((n, i) => `  - { addresses: [10.244.${i}.${o.clusterIp.split('.').at(-1)}], nodeName: ${n}, conditions: { ready: true } }`).join('\n')}
`;
}

const BROKEN_POOL = pool('broken', ['192.0.2.120/33']);
const FIXED_POOL = pool('broken', ['192.0.2.120/30']);
const BAD_PEER = `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: bad-asn, namespace: metallb-system }
spec: { myASN: 64513, peerASN: 4294967296, peerAddress: 192.0.2.254 }
`;

// --- helpers -----------------------------------------------------------------------------------------------

interface State {
  version: 1;
  services: Record<string, { ips: string[]; pool?: string }>;
}

/** A pino line as the components write them; `msg` names the object, the field and the value. */
interface LogLine {
  level: number;
  msg: string;
  kind?: string;
  object?: string;
  field?: string;
  service?: string;
}

function parseLine(line: string): LogLine | undefined {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

/** Collects a child's stderr as whole lines. */
function collectLines(proc: ChildProcess, into: string[]): void {
  let buf = '';
  proc.stderr?.on('data', (d: Buffer) => {
    buf += String(d);
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      into.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

/** True when `lines` hold an error (or warning) naming the object, the field and the value. */
function reports(lines: readonly string[], kind: string, name: string, field: string, value: string): boolean {
  const want = `${kind} ${name}: ${field} `;
  return lines.some((raw) => {
    const l = parseLine(raw);
    return (
      l !== undefined &&
      l.level >= 40 &&
      l.kind === kind &&
      l.object === name &&
      l.field === field &&
      l.msg.startsWith(want) &&
      l.msg.includes(value)
    );
  });
}

t.test(
  'resilience: a broken object is reported and changes nothing; controller restarts move no address',
  { skip: privilegedSkip() },
  async (t) => {
    const started = Date.now();
    const lab = Lab.create({ tag: 'resil' }, t);
    const dir = mkdtempSync(join(tmpdir(), 'lbkit-resil-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const conf = join(dir, 'objects');
    mkdirSync(conf);
    const state = join(dir, 'state.json');
    /** Replaces a file atomically: a reader never sees it half written (a partial pool file is a valid, smaller configuration). */
    const put = (name: string, text: string): void => {
      writeFileSync(join(conf, `${name}.part`), text);
      renameSync(join(conf, `${name}.part`), join(conf, name));
    };
    const readStateFile = (): State => JSON.parse(readFileSync(state, 'utf8')) as State;
    const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

    put('10-pools.yaml', `${pool('alpha', ALPHA)}---\n${pool('beta', BETA)}---\n${L2ADV}`);
    put('20-nodes.yaml', NODE_LIST);
    put(
      '30-services.yaml',
      [
        service('web', { clusterIp: '10.96.0.10' }),
        service('fixed', { clusterIp: '10.96.0.11', ips: '192.0.2.108' }),
        service('dual', { clusterIp: '10.96.0.12', dual: true }),
      ].join('---\n'),
    );

    // The network: a bridge, three nodes, a client; the controller alone in a namespace with loopback only.
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const nodes = new Map<string, LabNode & { mac: string }>();
    for (const [i, name] of NODES.entries()) {
      const ns = await lab.namespace(name.replace('node-', 'n'));
      const addr = `192.0.2.${i + 1}`;
      await lab.attach(ns, 'eth0', sw, 'br0', `p${i}`, [`${addr}/24`, `2001:db8::${i + 1}/64`]);
      // Service addresses are local on every node (kube-proxy's doing) but only the owner's speaker answers ARP.
      await ns.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);
      nodes.set(name, { ns, mac: await ns.mac('eth0'), addr, log: [] });
    }
    const client = await lab.namespace('client');
    await lab.attach(client, 'eth0', sw, 'br0', 'pc', ['192.0.2.50/24', '2001:db8::50/64']);
    const ctlNs = await lab.namespace('ctl');

    // The controller, as an operator runs it.
    let ctl: { proc: ChildProcess; log: string[]; exit: Promise<{ code: number | null; signal: string | null }> };
    const ctlLogs: string[][] = [];
    const startController = (): void => {
      const log: string[] = [];
      const proc = ctlNs.node(cli, [
        'controller',
        '--standalone',
        '-f',
        conf,
        '--state',
        state,
        '--port',
        String(OPS_PORT),
        '--metrics-host',
        '127.0.0.1',
        '--log-level',
        'info',
      ]);
      collectLines(proc, log);
      ctlLogs.push(log);
      const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        proc.once('exit', (code, signal) => resolve({ code, signal })),
      );
      ctl = { proc, log, exit };
    };
    /** GET on the controller's operations server, from inside its namespace. */
    const http = async (path: string): Promise<{ status: number; body: string }> => {
      const r = await ctlNs.exec(
        process.execPath,
        [
          '-e',
          `fetch('http://127.0.0.1:${OPS_PORT}${path}').then(async (r) => process.stdout.write(r.status + '\\n' + (await r.text())), () => process.stdout.write('0\\n'))`,
        ],
        { allowFail: true, timeoutMs: 5_000 },
      );
      const nl = r.stdout.indexOf('\n');
      return { status: Number(r.stdout.slice(0, nl)), body: r.stdout.slice(nl + 1) };
    };
    const gauge = async (name: string): Promise<number | undefined> => {
      const m = (await http('/metrics')).body.match(new RegExp(`^${name} (\\S+)$`, 'm'));
      return m === null ? undefined : Number(m[1]);
    };
    const controllerReady = async (): Promise<true | undefined> =>
      (await http('/readyz')).status === 200 ? true : undefined;

    t.teardown(() => {
      if (t.passing()) return;
      ctlLogs.forEach((log, i) => t.comment(`--- controller run ${i + 1} ---\n${log.slice(-30).join('\n')}`));
      for (const [name, n] of nodes) t.comment(`--- ${name} ---\n${n.log.slice(-30).join('\n')}`);
    });

    startController();
    await until('the controller to be ready', controllerReady, 30_000, 100);
    const first = await until(
      'addresses for web, fixed and dual',
      async () => {
        const s = readStateFile();
        return ['default/web', 'default/fixed', 'default/dual'].every((k) => s.services[k] !== undefined)
          ? s
          : undefined;
      },
      10_000,
      50,
    );
    t.same(first.services['default/fixed']?.ips, ['192.0.2.108'], 'fixed has the address it requested');
    t.match(first.services['default/dual']?.ips, [/^192\.0\.2\.10\d$/, /^2001:db8::1[01]\d$/], 'dual has one of each');

    // Every address the controller hands out is local on every node, so the owner can serve it.
    const onLo = new Set<string>();
    const addLocal = async (ips: readonly string[]): Promise<void> => {
      for (const ip of ips) {
        if (onLo.has(ip)) continue;
        onLo.add(ip);
        for (const n of nodes.values())
          await n.ns.exec(
            'ip',
            ip.includes(':')
              ? ['-6', 'addr', 'add', `${ip}/128`, 'dev', 'lo']
              : ['addr', 'add', `${ip}/32`, 'dev', 'lo'],
          );
      }
    };
    for (const s of Object.values(first.services)) await addLocal(s.ips);

    for (const name of NODES) {
      const seeds = NODES.filter((x) => x !== name).map((x) => `${nodes.get(x)!.addr}:7946`);
      startNode(nodes.get(name)!, { name, files: [conf], state, seeds });
    }

    const macToNode = (mac: string | undefined): string | undefined => [...nodes].find(([, n]) => n.mac === mac)?.[0];
    /** The node whose MAC the client learns for `ip` after forgetting it, if the address answers a ping. */
    const answeredBy = async (ip: string): Promise<string | undefined> => {
      const fam = ip.includes(':') ? '-6' : '-4';
      await client.exec('ip', [fam, 'neigh', 'flush', 'to', ip], { allowFail: true });
      const r = await client.exec('ping', [fam, '-c', '1', '-W', '1', ip], { allowFail: true });
      return r.code === 0 ? macToNode(await neighbourMac(client, ip)) : undefined;
    };
    /** The owner the election gives a Service: every node is eligible, the first address decides. */
    const ownerOf = (ips: readonly string[]): string => chooseOwner(ips[0] as string, [...NODES], {}).owner as string;
    /** Every address of every Service in `s` answers, each through its Service's owner. */
    const reachable = async (s: State, timeoutMs: number): Promise<string> => {
      const seen: string[] = [];
      for (const [key, e] of Object.entries(s.services)) {
        const owner = ownerOf(e.ips);
        for (const ip of e.ips)
          await until(
            `${key} ${ip} to answer through ${owner}`,
            async () => ((await answeredBy(ip)) === owner ? true : undefined),
            timeoutMs,
            100,
          );
        seen.push(`${key} ${e.ips.join(',')} via ${owner}`);
      }
      return seen.join('; ');
    };

    t.pass(`reachable: ${await reachable(first, 30_000)}`);
    const s0 = readFileSync(state, 'utf8');
    t.equal(await gauge('metallb_k8s_client_config_stale_bool'), 0, 'the configuration is not stale');
    t.comment(`lab up with three Services answering after ${Date.now() - started} ms`);

    await t.test('a pool with a bad CIDR: reported everywhere, nothing moves', async (t) => {
      const marks = { ctl: ctl.log.length, nodes: NODES.map((n) => nodes.get(n)!.log.length) };
      put('90-broken.yaml', BROKEN_POOL);
      await until(
        'the controller to report the pool',
        async () =>
          reports(ctl.log.slice(marks.ctl), 'IPAddressPool', 'broken', 'spec.addresses[0]', '"192.0.2.120/33"')
            ? true
            : undefined,
        10_000,
        50,
      );
      t.pass('the controller logs IPAddressPool broken, spec.addresses[0], "192.0.2.120/33"');
      for (const [i, name] of NODES.entries())
        await until(
          `${name} to report the pool`,
          async () =>
            reports(
              nodes.get(name)!.log.slice(marks.nodes[i]),
              'IPAddressPool',
              'broken',
              'spec.addresses[0]',
              '"192.0.2.120/33"',
            )
              ? true
              : undefined,
          10_000,
          50,
        );
      t.pass('every speaker logs the same object, field and value');
      t.equal(await gauge('metallb_k8s_client_config_stale_bool'), 1, 'the controller exports config_stale_bool 1');
      t.equal(await gauge('metallb_k8s_client_config_loaded_bool'), 1, 'and config_loaded_bool 1');
      const ready = await http('/readyz');
      t.equal(
        ready.status,
        200,
        `/readyz stays ready: the last good configuration serves (${ready.body.trim().replace(/\n/g, ' | ')})`,
      );
      t.match(ready.body, /last good one is in force/, '/readyz says the configuration in force is the last good one');
      await settle(1_000); // five of the controller's polls
      t.equal(readFileSync(state, 'utf8'), s0, 'the state file is unchanged: every address stays');
      t.pass(`still reachable through the same nodes: ${await reachable(first, 5_000)}`);

      // A new Service meanwhile: the last good configuration serves it. One that asks for an address of the
      // broken pool has to wait for the pool.
      put(
        '31-late.yaml',
        [
          service('late', { clusterIp: '10.96.0.13' }),
          service('extra', { clusterIp: '10.96.0.14', ips: '192.0.2.121' }),
        ].join('---\n'),
      );
      const late = await until(
        'late to get an address',
        async () => readStateFile().services['default/late'],
        10_000,
        50,
      );
      t.match(
        late.ips,
        [/^192\.0\.2\.1(0\d|10)$/],
        `late gets ${late.ips.join()} from pool ${late.pool} of the last good configuration`,
      );
      await until(
        'the controller to say why extra has no address',
        async () =>
          ctl.log.some((raw) => {
            const l = parseLine(raw);
            return l?.service === 'default/extra' && l.level >= 40 && l.msg.includes('192.0.2.121') ? true : undefined;
          })
            ? true
            : undefined,
        5_000,
        50,
      );
      const withLate = readStateFile();
      t.equal(withLate.services['default/extra'], undefined, 'extra waits: its address is in no pool in force');
      t.same(
        Object.fromEntries(Object.entries(withLate.services).filter(([k]) => k !== 'default/late')),
        first.services,
        'the other Services keep their addresses',
      );
      await addLocal(late.ips);
      t.pass(
        `late answers while the configuration is stale: ${await reachable({ version: 1, services: { 'default/late': late } }, 10_000)}`,
      );

      // The fix: the pool becomes valid; both sides apply it; extra gets the address it asked for.
      put('90-broken.yaml', FIXED_POOL);
      await until(
        'stale to clear',
        async () => ((await gauge('metallb_k8s_client_config_stale_bool')) === 0 ? true : undefined),
        10_000,
        100,
      );
      t.pass('config_stale_bool returns to 0');
      const extra = await until(
        'extra to get its address',
        async () => readStateFile().services['default/extra'],
        10_000,
        50,
      );
      t.same(extra, { ips: ['192.0.2.121'], pool: 'broken' }, 'extra gets 192.0.2.121 from the repaired pool');
      await addLocal(extra.ips);
      // Only a speaker that applied the repaired configuration knows a pool holding .121 and announces it.
      t.pass(
        `the speakers applied the fix too: ${await reachable({ version: 1, services: { 'default/extra': extra } }, 10_000)}`,
      );
      const after = readStateFile();
      t.same(
        Object.fromEntries(Object.entries(after.services).filter(([k]) => k !== 'default/extra')),
        withLate.services,
        'the fix moves nobody',
      );
    });

    await t.test('a BGPPeer with an out-of-range ASN: reported everywhere, nothing moves', async (t) => {
      const before = readFileSync(state, 'utf8');
      const marks = { ctl: ctl.log.length, nodes: NODES.map((n) => nodes.get(n)!.log.length) };
      put('91-peer.yaml', BAD_PEER);
      await until(
        'the controller to report the peer',
        async () =>
          reports(ctl.log.slice(marks.ctl), 'BGPPeer', 'bad-asn', 'spec.peerASN', '4294967296') ? true : undefined,
        10_000,
        50,
      );
      for (const [i, name] of NODES.entries())
        await until(
          `${name} to report the peer`,
          async () =>
            reports(nodes.get(name)!.log.slice(marks.nodes[i]), 'BGPPeer', 'bad-asn', 'spec.peerASN', '4294967296')
              ? true
              : undefined,
          10_000,
          50,
        );
      t.pass('the controller and every speaker log BGPPeer bad-asn, spec.peerASN, 4294967296');
      t.equal(await gauge('metallb_k8s_client_config_stale_bool'), 1, 'config_stale_bool 1');
      await settle(1_000);
      t.equal(readFileSync(state, 'utf8'), before, 'the state file is unchanged');
      t.pass(`still reachable through the same nodes: ${await reachable(JSON.parse(before) as State, 5_000)}`);
      unlinkSync(join(conf, '91-peer.yaml'));
      await until(
        'stale to clear',
        async () => ((await gauge('metallb_k8s_client_config_stale_bool')) === 0 ? true : undefined),
        10_000,
        100,
      );
      t.pass('removing the peer clears config_stale_bool');
      t.equal(readFileSync(state, 'utf8'), before, 'and moves nobody');
    });

    /** Stops the controller with `signal` and waits for it to be gone. */
    const stopController = async (
      signal: 'SIGTERM' | 'SIGKILL',
    ): Promise<{ code: number | null; signal: string | null }> => {
      ctl.proc.kill(signal);
      return Promise.race([
        ctl.exit,
        settle(10_000).then(() => {
          throw new Error(`the controller did not exit within 10 s of ${signal}`);
        }),
      ]);
    };
    /** Starts the controller and waits until it is ready and has had several polls to change something. */
    const restartController = async (): Promise<number> => {
      const t0 = Date.now();
      startController();
      await until('the restarted controller to be ready', controllerReady, 30_000, 50);
      const ms = Date.now() - t0;
      await settle(1_000);
      return ms;
    };

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await t.test(`${signal} and a restart of the controller change no address`, async (t) => {
        const before = readFileSync(state, 'utf8');
        const services = (JSON.parse(before) as State).services;
        t.ok(
          Object.keys(services).length >= 5,
          `${Object.keys(services).length} Services hold addresses, chosen and requested`,
        );
        const exit = await stopController(signal);
        if (signal === 'SIGTERM') t.same(exit, { code: 0, signal: null }, 'SIGTERM: a clean exit with status 0');
        else t.equal(exit.signal, 'SIGKILL', 'SIGKILL: killed');
        t.pass(
          `with no controller running, every address still answers: ${await reachable(JSON.parse(before) as State, 5_000)}`,
        );
        const ms = await restartController();
        t.comment(`the controller was ready ${ms} ms after it was started`);
        t.equal(readFileSync(state, 'utf8'), before, 'the state file is byte for byte what it was');
        t.notOk(
          ctl.log.some((l) => l.includes('service status written')),
          'the restarted controller writes no status',
        );
        t.pass(`every address answers through the same node: ${await reachable(JSON.parse(before) as State, 5_000)}`);
      });
    }

    await t.test('a restart with the pools renamed and their files reordered changes no address', async (t) => {
      const before = readStateFile();
      const exit = await stopController('SIGTERM');
      t.equal(exit.code, 0, 'stopped');
      // As an operator would rename a pool without a gap: the new name first (briefly overlapping the old one,
      // which every component refuses and so keeps the last good configuration), then the old one removed; the
      // files get new names, so they are read in another order.
      put('05-zeta.yaml', pool('zeta', ALPHA));
      await settle(500);
      put('60-beta.yaml', `${L2ADV}---\n${pool('beta', BETA)}`);
      unlinkSync(join(conf, '10-pools.yaml'));
      const ms = await restartController();
      t.comment(`the controller was ready ${ms} ms after it was started`);
      const after = readStateFile();
      t.same(
        Object.fromEntries(Object.entries(after.services).map(([k, v]) => [k, v.ips])),
        Object.fromEntries(Object.entries(before.services).map(([k, v]) => [k, v.ips])),
        'every Service keeps exactly its addresses',
      );
      const renamed = Object.entries(after.services)
        .filter(([k]) => before.services[k]?.pool === 'alpha')
        .map(([k, v]) => `${k}: ${v.pool}`);
      // alpha held the addresses the allocator chose; under its new name it sorts after beta.
      t.ok(renamed.length >= 3, `Services of the renamed pool: ${renamed.join(', ')}`);
      t.ok(
        Object.entries(after.services).every(([k, v]) =>
          before.services[k]?.pool === 'alpha' ? v.pool === 'zeta' : v.pool === before.services[k]?.pool,
        ),
        'their pool annotation follows the new name; the others are untouched',
      );
      t.equal(await gauge('metallb_k8s_client_config_stale_bool'), 0, 'the renamed configuration is in force');
      t.pass(`every address answers through the same node: ${await reachable(after, 5_000)}`);
      t.comment(`whole resilience run: ${Date.now() - started} ms`);
    });
  },
);
