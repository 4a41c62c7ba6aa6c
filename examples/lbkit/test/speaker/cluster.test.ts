// The speaker against a Kubernetes API server (the adapter's in-process one, spoken to by the real
// @kubernetes/client-node): three speakers find each other through their Pods, exactly one writes the
// ServiceL2Status of a layer 2 Service and moves it when it dies, ServiceBGPStatus follows the peers'
// node selectors, and each writes its ConfigurationState and a nodeAssigned event. Election members run
// for real over UDP on loopback; announcers are the real ones on the arp package's in-memory segment (the
// real sockets are the end-to-end tests' part).
import t from 'tap';
import { realClock, silentLogger } from '@lbkit/core';
import { createAnnouncer } from '@lbkit/arp';
import { MemoryInterfaces, MemoryNetwork, ethernetInterface } from '@lbkit/arp/testing';
import { createMember, type Member } from '@lbkit/election';
import { bgpFactory } from '../../src/speaker/runtime.js';
import { FakeApiServer } from '@lbkit/k8s-adapter/testing';
import { NodeSpeaker, type MemberLike } from '../../src/speaker/node-speaker.js';
import { ClusterSpeaker } from '../../src/speaker/cluster.js';
import { createMetrics } from '../../src/ops/metrics.js';

const NS = 'metallb-system';
const PORT = 20_000 + (process.pid % 20_000);
const NODES = ['n1', 'n2', 'n3'] as const;
const addr = (i: number): string => `127.0.0.${i + 1}`;

async function eventually<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(fn()).catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function seed(server: FakeApiServer): void {
  const s = server.store;
  s.create('namespaces', undefined, { metadata: { name: NS } });
  s.create('namespaces', undefined, { metadata: { name: 'shop' } });
  for (const [i, n] of NODES.entries()) {
    s.create('nodes', undefined, { metadata: { name: n, labels: { bgp: i < 2 ? 'yes' : 'no' } } });
    s.create('pods', NS, {
      metadata: { name: `speaker-${n}`, labels: { app: 'lbkit', component: 'speaker' } },
      spec: { nodeName: n, hostNetwork: true },
      status: { phase: 'Running', podIP: addr(i) },
    });
  }
  s.create('ipaddresspools.metallb.io', NS, { metadata: { name: 'l2' }, spec: { addresses: ['192.0.2.0/28'] } });
  s.create('ipaddresspools.metallb.io', NS, { metadata: { name: 'bgp' }, spec: { addresses: ['198.51.100.0/28'] } });
  s.create('l2advertisements.metallb.io', NS, { metadata: { name: 'l2' }, spec: { ipAddressPools: ['l2'] } });
  s.create('bgpadvertisements.metallb.io', NS, { metadata: { name: 'bgp' }, spec: { ipAddressPools: ['bgp'] } });
  // A peer for the nodes labelled bgp=yes only; nothing listens there: ServiceBGPStatus reports intent.
  s.create('bgppeers.metallb.io', NS, {
    metadata: { name: 'router' },
    spec: {
      myASN: 64512,
      peerASN: 64513,
      peerAddress: '127.0.0.9',
      peerPort: 1,
      nodeSelectors: [{ matchLabels: { bgp: 'yes' } }],
    },
  });
  for (const [name, ip] of [
    ['web', '192.0.2.1'],
    ['api', '198.51.100.1'],
  ] as const) {
    s.create('services', 'shop', {
      metadata: { name },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip }] } },
    });
    s.create('endpointslices.discovery.k8s.io', 'shop', {
      metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: NODES.map((n, i) => ({ addresses: [`10.0.${i}.1`], nodeName: n, conditions: { ready: true } })),
    });
  }
}

interface Node {
  name: string;
  metrics: ReturnType<typeof createMetrics>;
  member: Member;
  speaker: NodeSpeaker;
  cluster: ClusterSpeaker;
  close: () => Promise<void>;
}

