import t from 'tap';
import { StatusObjectWriter } from '../../src/io/status-objects.js';
import { FakeApiServer } from '../../src/testing/index.js';
import type { ServiceBGPStatus, ServiceL2Status, ConfigurationState, IPAddressPool } from '../../src/api/metallb.js';

const NS = 'metallb-system';
const svc = { namespace: 'default', name: 'web' };

t.test('ServiceL2Status: exactly one per Service, owned by the announcing node', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const owner = { apiVersion: 'v1', kind: 'Pod', name: 'speaker-abc', uid: 'uid-1', controller: true };
  const n1 = new StatusObjectWriter(kc, { namespace: NS, node: 'n1', owner });
  const n2 = new StatusObjectWriter(kc, { namespace: NS, node: 'n2' });
  const all = () =>
    server.store.list('servicel2statuses.metallb.io', { namespace: NS }).items as unknown as ServiceL2Status[];

  t.equal(await n1.announceL2(svc, ['eth0']), 'created');
  t.equal(await n1.announceL2(svc, ['eth0']), 'unchanged');
  let objs = all();
  t.equal(objs.length, 1);
  t.match(objs[0]!.metadata?.name, /^l2-/);
  t.same(objs[0]!.metadata?.labels, {
    'metallb.io/node': 'n1',
    'metallb.io/service-name': 'web',
    'metallb.io/service-namespace': 'default',
  });
  t.same(objs[0]!.metadata?.ownerReferences, [owner]);
  t.same(objs[0]!.status, {
    node: 'n1',
    serviceName: 'web',
    serviceNamespace: 'default',
    interfaces: [{ name: 'eth0' }],
  });
  t.equal(await n1.announceL2(svc, []), 'updated');
  t.same(all()[0]!.status?.interfaces, [], 'empty means all interfaces');

  t.equal(await n2.announceL2(svc, []), 'created', 'ownership moves');
  objs = all();
  t.equal(objs.length, 1, 'the new owner removed the old object');
  t.equal(objs[0]!.status?.node, 'n2');
  t.equal(await n1.withdrawL2(svc), 0, 'a non-owner removes only its own objects');
  t.equal(await n2.withdrawL2(svc), 1);
  t.equal(all().length, 0);
});

t.test('ServiceBGPStatus: one per Service and node, peers sorted', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const n1 = new StatusObjectWriter(kc, { namespace: NS, node: 'n1' });
  const n2 = new StatusObjectWriter(kc, { namespace: NS, node: 'n2' });
  const all = () =>
    server.store.list('servicebgpstatuses.metallb.io', { namespace: NS }).items as unknown as ServiceBGPStatus[];
  t.equal(await n1.setBgp(svc, ['tor-b', 'tor-a']), 'created');
  t.equal(await n1.setBgp(svc, ['tor-a', 'tor-b']), 'unchanged');
  t.equal(await n2.setBgp(svc, ['tor-a']), 'created');
  t.same(
    all()
      .map((o) => [o.status?.node, o.status?.peers])
      .sort(),
    [
      ['n1', ['tor-a', 'tor-b']],
      ['n2', ['tor-a']],
    ],
  );
  t.equal(await n1.setBgp(svc, ['tor-a']), 'updated');
  t.equal(await n1.setBgp(svc, []), 'deleted');
  t.same(
    all().map((o) => o.status?.node),
    ['n2'],
  );
});

t.test('ConfigurationState and pool status', async (t) => {
  const server = await FakeApiServer.start();
  t.teardown(() => server.stop());
  const kc = server.kubeConfig();
  const controller = new StatusObjectWriter(kc, { namespace: NS });
  const status = {
    result: 'Valid' as const,
    errorSummary: '',
    conditions: [
      {
        type: 'poolReconcilerValid',
        status: 'True' as const,
        reason: 'Reconciled',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
  };
  t.equal(await controller.writeConfigurationState(status), 'created');
  t.equal(await controller.writeConfigurationState(status), 'unchanged');
  const cs = server.store.get('configurationstates.metallb.io', NS, 'controller') as unknown as ConfigurationState;
  t.same(cs.metadata?.labels, { 'metallb.io/component-type': 'controller' });
  t.same(cs.status, status);
  server.store.delete('configurationstates.metallb.io', NS, 'controller');
  t.equal(await controller.writeConfigurationState(status), 'created', 'self-heals when deleted');
  const speaker = new StatusObjectWriter(kc, { namespace: NS, node: 'n1' });
  await speaker.writeConfigurationState({ ...status, result: 'Invalid' });
  const ss = server.store.get('configurationstates.metallb.io', NS, 'speaker-n1') as unknown as ConfigurationState;
  t.same(ss.metadata?.labels, { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'n1' });

  server.store.create('ipaddresspools.metallb.io', NS, {
    metadata: { name: 'p' },
    spec: { addresses: ['192.0.2.0/24'] },
  });
  const counts = { assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 254, availableIPv6: 0 };
  t.equal(await controller.writePoolStatus('p', counts), 'updated');
  t.equal(await controller.writePoolStatus('p', counts, counts), 'unchanged');
  t.equal(await controller.writePoolStatus('gone', counts), 'gone');
  t.same((server.store.get('ipaddresspools.metallb.io', NS, 'p') as unknown as IPAddressPool).status, counts);
});
