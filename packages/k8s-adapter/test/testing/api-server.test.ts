import t from 'tap';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { FakeApiServer } from '../../src/testing/index.js';
import { eventually } from '../wait.js';

const svc = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, labels: { app: name } },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...extra },
});

t.test('CRUD, defaults, optimistic concurrency, status subresource', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const created = await core.createNamespacedService({ namespace: 'default', body: svc('web') });
  t.equal(created.spec?.ipFamilyPolicy, 'SingleStack', 'ipFamilyPolicy defaulted');
  t.same(created.spec?.ipFamilies, ['IPv4']);
  t.equal(created.spec?.externalTrafficPolicy, 'Cluster');
  t.equal(created.spec?.ports?.[0]?.protocol, 'TCP');
  t.match(created.spec?.clusterIP, /^240\./, 'cluster IP from the reserved range');
  t.ok(created.metadata?.uid);
  const rv1 = created.metadata?.resourceVersion;

  await t.rejects(
    core.createNamespacedService({ namespace: 'default', body: svc('web') }),
    { code: 409 },
    'AlreadyExists',
  );

  // A status write through the main resource is ignored; through /status it is kept, spec changes are not.
  const main = await core.patchNamespacedService(
    { namespace: 'default', name: 'web', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.equal(main.status?.loadBalancer?.ingress, undefined, 'status ignored on the main resource');
  t.equal(main.metadata?.resourceVersion, rv1, 'a no-op write does not bump the version');
  const st = await core.patchNamespacedServiceStatus(
    {
      namespace: 'default',
      name: 'web',
      body: {
        metadata: { annotations: { a: 'b' } },
        spec: { type: 'ClusterIP' },
        status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.equal(st.status?.loadBalancer?.ingress?.[0]?.ip, '192.0.2.1');
  t.equal(st.spec?.type, 'LoadBalancer', 'spec unchanged through /status');
  t.equal(st.metadata?.annotations?.['a'], 'b', 'Service status writes keep metadata changes');

  // JSON patch is what client-node sends by default.
  const jp = await core.patchNamespacedService({
    namespace: 'default',
    name: 'web',
    body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
  });
  t.equal(jp.metadata?.labels?.['x'], 'y');

  // Stale resource version → 409 Conflict.
  await t.rejects(
    core.patchNamespacedServiceStatus(
      { namespace: 'default', name: 'web', body: { metadata: { resourceVersion: rv1 }, status: { loadBalancer: {} } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
    { code: 409 },
  );
  const cur = await core.readNamespacedService({ namespace: 'default', name: 'web' });
  await t.rejects(
    core.replaceNamespacedService({
      namespace: 'default',
      name: 'web',
      body: { ...cur, metadata: { ...cur.metadata, resourceVersion: rv1 as string } },
    }),
    { code: 409 },
  );
  const replaced = await core.replaceNamespacedService({
    namespace: 'default',
    name: 'web',
    body: { ...cur, metadata: { ...cur.metadata, labels: { z: '1' } } },
  });
  t.same(replaced.metadata?.labels, { z: '1' });

  await t.rejects(core.readNamespacedService({ namespace: 'default', name: 'nope' }), { code: 404 });
  await core.deleteNamespacedService({ namespace: 'default', name: 'web' });
  await t.rejects(core.readNamespacedService({ namespace: 'default', name: 'web' }), { code: 404 });
});

t.test(
  'custom resources: defaulting, pruning, validation, status only through /status, both BGPPeer versions',
  async (t) => {
    const server = await FakeApiServer.start();
    t.teardown(() => server.stop());
    const api = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const base = { group: 'metallb.io', version: 'v1beta1', namespace: 'metallb-system' };
    const pool = (await api.createNamespacedCustomObject({
      ...base,
      plural: 'ipaddresspools',
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'p' },
        spec: { addresses: ['192.0.2.0/24'], junk: 1 },
        status: { assignedIPv4: 3 },
      },
    })) as { spec: Record<string, unknown>; status?: unknown };
    t.same(
      pool.spec,
      { addresses: ['192.0.2.0/24'], autoAssign: true, avoidBuggyIPs: false },
      'defaults applied, unknown field pruned',
    );
    t.equal(pool.status, undefined, 'status dropped on create');
    await t.rejects(
      api.createNamespacedCustomObject({
        ...base,
        plural: 'ipaddresspools',
        body: { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'q' }, spec: {} },
      }),
      { code: 422 },
    );
    const withStatus = (await api.patchNamespacedCustomObjectStatus(
      {
        ...base,
        plural: 'ipaddresspools',
        name: 'p',
        body: { spec: { autoAssign: false }, status: { assignedIPv4: 3 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { spec: Record<string, unknown>; status: Record<string, unknown> };
    t.same(withStatus.status, { assignedIPv4: 3 });
    t.equal(withStatus.spec['autoAssign'], true, 'spec unchanged through /status');

    await api.createNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta1',
      namespace: 'metallb-system',
      plural: 'bgppeers',
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPPeer',
        metadata: { name: 'old' },
        spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' },
      },
    });
    const v2 = (await api.getNamespacedCustomObject({
      group: 'metallb.io',
      version: 'v1beta2',
      namespace: 'metallb-system',
      plural: 'bgppeers',
      name: 'old',
    })) as {
      apiVersion: string;
      spec: { peerPort?: number; peerAddress?: string };
    };
    t.equal(v2.apiVersion, 'metallb.io/v1beta2', 'served in v1beta2');
    t.equal(v2.spec.peerAddress, '192.0.2.1');
  },
);

t.test('discovery and EndpointSlice versions', async (t) => {
  const server = await FakeApiServer.start({ endpointSliceVersions: ['v1beta1'] });
  t.teardown(() => server.stop());
  const apis = (await (await fetch(`${server.url}/apis`)).json()) as {
    groups: { name: string; preferredVersion: { version: string } }[];
  };
  t.equal(apis.groups.find((g) => g.name === 'discovery.k8s.io')?.preferredVersion.version, 'v1beta1');
  t.equal(apis.groups.find((g) => g.name === 'metallb.io')?.preferredVersion.version, 'v1beta2');
  const disc = server.kubeConfig().makeApiClient(DiscoveryV1Api);
  await t.rejects(disc.listEndpointSliceForAllNamespaces(), { code: 404 }, 'v1 not served, as on Kubernetes 1.20');
  const r = await fetch(`${server.url}/apis/discovery.k8s.io/v1beta1`);
  t.equal(r.status, 200);
  const v = (await (await fetch(`${server.url}/version`)).json()) as { gitVersion: string };
  t.match(v.gitVersion, /^v1\./);
});

t.test('watch: initial state, resume by version, selectors, bookmarks, 410 Gone', async (t) => {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 50 });
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({ namespace: 'a', body: svc('one') });
  const listed = await core.listServiceForAllNamespaces();
  const rv = listed.metadata?.resourceVersion as string;
  await core.createNamespacedService({ namespace: 'a', body: svc('two') });
  await core.createNamespacedService({ namespace: 'b', body: svc('three') });

  const events: string[] = [];
  const watch = new Watch(kc);
  let done: unknown = 'open';
  const ctl = await watch.watch(
    '/api/v1/namespaces/a/services',
    { resourceVersion: rv, allowWatchBookmarks: true, labelSelector: 'app in (one,two)' },
    (type, obj: { metadata?: { name?: string } }) => events.push(`${type} ${obj.metadata?.name ?? ''}`),
    (err) => (done = err),
  );
  await eventually(() => events.includes('ADDED two'), 'resumed events');
  t.notOk(events.includes('ADDED one'), 'nothing from before the resource version');
  t.notOk(
    events.some((e) => e.includes('three')),
    'other namespace filtered',
  );
  await core.patchNamespacedService({
    namespace: 'a',
    name: 'two',
    body: [{ op: 'replace', path: '/metadata/labels/app', value: 'other' }],
  });
  await eventually(() => events.includes('DELETED two'), 'leaving the selector is a DELETED');
  await eventually(() => events.includes('BOOKMARK '), 'bookmark');
  t.equal(done, 'open', 'the watch stays open');
  ctl.abort();

  // Initial state when no version is given.
  const initial: string[] = [];
  const c2 = await watch.watch(
    '/api/v1/services',
    {},
    (type, obj: { metadata?: { name?: string } }) => initial.push(`${type} ${obj.metadata?.name}`),
    () => {},
  );
  await eventually(() => initial.length === 3, 'synthetic ADDED for all');
  c2.abort();

  server.compact();
  const gone: { type: string; code: number | undefined }[] = [];
  let ended = false;
  await watch.watch(
    '/api/v1/services',
    { resourceVersion: rv },
    (type, obj: { code?: number }) => gone.push({ type, code: obj.code }),
    () => (ended = true),
  );
  await eventually(() => ended, 'watch ends after 410');
  t.same(gone, [{ type: 'ERROR', code: 410 }]);
});

t.test('faults: latency, injected errors, request log', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  server.setLatency(150);
  const start = Date.now();
  await core.listNode();
  t.ok(Date.now() - start >= 140, 'slow response');
  server.setLatency(0);
  server.injectFault({ code: 503, times: 2, retryAfterSeconds: 1, match: (m) => m === 'GET' });
  await t.rejects(core.listNode(), { code: 503 });
  await t.rejects(core.listNode(), { code: 503 });
  await core.listNode();
  t.same(
    server.requests.slice(-3).map((r) => r.status),
    [503, 503, 200],
  );
});

t.test('list paging with limit and continue', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  for (let i = 0; i < 5; i++) server.store.create('nodes', undefined, { metadata: { name: `n${i}` } });
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await core.listNode({ limit: 2, ...(token === undefined ? {} : { _continue: token }) });
    names.push(...page.items.map((n) => n.metadata?.name ?? ''));
    token = page.metadata?._continue;
    pages++;
  } while (token !== undefined && token !== '');
  t.same(names, ['n0', 'n1', 'n2', 'n3', 'n4']);
  t.equal(pages, 3);
  const first = await core.listNode({ limit: 2 });
  t.equal(first.metadata?.remainingItemCount, 3);
  server.store.create('nodes', undefined, { metadata: { name: 'late' } });
  server.compact();
  await t.rejects(
    core.listNode({ limit: 2, _continue: first.metadata?._continue as string }),
    { code: 410 },
    'expired continue token',
  );
});
