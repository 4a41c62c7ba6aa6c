import t from 'tap';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { ResilientInformer } from '../../src/io/informer.js';
import { FakeApiServer } from '../../src/testing/index.js';
import { eventually, fingerprint } from '../wait.js';

interface Rig {
  server: FakeApiServer;
  core: CoreV1Api;
  informer: ResilientInformer<V1Service>;
  deleted: string[];
  converged(what: string): Promise<void>;
}

async function rig(
  t: { teardown(fn: () => unknown): void },
  serverInit: Parameters<typeof FakeApiServer.start>[0] = {},
): Promise<Rig> {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 100, ...serverInit });
  const kc = server.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const informer = new ResilientInformer<V1Service>(kc, {
    path: '/api/v1/services',
    list: () => core.listServiceForAllNamespaces(),
    backoff: { initialMs: 20, maxMs: 200 },
  });
  const deleted: string[] = [];
  informer.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
  t.teardown(async () => {
    await informer.stop();
    await server.stop();
  });
  const converged = (what: string) =>
    eventually(() => {
      const want = fingerprint(server.store.list('services').items);
      return JSON.stringify(fingerprint(informer.list())) === JSON.stringify(want);
    }, `view equals server: ${what}`);
  return { server, core, informer, deleted, converged };
}

const svc = (name: string) => ({ metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });

async function seed(r: Rig, n: number, prefix = 's'): Promise<void> {
  for (let i = 0; i < n; i++)
    await r.core.createNamespacedService({ namespace: 'default', body: svc(`${prefix}${i}`) });
}

t.test('first sync and live changes', async (t) => {
  const r = await rig(t);
  await seed(r, 5);
  await r.informer.start();
  t.equal(r.informer.list().length, 5, 'synced with the first list');
  await r.core.deleteNamespacedService({ namespace: 'default', name: 's0' });
  await r.core.patchNamespacedService({
    namespace: 'default',
    name: 's1',
    body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
  });
  await r.converged('live changes');
  t.same(r.deleted, ['s0']);
  t.equal(r.informer.stats.lists, 1);
});

t.test('dropped watch: re-watch from the last version, no relist', async (t) => {
  const r = await rig(t);
  await seed(r, 3);
  await r.informer.start();
  r.server.dropWatches();
  await seed(r, 2, 'late');
  await r.converged('after a dropped watch');
  t.equal(r.informer.stats.lists, 1, 'no relist');
  t.equal(r.informer.stats.restarts, 0, 'a clean end is not an error');
});

t.test('broken watch connection: restart with backoff, resume without relist', async (t) => {
  const r = await rig(t);
  await seed(r, 3);
  await r.informer.start();
  await eventually(() => r.server.openWatches === 1, 'watch open');
  r.server.breakWatches();
  await r.core.deleteNamespacedService({ namespace: 'default', name: 's2' });
  await seed(r, 1, 'late');
  await r.converged('after a broken watch');
  t.ok(r.informer.stats.restarts >= 1, 'restarted after the error');
  t.equal(r.informer.stats.lists, 1, 'resumed from its resource version');
  t.same(r.deleted, ['s2']);
});

t.test('API server restart mid-watch, changes while it is down', async (t) => {
  const r = await rig(t);
  await seed(r, 4);
  await r.informer.start();
  await eventually(() => r.server.openWatches === 1, 'watch open');
  const restarting = r.server.restart({ downMs: 300 });
  // Changes made while no client is connected (straight into the store, as another apiserver would).
  r.server.store.delete('services', 'default', 's0');
  r.server.store.create('services', 'default', svc('during'));
  await restarting;
  await r.converged('after a restart');
  t.same(r.deleted, ['s0'], 'the delete during the outage is seen');
  t.ok(r.informer.stats.restarts >= 1);
});

t.test('restart that loses history: 410 Gone, relist, deletes noticed', async (t) => {
  const r = await rig(t);
  await seed(r, 4);
  await r.informer.start();
  await eventually(() => r.server.openWatches === 1, 'watch open');
  const restarting = r.server.restart({ downMs: 200 });
  r.server.store.delete('services', 'default', 's1');
  r.server.store.create('services', 'default', svc('during'));
  r.server.compact();
  await restarting;
  await r.converged('after 410 and relist');
  t.ok(r.informer.stats.lists >= 2, 'relisted');
  t.same(r.deleted, ['s1'], 'the relist reports the delete');
});

t.test('expired watch (410 ERROR event): relist', async (t) => {
  const r = await rig(t);
  await seed(r, 2);
  await r.informer.start();
  await eventually(() => r.server.openWatches === 1, 'watch open');
  r.server.expireWatches();
  await seed(r, 1, 'late');
  await r.converged('after an expired watch');
  await eventually(() => r.informer.stats.lists >= 2, 'relisted');
  t.ok(r.informer.stats.lists >= 2, 'relisted after the 410');
});

t.test('slow responses', async (t) => {
  const r = await rig(t);
  await seed(r, 3);
  r.server.setLatency(200);
  await r.informer.start();
  await seed(r, 2, 'late');
  await r.converged('with latency');
  t.equal(r.informer.list().length, 5);
});

t.test('failed list and refused watch are retried', async (t) => {
  const r = await rig(t);
  await seed(r, 2);
  r.server.injectFault({ code: 500, times: 2, match: (m, _p, q) => m === 'GET' && q['watch'] === undefined });
  r.server.injectFault({ code: 503, times: 1, match: (_m, _p, q) => q['watch'] === 'true' });
  await r.informer.start();
  await seed(r, 1, 'late');
  await r.converged('after failed requests');
  t.ok(r.informer.stats.restarts >= 3, `restarts ${r.informer.stats.restarts}`);
});

t.test('bookmarks keep the resume point fresh', async (t) => {
  const r = await rig(t);
  await seed(r, 1);
  await r.informer.start();
  // Changes to other resources move the global version; bookmarks carry it to the idle Service watch.
  r.server.store.create('namespaces', undefined, { metadata: { name: 'x' } });
  const want = String(r.server.store.resourceVersion);
  await eventually(() => r.informer.resourceVersion === want, 'bookmark moved the resource version');
  t.ok(
    r.server.requests.some((q) => q.query['allowWatchBookmarks'] === 'true'),
    'asked for bookmarks',
  );
});

t.test('stop() ends the watch and does not restart', async (t) => {
  const r = await rig(t);
  await seed(r, 1);
  await r.informer.start();
  await eventually(() => r.server.openWatches === 1, 'watch open');
  await r.informer.stop();
  await eventually(() => r.server.openWatches === 0, 'watch closed');
  await new Promise((res) => setTimeout(res, 200));
  t.equal(r.informer.stats.restarts, 0, 'no restart after our own stop');
  t.equal(r.informer.stats.errors, 0, 'the abort error is not counted');
  t.equal(r.server.openWatches, 0);
});
