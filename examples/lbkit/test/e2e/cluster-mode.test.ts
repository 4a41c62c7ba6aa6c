// The binary in cluster mode, end to end: an API server in the lab's switch namespace, `lbkit controller`
// and three `lbkit speaker`s (no --standalone) talking to it with a kubeconfig, the speakers in their node
// namespaces finding each other through their Pods, a client on the same segment. The controller allocates
// and creates the memberlist key; the owner answers ARP and writes ServiceL2Status; a SIGKILL of it moves
// the address and the status; a restarted controller changes no address.
import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chooseOwner } from '@lbkit/election';
import { Lab, privilegedSkip, type Netns } from '@lbkit/testkit';
import { neighbourMac, until } from './speakers.js';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const apiServer = fileURLToPath(new URL('./cluster-bin/api-server.ts', import.meta.url));
const NS = 'metallb-system';
const NODES = ['node-a', 'node-b', 'node-c'] as const;
const API = '192.0.2.254';

/** Store operations on the API server process, one JSON line each way. */
class Store {
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly proc: ChildProcess;
  constructor(proc: ChildProcess) {
    this.proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = JSON.parse(line) as { id?: number; result?: unknown; error?: string };
      if (m.id === undefined) return;
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
  }
  call<T>(op: string, resource: string, more: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.stdin!.write(`${JSON.stringify({ id, op, resource, ...more })}\n`);
    });
  }
  create(resource: string, namespace: string | undefined, body: Record<string, unknown>): Promise<unknown> {
    return this.call('create', resource, { ...(namespace === undefined ? {} : { namespace }), body });
  }
  list<T>(resource: string, namespace?: string): Promise<T[]> {
    return this.call<T[]>('list', resource, namespace === undefined ? {} : { namespace });
  }
}

/** Pings `ip` from the client so its kernel resolves it, then reads the MAC it resolved to. */
async function resolvedMac(client: Netns, ip: string): Promise<string | undefined> {
  await client.exec('ping', ['-c', '1', '-W', '1', ip], { allowFail: true });
  return neighbourMac(client, ip);
}

type Svc = { metadata?: { name?: string }; status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } };
type L2 = { status?: { node?: string; serviceName?: string } };

