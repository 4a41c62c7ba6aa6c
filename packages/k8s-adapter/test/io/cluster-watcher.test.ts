import t from 'tap';
import { realClock } from '@lbkit/core';
import { ClusterWatcher } from '../../src/io/cluster-watcher.js';
import { ConfigLoop } from '../../src/io/config-loop.js';
import { StatusObjectWriter } from '../../src/io/status-objects.js';
import { FakeApiServer } from '../../src/testing/index.js';
import type { ConfigurationState } from '../../src/api/metallb.js';
import type { ConfigState } from '../../src/config/tracker.js';
import { eventually, fingerprint } from '../wait.js';

const NS = 'metallb-system';

function seed(server: FakeApiServer, sliceGroup: 'v1' | 'v1beta1' = 'v1'): void {
  const s = server.store;
  s.create('namespaces', undefined, { metadata: { name: NS } });
  s.create('namespaces', undefined, { metadata: { name: 'shop', labels: { team: 'a' } } });
  s.create('nodes', undefined, { metadata: { name: 'n1', labels: { zone: 'a' } } });
  s.create('nodes', undefined, { metadata: { name: 'n2', labels: { zone: 'b' } } });
  s.create('ipaddresspools.metallb.io', NS, { metadata: { name: 'public' }, spec: { addresses: ['192.0.2.0/24'] } });
  s.create('l2advertisements.metallb.io', NS, {
    metadata: { name: 'l2' },
    spec: { nodeSelectors: [{ matchLabels: { zone: 'a' } }] },
  });
  s.create('services', 'shop', { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });
  const endpoint =
    sliceGroup === 'v1'
      ? { addresses: ['10.0.0.1'], nodeName: 'n1', conditions: { ready: true } }
      : { addresses: ['10.0.0.1'], topology: { 'kubernetes.io/hostname': 'n1' } };
  s.create('endpointslices.discovery.k8s.io', 'shop', {
    metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [endpoint],
  });
  s.create('secrets', NS, { metadata: { name: 'memberlist' }, type: 'Opaque', data: { secretkey: 'eA==' } });
  s.create('secrets', 'shop', { metadata: { name: 'not-ours' }, type: 'Opaque' });
}

t.test('typed view of every watched kind; equals the server after faults', async (t) => {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 100 });
  seed(server);
  const w = new ClusterWatcher(server.kubeConfig(), {
    namespace: NS,
    statusObjects: true,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  t.teardown(async () => {
    await w.stop();
    await server.stop();
  });
  await w.start();
  t.equal(w.endpointSliceVersion, 'v1');
  t.equal(w.services().length, 1);
  t.equal(w.endpointSlicesOf('shop', 'web').length, 1);
  const input = w.configInput();
  t.equal(input.ipAddressPools?.length, 1);
  t.equal(input.secrets?.length, 1, 'only Secrets of MetalLB’s namespace');
  t.equal(input.nodes?.length, 2);

  const views = () => ({
    services: fingerprint(w.services()),
    slices: fingerprint(w.endpointSlices()),
    nodes: fingerprint(w.nodes()),
    pools: fingerprint(w.configInput().ipAddressPools ?? []),
  });
  const truth = () => ({
    services: fingerprint(server.store.list('services').items),
    slices: fingerprint(server.store.list('endpointslices.discovery.k8s.io').items),
    nodes: fingerprint(server.store.list('nodes').items),
    pools: fingerprint(server.store.list('ipaddresspools.metallb.io', { namespace: NS }).items),
  });
  const converged = (what: string) => eventually(() => JSON.stringify(views()) === JSON.stringify(truth()), what);

  const restarting = server.restart({ downMs: 200, compact: true });
  server.store.delete('endpointslices.discovery.k8s.io', 'shop', 'web-abc');
  server.store.create('services', 'shop', {
    metadata: { name: 'db' },
    spec: { type: 'LoadBalancer', ports: [{ port: 5432 }] },
  });
  server.store.patch('nodes', undefined, 'n2', 'application/merge-patch+json', { metadata: { labels: { zone: 'a' } } });
  server.store.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'second' },
    spec: { addresses: ['198.51.100.0/24'] },
  });
  await restarting;
  await converged('after a restart that lost history');
  t.equal(w.endpointSlicesOf('shop', 'web').length, 0, 'slice index follows deletes seen by relist');

  server.breakWatches();
  server.store.create('endpointslices.discovery.k8s.io', 'shop', {
    metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [],
  });
  await converged('after broken watches');
  t.equal(w.endpointSlicesOf('shop', 'db').length, 1);
});