t.test('three speakers against an API server', async (t) => {
  const server = await FakeApiServer.start();
  seed(server);
  const kc = server.kubeConfig();
  const net = new MemoryNetwork({}, { clock: realClock });
  const nodes = new Map<string, Node>();
  const start = async (name: string, i: number): Promise<Node> => {
    const metrics = createMetrics();
    const member = createMember({ name, bindAddress: addr(i), port: PORT, profile: 'aggressive' });
    const announcer = createAnnouncer(
      {},
      {
        clock: realClock,
        openConn: net.opener(name),
        interfaces: new MemoryInterfaces([ethernetInterface('eth0', 2, `02:00:00:00:00:0${i + 1}`)]),
      },
    );
    const ref: { speaker?: NodeSpeaker } = {};
    const bgp = bgpFactory({
      clock: realClock,
      logger: silentLogger,
      bfdProfiles: () => new Map(),
      allowsExport: (prefix, peer) => ref.speaker?.allowsExport(prefix, peer) ?? false,
    });
    const speaker = new NodeSpeaker(
      { nodeName: name, namespace: NS, nodeAddress: addr(i) },
      {
        clock: realClock,
        logger: silentLogger,
        member: member as unknown as MemberLike,
        announcer,
        bgp: bgp.factory,
        metrics,
      },
    );
    ref.speaker = speaker;
    const cluster = new ClusterSpeaker(
      kc,
      {
        namespace: NS,
        nodeName: name,
        bindAddress: addr(i),
        memberPort: PORT,
        podSelector: 'app=lbkit,component=speaker',
        debounceMs: 10,
      },
      { logger: silentLogger, speaker, member: member as unknown as MemberLike },
    );
    await speaker.start();
    await cluster.start();
    const node: Node = {
      name,
      metrics,
      member,
      speaker,
      cluster,
      close: async () => {
        await cluster.stop();
        await speaker.stop();
        await bgp.close();
      },
    };
    nodes.set(name, node);
    return node;
  };
  t.teardown(async () => {
    for (const n of nodes.values()) await n.close().catch(() => undefined);
    await server.stop();
  });
  for (const [i, n] of NODES.entries()) await start(n, i);

  await eventually('every speaker to see the other two', () =>
    [...nodes.values()].every((n) => n.member.members().filter((m) => m.status === 'alive').length === 3),
  );
  t.same(nodes.get('n1')?.cluster.seeds, [`${addr(1)}:${PORT}`, `${addr(2)}:${PORT}`], 'seeds from the speaker Pods');

  const l2 = () =>
    server.store.list('servicel2statuses.metallb.io', { namespace: NS }).items as Array<{
      status?: { node?: string; serviceName?: string; serviceNamespace?: string; interfaces?: unknown[] };
      metadata?: { labels?: Record<string, string> };
    }>;
  // Converged: one node announces, and the one status object names it.
  const announcers = () => [...nodes.values()].filter((n) => n.speaker.announced().has('shop/web')).map((n) => n.name);
  const first = await eventually('one ServiceL2Status for shop/web, naming the one announcer', () => {
    const items = l2();
    const who = announcers();
    return items.length === 1 && who.length === 1 && items[0]?.status?.node === who[0] ? items[0] : undefined;
  });
  const owner = first.status?.node as string;
  t.same(
    { ...first.status, node: 'x' },
    { node: 'x', serviceName: 'web', serviceNamespace: 'shop', interfaces: [] },
    'names the Service; no interface list means every interface',
  );
  t.equal(first.metadata?.labels?.['metallb.io/node'], owner, 'labelled with its node');
  t.same(
    [...(nodes.get(owner)?.speaker.announced().keys() ?? [])],
    ['shop/web'],
    'written by the node that announces it',
  );

  const bgp = () =>
    (
      server.store.list('servicebgpstatuses.metallb.io', { namespace: NS }).items as Array<{
        status?: { node?: string; serviceName?: string; peers?: string[] };
      }>
    )
      .map((o) => `${o.status?.node}:${o.status?.serviceName}:${(o.status?.peers ?? []).join(',')}`)
      .sort();
  await eventually('ServiceBGPStatus from n1 and n2', () =>
    bgp().join() === 'n1:api:router,n2:api:router' ? true : undefined,
  );
  t.same(bgp(), ['n1:api:router', 'n2:api:router'], 'only the nodes the peer selects advertise, to that peer');
  t.same(
    nodes
      .get('n3')
      ?.speaker.bgpSessions()
      .map((s) => s.peer),
    [],
    'n3 opens no session to a peer whose node selector leaves it out',
  );
  t.same(
    nodes
      .get('n1')
      ?.speaker.bgpSessions()
      .map((s) => s.peer),
    ['router'],
    'n1 does',
  );

  const states = await eventually('a ConfigurationState per speaker', () => {
    const items = server.store.list('configurationstates.metallb.io', { namespace: NS }).items as Array<{
      metadata?: { name?: string };
      status?: { result?: string };
    }>;
    return items.length === 3 ? items : undefined;
  });
  t.same(
    states.map((s) => `${s.metadata?.name}=${s.status?.result}`).sort(),
    ['speaker-n1=Valid', 'speaker-n2=Valid', 'speaker-n3=Valid'],
    'each speaker reports its configuration valid',
  );
  const events = await eventually('nodeAssigned events', () => {
    const items = server.store.list('events', { namespace: 'shop' }).items as Array<{
      reason?: string;
      message?: string;
      involvedObject?: { name?: string };
    }>;
    const mine = items.filter((e) => e.reason === 'nodeAssigned');
    return mine.length >= 3 ? mine : undefined;
  });
  t.ok(
    events.some(
      (e) => e.involvedObject?.name === 'web' && e.message === `announcing from node "${owner}" with protocol "layer2"`,
    ),
    'the owner says it announces web over layer 2',
  );
  t.ok(
    events.some(
      (e) => e.involvedObject?.name === 'api' && e.message === 'announcing from node "n1" with protocol "bgp"',
    ),
    'n1 says it advertises api over BGP',
  );

  // A broken object: the speakers keep the last good configuration and say so in their ConfigurationState.
  server.store.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'bad' },
    spec: { addresses: ['300.0.0.0/8'] },
  });
  const invalid = await eventually('ConfigurationState Invalid', () => {
    const items = server.store.list('configurationstates.metallb.io', { namespace: NS }).items as Array<{
      status?: { result?: string; errorSummary?: string };
    }>;
    return items.every((s) => s.status?.result === 'Invalid') ? items : undefined;
  });
  t.match(invalid[0]?.status?.errorSummary ?? '', /bad/, 'the error names the object');
  t.same(
    l2().map((o) => o.status?.node),
    [owner],
    'the announcement and its status stay',
  );
  server.store.delete('ipaddresspools.metallb.io', NS, 'bad');
  await eventually('Valid again', () =>
    (
      server.store.list('configurationstates.metallb.io', { namespace: NS }).items as Array<{
        status?: { result?: string };
      }>
    ).every((s) => s.status?.result === 'Valid')
      ? true
      : undefined,
  );

  // The owner dies without leaving: another node takes the address and the status object is theirs alone.
  const victim = nodes.get(owner)!;
  nodes.delete(owner);
  await victim.cluster.stop();
  await victim.member.stop();
  const moved = await eventually('ServiceL2Status to move', () => {
    const items = l2();
    return items.length === 1 && items[0]?.status?.node !== owner ? items[0] : undefined;
  });
  const heir = moved.status?.node as string;
  t.not(heir, owner, `moved from ${owner} to ${heir}`);
  t.same([...(nodes.get(heir)?.speaker.announced().keys() ?? [])], ['shop/web'], 'the heir announces it');
  const text = await nodes.get(heir)!.metrics.registry.getSingleMetricAsString('lbkit_failover_duration_seconds');
  t.match(
    text,
    /lbkit_failover_duration_seconds_count\{service="shop\/web",reason="(claim|dead)"\} 1/,
    'the heir timed the failover from when it learned the owner was gone',
  );
  await victim.speaker.stop();

  // Graceful stop of the heir: it removes its own status object on the way out; the last node writes its own.
  const last = nodes.get(heir)!;
  nodes.delete(heir);
  await last.speaker.stop({ graceful: true });
  await last.cluster.stop({ graceful: true });
  const final = await eventually('the last node to own it', () => {
    const items = l2();
    return items.length === 1 && items[0]?.status?.node !== heir && items[0]?.status?.node !== owner
      ? items[0]
      : undefined;
  });
  t.equal(final.status?.node, [...nodes.keys()][0], 'the remaining node writes it');
});