t.test('cluster mode: controller and speakers against an API server', { skip: privilegedSkip() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbkit-cluster-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  const lab = Lab.create({ tag: 'clmode' }, t);
  const sw = await lab.namespace('sw');
  await lab.bridge(sw, 'br0');
  await sw.addAddress('br0', `${API}/24`);
  const logs = new Map<string, string[]>();
  const capture = (name: string, p: ChildProcess): ChildProcess => {
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    p.stderr?.on('data', (d: Buffer) => lines.push(...String(d).trim().split('\n')));
    return p;
  };
  t.teardown(() => {
    if (t.passing()) return;
    for (const [name, lines] of logs) t.comment(`--- ${name} ---\n${lines.slice(-30).join('\n')}`);
  });

  const api = capture('api', sw.node(apiServer, [API, kubeconfig], { stdin: 'pipe' }));
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: api.stdout! });
    rl.once('line', () => resolve());
    api.once('exit', (code) => reject(new Error(`API server exited (${code})`)));
  });
  const store = new Store(api);

  // The cluster: nodes, the speakers' Pods (host network: the node's address), a pool, a Service.
  await store.create('namespaces', undefined, { metadata: { name: NS } });
  await store.create('namespaces', undefined, { metadata: { name: 'shop' } });
  const nodes = new Map<string, { ns: Netns; addr: string; mac: string; proc?: ChildProcess }>();
  for (const [i, name] of NODES.entries()) {
    const ns = await lab.namespace(name.replace('node-', 'n'));
    const addr = `192.0.2.${i + 1}`;
    await lab.attach(ns, 'eth0', sw, 'br0', `p${i}`, [`${addr}/24`]);
    await ns.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.eth0.arp_ignore=1']);
    nodes.set(name, { ns, addr, mac: await ns.mac('eth0') });
    await store.create('nodes', undefined, { metadata: { name } });
    await store.create('pods', NS, {
      metadata: { name: `speaker-${name}`, labels: { app: 'lbkit', component: 'speaker' } },
      spec: { nodeName: name, hostNetwork: true },
      status: { phase: 'Running', podIP: addr },
    });
  }
  const client = await lab.namespace('client');
  await lab.attach(client, 'eth0', sw, 'br0', 'pc', ['192.0.2.50/24']);
  await store.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'lab' },
    spec: { addresses: ['192.0.2.100-192.0.2.110'] },
  });
  await store.create('l2advertisements.metallb.io', NS, { metadata: { name: 'lab' }, spec: {} });
  await store.create('services', 'shop', {
    metadata: { name: 'web' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  });
  await store.create('endpointslices.discovery.k8s.io', 'shop', {
    metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: NODES.map((n, i) => ({ addresses: [`10.0.${i}.1`], nodeName: n, conditions: { ready: true } })),
  });

  let controller: ChildProcess | undefined;
  const startController = (): void => {
    controller = capture(
      'controller',
      sw.node(cli, ['controller', '--kubeconfig', kubeconfig, '--pod-name', 'controller-1', '--port', '0']),
    );
  };
  startController();
  const ingress = async (): Promise<string | undefined> =>
    (await store.list<Svc>('services', 'shop')).find((s) => s.metadata?.name === 'web')?.status?.loadBalancer
      ?.ingress?.[0]?.ip;
  const vip = await until('the controller to give shop/web an address', ingress, 30_000, 100);
  t.match(vip, /^192\.0\.2\.1(0\d|10)$/, `shop/web has ${vip}`);
  await until(
    'the memberlist key Secret',
    async () =>
      (await store.list<{ metadata?: { name?: string } }>('secrets', NS)).some((s) => s.metadata?.name === 'memberlist')
        ? true
        : undefined,
    10_000,
    100,
  );
  t.pass('the controller created the memberlist key Secret');

  const startSpeaker = (name: string): void => {
    const n = nodes.get(name)!;
    // The Service address is local on every node, as kube-proxy makes it; only the owner answers ARP for it.
    n.proc = capture(
      name,
      n.ns.node(cli, [
        'speaker',
        '--kubeconfig',
        kubeconfig,
        '--node-name',
        name,
        '--pod-name',
        `speaker-${name}`,
        '--ml-bindaddr',
        n.addr,
        '--ml-labels',
        'app=lbkit,component=speaker',
        '--ml-profile',
        'aggressive',
        '--interfaces',
        '^eth0$',
        '--port',
        '0',
      ]),
    );
  };
  for (const [name, n] of nodes) {
    await n.ns.exec('ip', ['addr', 'add', `${vip}/32`, 'dev', 'lo']);
    startSpeaker(name);
  }
  const owner = chooseOwner(vip, [...NODES], {}).owner as string;
  const next = chooseOwner(
    vip,
    NODES.filter((n) => n !== owner),
    {},
  ).owner as string;
  const macToNode = (mac: string | undefined) => [...nodes].find(([, n]) => n.mac === mac)?.[0];
  const l2Nodes = async () =>
    (await store.list<L2>('servicel2statuses.metallb.io', NS)).map((o) => `${o.status?.serviceName}@${o.status?.node}`);

  await until(
    `${vip} to resolve to ${owner}`,
    async () => (macToNode(await resolvedMac(client, vip)) === owner ? true : undefined),
    30_000,
    100,
  );
  t.pass(`the client reaches ${vip} through ${owner}, the election's choice`);
  await until(
    'ServiceL2Status to name the owner',
    async () => ((await l2Nodes()).join() === `web@${owner}` ? true : undefined),
    10_000,
    100,
  );
  t.pass(`one ServiceL2Status: web@${owner}`);
  t.notOk(
    NODES.some((n) => (logs.get(n) ?? []).some((l) => l.includes('not encrypted'))),
    'every speaker read the key from the Secret: membership traffic is encrypted',
  );
  const states = await until(
    'every speaker to write its ConfigurationState',
    async () => {
      const items = await store.list<{ metadata?: { name?: string }; status?: { result?: string } }>(
        'configurationstates.metallb.io',
        NS,
      );
      const speakers = items.filter((s) => s.metadata?.name?.startsWith('speaker-') === true);
      return speakers.length === 3 && speakers.every((s) => s.status?.result === 'Valid') ? speakers : undefined;
    },
    10_000,
    100,
  );
  t.equal(states.length, 3, 'three speakers report a valid configuration');
  const events = await store.list<{ reason?: string; message?: string }>('events', 'shop');
  t.ok(
    events.some(
      (e) => e.reason === 'nodeAssigned' && e.message === `announcing from node "${owner}" with protocol "layer2"`,
    ),
    'the owner recorded nodeAssigned on the Service',
  );

  // The owner's speaker dies: the next node in the ranking answers and owns the status object.
  const killedAt = Date.now();
  nodes.get(owner)!.proc?.kill('SIGKILL');
  await until(
    `${vip} to move to ${next}`,
    async () => (macToNode(await resolvedMac(client, vip)) === next ? true : undefined),
    10_000,
    10,
  );
  t.pass(`${vip} moved to ${next} ${Date.now() - killedAt} ms after the SIGKILL`);
  await until(
    'ServiceL2Status to follow',
    async () => ((await l2Nodes()).join() === `web@${next}` ? true : undefined),
    10_000,
    100,
  );
  t.pass(`the status object moved with it: web@${next}`);

  // A restarted controller changes no address, also after a SIGKILL.
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const exited = new Promise((r) => controller?.once('exit', r));
    controller?.kill(signal);
    await exited;
    await store.create('services', 'shop', {
      metadata: { name: `later-${signal.toLowerCase()}` },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    startController();
    await until(
      'the restarted controller to serve a new Service',
      async () =>
        (await store.list<Svc>('services', 'shop')).find((s) => s.metadata?.name === `later-${signal.toLowerCase()}`)
          ?.status?.loadBalancer?.ingress?.[0]?.ip,
      30_000,
      100,
    );
    t.equal(await ingress(), vip, `after a ${signal} and restart, shop/web still has ${vip}`);
  }
  const all = (await store.list<Svc>('services', 'shop')).map((s) => s.status?.loadBalancer?.ingress?.[0]?.ip);
  t.equal(new Set(all).size, all.length, `no address given twice (${all.join(', ')})`);
});
