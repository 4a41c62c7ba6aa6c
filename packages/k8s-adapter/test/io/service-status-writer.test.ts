import t from 'tap';
import { CoreV1Api } from '@kubernetes/client-node';
import { ServiceStatusWriter } from '../../src/io/service-status-writer.js';
import { FakeApiServer } from '../../src/testing/index.js';
import type { Service } from '../../src/api/core.js';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const created = (await core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
  })) as Service;
  server.clearRequests();
  const writer = new ServiceStatusWriter(kc, { retryDelayMs: 5 });
  const patches = (status?: number) =>
    server.requests.filter((r) => r.method === 'PATCH' && (status === undefined || r.status === status)).length;
  return { server, core, writer, created, patches };
}

const stored = (server: FakeApiServer) => server.store.get('services', 'default', 'web') as Service;

t.test('writes ingress and annotation once; an unchanged Service is not written', async (t) => {
  const { server, writer, created, patches } = await setup(t);
  const r = await writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'public' }, created);
  t.equal(r.outcome, 'written');
  t.equal(r.requests, 1);
  const s = stored(server);
  t.same(s.status?.loadBalancer?.ingress, [{ ip: '192.0.2.10' }]);
  t.equal(s.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], 'public');
  const again = await writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'public' }, r.service);
  t.equal(again.outcome, 'unchanged');
  t.equal(again.requests, 0);
  t.equal(patches(), 1, 'exactly one PATCH sent');
  t.equal(
    server.requests[0]?.contentType,
    'application/merge-patch+json',
    'merge patch, not client-node’s JSON-patch default',
  );
  t.match(server.requests[0]?.path, /\/status$/, 'through the status subresource');
});

t.test('a stale copy gets 409, is re-read and retried; the other writer’s change survives', async (t) => {
  const { server, core, writer, created, patches } = await setup(t);
  await core.patchNamespacedService({
    namespace: 'default',
    name: 'web',
    body: [{ op: 'add', path: '/metadata/labels', value: { team: 'a' } }],
  });
  const r = await writer.write('default', 'web', { ips: ['192.0.2.10', '2001:db8::10'], pool: 'dual' }, created);
  t.equal(r.outcome, 'written');
  t.equal(patches(409), 1, 'one conflict');
  t.equal(patches(200), 2, 'the label patch and one successful status patch');
  const s = stored(server);
  t.same(s.metadata?.labels, { team: 'a' });
  t.same(
    s.status?.loadBalancer?.ingress?.map((i) => i.ip),
    ['192.0.2.10', '2001:db8::10'],
  );
});

t.test('two writers racing on one Service: one write lands, the other finds it done', async (t) => {
  const { server, writer, created, patches } = await setup(t);
  const other = new ServiceStatusWriter(server.kubeConfig(), { retryDelayMs: 5 });
  const [a, b] = await Promise.all([
    writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'p' }, created),
    other.write('default', 'web', { ips: ['192.0.2.10'], pool: 'p' }, created),
  ]);
  t.same([a.outcome, b.outcome].sort(), ['unchanged', 'written']);
  t.equal(patches(200), 1, 'no duplicate write');
});

t.test('transient failures are retried without duplicate writes; persistent ones surface', async (t) => {
  const { server, writer, created, patches } = await setup(t);
  server.injectFault({ code: 500, times: 2, match: (m) => m === 'PATCH' });
  const r = await writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'p' }, created);
  t.equal(r.outcome, 'written');
  t.equal(patches(200), 1);
  server.injectFault({ code: 409, times: 100, match: (m) => m === 'PATCH' });
  const w = new ServiceStatusWriter(server.kubeConfig(), { retryDelayMs: 1, maxAttempts: 3 });
  await t.rejects(w.write('default', 'web', { ips: ['192.0.2.11'], pool: 'p' }), { code: 409 });
  t.same(stored(server).status?.loadBalancer?.ingress, [{ ip: '192.0.2.10' }], 'nothing half-written');
});

t.test('clear, gone, ipMode', async (t) => {
  const { server, writer, created } = await setup(t);
  const set = await writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'p' }, created);
  const cleared = await writer.write('default', 'web', { ips: [] }, set.service);
  t.equal(cleared.outcome, 'written');
  const s = stored(server);
  t.same(s.status?.loadBalancer, {}, 'ingress removed');
  t.equal(s.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'], undefined, 'annotation removed');
  const vip = new ServiceStatusWriter(server.kubeConfig(), { ipMode: 'auto' });
  await vip.write('default', 'web', { ips: ['192.0.2.12'], pool: 'p' });
  t.same(
    stored(server).status?.loadBalancer?.ingress,
    [{ ip: '192.0.2.12', ipMode: 'VIP' }],
    'ipMode written for a 1.31 server',
  );
  server.store.delete('services', 'default', 'web');
  t.equal((await writer.write('default', 'web', { ips: ['192.0.2.10'], pool: 'p' })).outcome, 'gone');
});

t.test('a write during an API server restart lands once; slow responses are waited for', async (t) => {
  const { server, writer, created, patches } = await setup(t);
  const restarting = server.restart({ downMs: 300 });
  const r = await writer.write('default', 'web', { ips: ['192.0.2.30'], pool: 'p' }, created);
  await restarting;
  t.equal(r.outcome, 'written');
  t.equal(patches(200), 1, 'exactly one successful write');
  t.same(stored(server).status?.loadBalancer?.ingress, [{ ip: '192.0.2.30' }]);
  server.setLatency(300);
  const slow = await writer.write('default', 'web', { ips: ['192.0.2.31'], pool: 'p' }, r.service);
  t.equal(slow.outcome, 'written');
  t.equal(patches(200), 2);
});