t.test('speaker Pods: only those the label selector matches, kept up to date', async (t) => {
  const server = await FakeApiServer.start();
  seed(server);
  const speaker = (name: string, ip: string, component = 'speaker') =>
    server.store.create('pods', NS, {
      metadata: { name, labels: { app: 'lbkit', component } },
      status: { phase: 'Running', podIP: ip },
    });
  speaker('speaker-a', '192.0.2.1');
  speaker('controller-x', '192.0.2.9', 'controller');
  server.store.create('pods', 'shop', {
    metadata: { name: 'speaker-elsewhere', labels: { app: 'lbkit', component: 'speaker' } },
    status: { phase: 'Running', podIP: '192.0.2.8' },
  });
  const w = new ClusterWatcher(server.kubeConfig(), { namespace: NS, podSelector: 'app=lbkit,component=speaker' });
  const seen: string[] = [];
  w.onChange((c) => {
    if (c.kind === 'Pod') seen.push(`${c.type} ${c.object.metadata?.name ?? ''}`);
  });
  t.teardown(async () => {
    await w.stop();
    await server.stop();
  });
  await w.start();
  t.same(
    w.pods().map((p) => p.metadata?.name),
    ['speaker-a'],
    'the controller and Pods of other namespaces are left out',
  );
  speaker('speaker-b', '192.0.2.2');
  await eventually(() => w.pods().length === 2, 'a new speaker Pod');
  t.ok(seen.includes('add speaker-b'), 'its arrival is reported');
  server.store.delete('pods', NS, 'speaker-a');
  await eventually(() => w.pods().length === 1, 'a deleted speaker Pod');
  t.same(
    w.pods().map((p) => p.metadata?.name),
    ['speaker-b'],
  );
  const plain = new ClusterWatcher(server.kubeConfig(), { namespace: NS });
  await plain.start();
  t.same(plain.pods(), [], 'no selector, no Pod watch');
  await plain.stop();
});

t.test('EndpointSlice v1beta1 on servers without v1', async (t) => {
  const server = await FakeApiServer.start({ endpointSliceVersions: ['v1beta1'] });
  seed(server, 'v1beta1');
  const w = new ClusterWatcher(server.kubeConfig(), { namespace: NS });
  t.teardown(async () => {
    await w.stop();
    await server.stop();
  });
  await w.start();
  t.equal(w.endpointSliceVersion, 'v1beta1');
  t.equal(w.endpointSlicesOf('shop', 'web').length, 1);
  t.equal(w.endpointSlicesOf('shop', 'web')[0]?.apiVersion, 'discovery.k8s.io/v1beta1');
});

t.test('config loop: invalid configuration keeps the last good one; ConfigurationState says why', async (t) => {
  const server = await FakeApiServer.start();
  seed(server);
  const kc = server.kubeConfig();
  const w = new ClusterWatcher(kc, { namespace: NS });
  const loop = new ConfigLoop(
    { namespace: NS, component: 'controller', debounceMs: 20 },
    { watcher: w, clock: realClock, statusWriter: new StatusObjectWriter(kc, { namespace: NS }) },
  );
  t.teardown(async () => {
    await loop.stop();
    await w.stop();
    await server.stop();
  });
  await w.start();
  const states: ConfigState[] = [];
  loop.onState((s) => states.push(s));
  const first = await loop.start();
  t.equal(first.reason, 'applied');
  const good = first.config;
  t.same([...(good?.l2Advertisements[0]?.nodes ?? [])], ['n1']);
  const cs = () =>
    server.store.get('configurationstates.metallb.io', NS, 'controller') as unknown as ConfigurationState;
  t.equal(cs().status?.result, 'Valid');

  server.store.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'clash' },
    spec: { addresses: ['192.0.2.128/25'] },
  });
  await eventually(() => loop.tracker.state.reason === 'invalid-kept-last-good', 'invalid config seen');
  t.equal(loop.tracker.state.config, good, 'last good configuration stays');
  await eventually(() => cs().status?.result === 'Invalid', 'ConfigurationState written');
  t.equal(
    cs().status?.errorSummary,
    'IPAddressPool clash: spec.addresses[0] "192.0.2.128/25": overlaps "192.0.2.0/24" of IPAddressPool public',
  );

  server.store.delete('ipaddresspools.metallb.io', NS, 'clash');
  server.store.patch('nodes', undefined, 'n2', 'application/merge-patch+json', { metadata: { labels: { zone: 'a' } } });
  await eventually(
    () => loop.tracker.state.reason === 'applied' && loop.tracker.state.generation === 2,
    'valid again, with the node relabelled',
  );
  t.same(
    [...(loop.tracker.state.config?.l2Advertisements[0]?.nodes ?? [])].sort(),
    ['n1', 'n2'],
    'node labels re-resolved',
  );
  await eventually(() => cs().status?.result === 'Valid', 'ConfigurationState back to Valid');
  t.ok(states.length >= 3);
});
